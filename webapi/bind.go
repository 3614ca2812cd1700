package webapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
)

// decode reads the JSON request body into v. Malformed JSON, wrong types
// and trailing data answer 400 naming the problem; an empty body decodes
// as {} so required fields are reported by the domain as 422.
func decode(c echo.Context, v any) error {
	req := c.Request()
	if ct := req.Header.Get(echo.HeaderContentType); ct != "" {
		if mt, _, _ := mime.ParseMediaType(ct); mt != echo.MIMEApplicationJSON {
			return &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type", message: "body must be application/json"}
		}
	}
	dec := json.NewDecoder(req.Body)
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		return nil
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: fmt.Sprintf("body larger than %d bytes", mbe.Limit)}
	case err != nil:
		return badRequest(jsonProblem(err))
	case dec.More():
		return badRequest("malformed JSON: data after the object")
	}
	return nil
}

// idParam parses the path parameter name as a positive id; anything else
// is an id that cannot exist, so 404.
func idParam(c echo.Context, name string) (uint64, error) {
	id, err := strconv.ParseUint(c.Param(name), 10, 64)
	if err != nil || id == 0 {
		return 0, &apiError{status: http.StatusNotFound, code: "not_found", message: name + " " + strconv.Quote(c.Param(name)) + " not found"}
	}
	return id, nil
}

// jsonProblem says in the API's words what is wrong with a body that does
// not decode: which field has the wrong JSON type, or where the syntax
// breaks. It never shows Go type names, which mean nothing to a client.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return "malformed JSON: the body must be a JSON object, not " + jsonKind(te.Value)
	case errors.As(err, &te):
		return fmt.Sprintf("malformed JSON: %s must be %s, not %s", te.Field, jsonTypeName(te.Type.Kind().String()), jsonKind(te.Value))
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "malformed JSON: the body ends before the object does"
	}
	return "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names the JSON value kind encoding/json reports ("number 5" → "a number").
func jsonKind(v string) string {
	kind, literal, _ := strings.Cut(v, " ")
	switch kind {
	case "number":
		if literal != "" {
			return literal
		}
		return "a number"
	case "array", "object":
		return "an " + kind
	case "":
		return "this value"
	}
	return "a " + kind
}

// jsonTypeName is the JSON type a Go kind decodes from.
func jsonTypeName(goKind string) string {
	switch {
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "a boolean (true or false)"
	case strings.HasPrefix(goKind, "uint"):
		return "a non-negative integer"
	case strings.HasPrefix(goKind, "int"):
		return "an integer"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "slice", goKind == "array":
		return "an array"
	case goKind == "struct", goKind == "map":
		return "an object"
	}
	return "another JSON type"
}

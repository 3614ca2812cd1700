package webapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

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
		return badRequest("malformed JSON: " + err.Error())
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

package webapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/deskgate/deskgate/bridge"
	"github.com/labstack/echo/v4"
)

// errorBody is the error JSON of SPEC §7: {"error":{"code","message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// apiError is an error the handler already knows the HTTP answer of.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return e.message }

func badRequest(msg string) error {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", message: msg}
}

// statusOf maps a domain error kind to its HTTP status.
var statusOf = map[bridge.ErrorKind]int{
	bridge.KindInvalid:      http.StatusUnprocessableEntity,
	bridge.KindUnauthorized: http.StatusUnauthorized,
	bridge.KindForbidden:    http.StatusForbidden,
	bridge.KindNotFound:     http.StatusNotFound,
	bridge.KindConflict:     http.StatusConflict,
	bridge.KindUnavailable:  http.StatusServiceUnavailable,
	bridge.KindRateLimited:  http.StatusTooManyRequests,
	bridge.KindLocked:       http.StatusUnprocessableEntity,
}

// errorHandler writes every error as the error JSON with the right status.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		status, body := describe(err)
		retryAfter(c, err)
		if status >= 500 {
			log.Error("api request failed", "method", c.Request().Method, "path", c.Path(), "err", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
	}
}

// describe turns any error into a status and the error JSON.
func describe(err error) (int, errorBody) {
	var ae *apiError
	var de *bridge.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		return ae.status, errorBody{errorDetail{ae.code, ae.message}}
	case errors.As(err, &de):
		st := statusOf[de.Kind]
		msg := de.Message
		if de.Kind == bridge.KindUnavailable {
			msg = "service unavailable, try again"
		}
		code := string(de.Kind)
		if de.Code != "" {
			code = de.Code
		}
		return st, errorBody{errorDetail{code, msg}}
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		return he.Code, errorBody{errorDetail{codeFor(he.Code), msg}}
	}
	return http.StatusInternalServerError, errorBody{errorDetail{"internal", "internal error"}}
}

// codeFor names the error code of a bare HTTP status.
func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return "error"
}

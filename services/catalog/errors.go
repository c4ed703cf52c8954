package catalog

import (
	"errors"
	"fmt"
)

// Error codes of the catalog's domain. The API layer maps each to one RPC
// code in one place, so stores never think about transports.
const (
	ECONFLICT           = "conflict"
	EFAILEDPRECONDITION = "failed_precondition"
	EINTERNAL           = "internal"
	EINVALID            = "invalid"
	ENOTFOUND           = "not_found"
	EUNAVAILABLE        = "unavailable"
)

// Error is a domain error: a code for programs and a message for people.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, or EINTERNAL when err is not a
// domain error, or "" when err is nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of err's *Error, or a generic message for
// other errors so that internal details are not shown to clients.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}

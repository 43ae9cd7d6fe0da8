package patch

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is every failure the patch functions return. Code is the HTTP status upstream's
// apiserver answers the failure with, so the handler can build the Status without knowing the
// patch formats:
//
//   - 400 Bad Request: the patch document is malformed (not JSON, not a list of operations,
//     a badly formed directive). Upstream puts Message in the Status.
//   - 413 Request Entity Too Large: a JSON patch with too many operations.
//   - 422 Unprocessable Entity: the patch is well formed but does not apply to this object
//     (a missing path, a failed test). Upstream answers reason Invalid with the fixed message
//     "the server rejected our request due to an error in our request" and drops Message.
//   - 500 Internal Server Error: strategic merge patch failures upstream does not classify;
//     upstream answers reason "" (Unknown) with Message.
type Error struct {
	Code    int
	Message string
	// cause lets errors.Is find the sentinel errors below.
	cause error
}

func (e *Error) Error() string { return e.Message }

func (e *Error) Unwrap() error { return e.cause }

func newError(code int, cause error) *Error {
	return &Error{Code: code, Message: cause.Error(), cause: cause}
}

func badRequest(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, fmt.Errorf(format, args...))
}

func notApplicable(format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, fmt.Errorf(format, args...))
}

// Sentinel errors, with upstream's texts. The JSON merge patch ones come from the JSON patch
// library upstream uses, the strategic ones from upstream's mergepatch package; both exist
// because upstream words "invalid JSON document" differently in the two.
var (
	ErrInvalidJSONDocument = errors.New("Invalid JSON Document")
	ErrInvalidJSONPatch    = errors.New("Invalid JSON Patch")

	// ErrMissing and ErrInvalidIndex end JSON patch path errors ("...: missing value").
	ErrMissing      = errors.New("missing value")
	ErrInvalidIndex = errors.New("invalid index referenced")
	ErrTestFailed   = errors.New("test failed")

	ErrBadJSONDoc                     = errors.New("invalid JSON document")
	ErrNoListOfLists                  = errors.New("lists of lists are not supported")
	ErrBadPatchFormatForPrimitiveList = errors.New("invalid patch format of primitive list")
	ErrBadPatchFormatForRetainKeys    = errors.New("invalid patch format of retainKeys")
	ErrBadPatchFormatForSetOrder      = errors.New("invalid patch format of setElementOrder list")
)

// smpError classifies a strategic merge patch failure as upstream's handler does: malformed
// directives are 400, lists of lists 422, and everything else 500.
func smpError(err error) *Error {
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	switch {
	case errors.Is(err, ErrBadJSONDoc), errors.Is(err, ErrBadPatchFormatForPrimitiveList),
		errors.Is(err, ErrBadPatchFormatForRetainKeys), errors.Is(err, ErrBadPatchFormatForSetOrder):
		return newError(http.StatusBadRequest, err)
	case errors.Is(err, ErrNoListOfLists):
		return newError(http.StatusUnprocessableEntity, err)
	}
	return newError(http.StatusInternalServerError, err)
}

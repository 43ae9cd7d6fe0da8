package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// StatusError is a failure that is answered with a kind: Status body. Every error a handler
// returns to a client is one of these; anything else becomes a 500 InternalError.
type StatusError struct {
	Status metav1.Status
}

func (e *StatusError) Error() string { return e.Status.Message }

// Code is the HTTP status code of the error.
func (e *StatusError) Code() int { return int(e.Status.Code) }

func newStatusError(code int, reason, message string, details *metav1.StatusDetails) *StatusError {
	return &StatusError{Status: metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Message:  message,
		Reason:   reason,
		Details:  details,
		Code:     int32(code),
	}}
}

// groupResource names a resource in messages the way upstream does: "pods", or
// "deployments.apps" outside the core group. Resource may name a subresource ("pods/binding").
type groupResource struct {
	Group, Resource string
}

func (g groupResource) String() string {
	if g.Group == "" {
		return g.Resource
	}
	return g.Resource + "." + g.Group
}

// groupKind names a kind in messages: "Pod", or "Deployment.apps".
type groupKind struct {
	Group, Kind string
}

func (g groupKind) String() string {
	if g.Group == "" {
		return g.Kind
	}
	return g.Kind + "." + g.Group
}

func errNotFound(gr groupResource, name string) *StatusError {
	return newStatusError(http.StatusNotFound, metav1.StatusReasonNotFound,
		fmt.Sprintf("%s %q not found", gr, name),
		&metav1.StatusDetails{Name: name, Group: gr.Group, Kind: gr.Resource})
}

func errAlreadyExists(gr groupResource, name string) *StatusError {
	return newStatusError(http.StatusConflict, metav1.StatusReasonAlreadyExists,
		fmt.Sprintf("%s %q already exists", gr, name),
		&metav1.StatusDetails{Name: name, Group: gr.Group, Kind: gr.Resource})
}

// errConflict is a failed optimistic write or precondition: "Operation cannot be fulfilled
// on pods "x": <why>".
func errConflict(gr groupResource, name, why string) *StatusError {
	return newStatusError(http.StatusConflict, metav1.StatusReasonConflict,
		fmt.Sprintf("Operation cannot be fulfilled on %s %q: %s", gr, name, why),
		&metav1.StatusDetails{Name: name, Group: gr.Group, Kind: gr.Resource})
}

// modifiedMessage is upstream's reason for an update that carried a stale resourceVersion.
const modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again"

func errInvalid(gk groupKind, name string, errs validation.ErrorList) *StatusError {
	msg := fmt.Sprintf("%s %q is invalid", gk, name)
	if len(errs) > 0 {
		msg += ": " + errs.String()
	}
	return newStatusError(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, msg,
		&metav1.StatusDetails{Name: name, Group: gk.Group, Kind: gk.Kind, Causes: errs.Causes()})
}

func errBadRequest(format string, args ...any) *StatusError {
	return newStatusError(http.StatusBadRequest, metav1.StatusReasonBadRequest, fmt.Sprintf(format, args...), nil)
}

func errForbidden(gr groupResource, name, why string) *StatusError {
	msg := fmt.Sprintf("%s %q is forbidden: %s", gr, name, why)
	if name == "" {
		msg = fmt.Sprintf("%s is forbidden: %s", gr, why)
	}
	return newStatusError(http.StatusForbidden, metav1.StatusReasonForbidden, msg,
		&metav1.StatusDetails{Name: name, Group: gr.Group, Kind: gr.Resource})
}

func errMethodNotSupported(gr groupResource, action string) *StatusError {
	return newStatusError(http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed,
		fmt.Sprintf("%s is not supported on resources of kind %q", action, gr),
		&metav1.StatusDetails{Group: gr.Group, Kind: gr.Resource})
}

// errExpired is 410 for a list or watch whose resourceVersion etcd no longer has.
func errExpired(message string) *StatusError {
	return newStatusError(http.StatusGone, metav1.StatusReasonExpired, message, nil)
}

// errTooLargeResourceVersion is upstream's answer to a read at a revision the server has not
// reached after waiting a few seconds: retry later.
func errTooLargeResourceVersion(requested, current int64) *StatusError {
	return newStatusError(http.StatusGatewayTimeout, metav1.StatusReasonTimeout,
		fmt.Sprintf("Too large resource version: %d, current: %d", requested, current),
		&metav1.StatusDetails{
			Causes:            []metav1.StatusCause{{Type: metav1.CauseTypeResourceVersionTooLarge, Message: "Too large resource version"}},
			RetryAfterSeconds: 1,
		})
}

func errInternal(err error) *StatusError {
	return newStatusError(http.StatusInternalServerError, metav1.StatusReasonInternalError,
		fmt.Sprintf("Internal error occurred: %v", err),
		&metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: err.Error()}}})
}

func errRequestTooLarge(limit int) *StatusError {
	return newStatusError(http.StatusRequestEntityTooLarge, metav1.StatusReasonRequestEntityTooLarge,
		fmt.Sprintf("Request entity too large: limit is %d", limit), nil)
}

func errUnsupportedMediaType(contentType string, accepted []string) *StatusError {
	return newStatusError(http.StatusUnsupportedMediaType, metav1.StatusReasonUnsupportedMediaType,
		fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: %s", strings.Join(accepted, ", ")),
		nil)
}

func errNotAcceptable(accepted []string) *StatusError {
	return newStatusError(http.StatusNotAcceptable, metav1.StatusReasonNotAcceptable,
		fmt.Sprintf("only the following media types are accepted: %s", strings.Join(accepted, ", ")), nil)
}

// errNotImplemented answers requests for features Skiff does not have, loudly, so nobody
// mistakes a missing feature for a silent success.
func errNotImplemented(code int, what string) *StatusError {
	reason := metav1.StatusReasonMethodNotAllowed
	if code == http.StatusUnsupportedMediaType {
		reason = metav1.StatusReasonUnsupportedMediaType
	}
	return newStatusError(code, reason, what+" is not implemented in Skiff", nil)
}

// errPathNotFound is upstream's answer for a URL that names no resource.
func errPathNotFound() *StatusError {
	return newStatusError(http.StatusNotFound, metav1.StatusReasonNotFound,
		"the server could not find the requested resource", &metav1.StatusDetails{})
}

// errMethodNotAllowed is upstream's answer for a known path with a method it does not serve.
func errMethodNotAllowed() *StatusError {
	return newStatusError(http.StatusMethodNotAllowed, metav1.StatusReasonMethodNotAllowed,
		"the server does not allow this method on the requested resource", &metav1.StatusDetails{})
}

// asStatusError turns any error into the StatusError sent to the client.
func asStatusError(err error) *StatusError {
	var se *StatusError
	if errors.As(err, &se) {
		return se
	}
	// The registry's hooks (admission, IP reservation) return Status values directly.
	var st *metav1.Status
	if errors.As(err, &st) {
		return &StatusError{Status: *st}
	}
	return errInternal(err)
}

// asStatus reports whether err is (or wraps) a StatusError, and sets *se to it.
func asStatus(err error, se **StatusError) bool { return errors.As(err, se) }

// isNotFound reports a storage "key not found".
func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

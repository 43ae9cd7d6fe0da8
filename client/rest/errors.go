package rest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// statusOf finds the *metav1.Status inside err, however deeply callers wrapped it.
func statusOf(err error) *metav1.Status {
	var st *metav1.Status
	if errors.As(err, &st) {
		return st
	}
	return nil
}

// ReasonOf returns the machine-readable reason of an API error ("NotFound", "Conflict",
// ...), or "" when err is not an API error or the server gave no reason.
func ReasonOf(err error) string {
	if st := statusOf(err); st != nil {
		return st.Reason
	}
	return metav1.StatusReasonUnknown
}

// CodeOf returns the HTTP code of an API error, or 0 when err is not one.
func CodeOf(err error) int32 {
	if st := statusOf(err); st != nil {
		return st.Code
	}
	return 0
}

// hasReason is the shared test behind the Is* helpers: the reason decides, and the HTTP
// code decides only when the server sent no reason (as upstream's apierrors do, so a proxy's
// bare 404 still counts as NotFound).
func hasReason(err error, reason string, code int32) bool {
	st := statusOf(err)
	if st == nil {
		return false
	}
	if st.Reason != metav1.StatusReasonUnknown {
		return st.Reason == reason
	}
	return st.Code == code
}

// IsNotFound reports a 404 NotFound: the object (or the resource, or the namespace) does
// not exist.
func IsNotFound(err error) bool { return hasReason(err, metav1.StatusReasonNotFound, 404) }

// IsAlreadyExists reports that a create hit an existing name. Only the reason counts: a bare
// 409 is a Conflict.
func IsAlreadyExists(err error) bool { return isReason(err, metav1.StatusReasonAlreadyExists) }

// IsConflict reports a 409 Conflict: the resourceVersion sent is no longer current (lost an
// optimistic-concurrency race); re-read and retry.
func IsConflict(err error) bool { return hasReason(err, metav1.StatusReasonConflict, 409) }

// IsGone reports a 410: the resourceVersion a list or watch asked for has been compacted
// away (reason Expired or Gone). The only cure is a fresh list.
func IsGone(err error) bool {
	st := statusOf(err)
	if st == nil {
		return false
	}
	switch st.Reason {
	case metav1.StatusReasonGone, metav1.StatusReasonExpired:
		return true
	case metav1.StatusReasonUnknown:
		return st.Code == http.StatusGone
	}
	return false
}

// IsInvalid reports a 422: the object failed validation; Details.Causes name the fields.
func IsInvalid(err error) bool { return hasReason(err, metav1.StatusReasonInvalid, 422) }

// IsBadRequest reports a 400.
func IsBadRequest(err error) bool { return hasReason(err, metav1.StatusReasonBadRequest, 400) }

// IsForbidden reports a 403: authenticated but not allowed, or a namespace is terminating.
func IsForbidden(err error) bool { return hasReason(err, metav1.StatusReasonForbidden, 403) }

// IsUnauthorized reports a 401: the credentials were missing or rejected.
func IsUnauthorized(err error) bool { return hasReason(err, metav1.StatusReasonUnauthorized, 401) }

// IsTooManyRequests reports a 429: the server shed load; try again later.
func IsTooManyRequests(err error) bool {
	return hasReason(err, metav1.StatusReasonTooManyRequests, 429)
}

// IsInternalError reports a 500.
func IsInternalError(err error) bool {
	return hasReason(err, metav1.StatusReasonInternalError, 500)
}

// IsServiceUnavailable reports a 503.
func IsServiceUnavailable(err error) bool {
	return hasReason(err, metav1.StatusReasonServiceUnavailable, 503)
}

// IsTimeout reports a 504 Timeout or a ServerTimeout: the operation may still complete.
func IsTimeout(err error) bool {
	return hasReason(err, metav1.StatusReasonTimeout, 504) || isReason(err, metav1.StatusReasonServerTimeout)
}

// IsMethodNotAllowed reports a 405.
func IsMethodNotAllowed(err error) bool {
	return hasReason(err, metav1.StatusReasonMethodNotAllowed, 405)
}

func isReason(err error, reason string) bool { return ReasonOf(err) == reason }

// NewStatus builds an error Status from its parts, for errors without a dedicated
// constructor (fakes answering 415, 429 ...).
func NewStatus(code int32, reason, message string) *metav1.Status {
	return newStatus(code, reason, message)
}

// newStatus is the skeleton of every error Status.
func newStatus(code int32, reason, message string) *metav1.Status {
	return &metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Code:     code,
		Reason:   reason,
		Message:  message,
	}
}

// qualifiedResource renders a resource the way upstream's messages name it: "pods",
// "deployments.apps".
func qualifiedResource(group, resource string) string {
	if group == "" {
		return resource
	}
	return resource + "." + group
}

// NewNotFound is the error a server returns for a missing object. Fakes use it to behave
// like the real server.
func NewNotFound(group, resource, name string) *metav1.Status {
	st := newStatus(http.StatusNotFound, metav1.StatusReasonNotFound,
		fmt.Sprintf("%s %q not found", qualifiedResource(group, resource), name))
	st.Details = &metav1.StatusDetails{Name: name, Group: group, Kind: resource}
	return st
}

// NewAlreadyExists is the error of a create whose name is taken.
func NewAlreadyExists(group, resource, name string) *metav1.Status {
	st := newStatus(http.StatusConflict, metav1.StatusReasonAlreadyExists,
		fmt.Sprintf("%s %q already exists", qualifiedResource(group, resource), name))
	st.Details = &metav1.StatusDetails{Name: name, Group: group, Kind: resource}
	return st
}

// NewConflict is the error of a write whose resourceVersion (or other precondition) no
// longer holds.
func NewConflict(group, resource, name string, cause error) *metav1.Status {
	st := newStatus(http.StatusConflict, metav1.StatusReasonConflict,
		fmt.Sprintf("Operation cannot be fulfilled on %s %q: %v", qualifiedResource(group, resource), name, cause))
	st.Details = &metav1.StatusDetails{Name: name, Group: group, Kind: resource}
	return st
}

// NewGone is a 410 with reason Gone (upstream uses it for watches too old to resume).
func NewGone(message string) *metav1.Status {
	return newStatus(http.StatusGone, metav1.StatusReasonGone, message)
}

// NewResourceExpired is a 410 with reason Expired: a resourceVersion or continue token was
// compacted.
func NewResourceExpired(message string) *metav1.Status {
	return newStatus(http.StatusGone, metav1.StatusReasonExpired, message)
}

// NewInvalid is a 422 listing the invalid fields.
func NewInvalid(group, kind, name string, causes []metav1.StatusCause) *metav1.Status {
	msgs := make([]string, 0, len(causes))
	for _, c := range causes {
		if c.Field != "" {
			msgs = append(msgs, c.Field+": "+c.Message)
		} else {
			msgs = append(msgs, c.Message)
		}
	}
	qualifiedKind := kind
	if group != "" {
		qualifiedKind = kind + "." + group
	}
	msg := fmt.Sprintf("%s %q is invalid", qualifiedKind, name)
	switch len(msgs) {
	case 0:
	case 1:
		msg += ": " + msgs[0]
	default:
		msg += ": [" + strings.Join(msgs, ", ") + "]"
	}
	st := newStatus(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid, msg)
	st.Details = &metav1.StatusDetails{Name: name, Group: group, Kind: kind, Causes: causes}
	return st
}

// NewBadRequest is a 400 with the given message.
func NewBadRequest(message string) *metav1.Status {
	return newStatus(http.StatusBadRequest, metav1.StatusReasonBadRequest, message)
}

// NewInternalError is a 500 wrapping an unexpected failure.
func NewInternalError(cause error) *metav1.Status {
	st := newStatus(http.StatusInternalServerError, metav1.StatusReasonInternalError,
		fmt.Sprintf("Internal error occurred: %v", cause))
	st.Details = &metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: cause.Error()}}}
	return st
}

// decodeError turns a non-2xx response into a *metav1.Status: the server's own Status when
// the body is one, otherwise one synthesized from the code, carrying the body as a cause so
// nothing the server said is lost.
func decodeError(code int, method string, body []byte) *metav1.Status {
	var st metav1.Status
	if json.Unmarshal(body, &st) == nil && st.Kind == "Status" && st.Status != "" {
		if st.Code == 0 {
			st.Code = int32(code)
		}
		return &st
	}
	reason, message := genericReason(code, method)
	out := newStatus(int32(code), reason, message)
	if text := strings.TrimSpace(string(body)); text != "" {
		if code >= 500 && reason == metav1.StatusReasonInternalError {
			out.Message = fmt.Sprintf("an error on the server (%q) has prevented the request from succeeding", truncate(text, 256))
		}
		out.Details = &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: metav1.CauseTypeUnexpectedServerResponse, Message: truncate(text, 1024)}}}
	}
	return out
}

// genericReason maps a bare HTTP code to the reason and message upstream's client reports
// when a server (or a proxy in between) answers without a Status body.
func genericReason(code int, method string) (reason, message string) {
	switch code {
	case http.StatusBadRequest:
		return metav1.StatusReasonBadRequest, "the server rejected our request for an unknown reason"
	case http.StatusUnauthorized:
		return metav1.StatusReasonUnauthorized, "the server has asked for the client to provide credentials"
	case http.StatusForbidden:
		return metav1.StatusReasonForbidden, "the server does not allow access to the requested resource"
	case http.StatusNotFound:
		return metav1.StatusReasonNotFound, "the server could not find the requested resource"
	case http.StatusMethodNotAllowed:
		return metav1.StatusReasonMethodNotAllowed, "the server does not allow this method on the requested resource"
	case http.StatusNotAcceptable:
		return metav1.StatusReasonNotAcceptable, "the server was unable to respond with a content type that the client supports"
	case http.StatusConflict:
		if method == http.MethodPost {
			return metav1.StatusReasonAlreadyExists, "the server reported a conflict"
		}
		return metav1.StatusReasonConflict, "the server reported a conflict"
	case http.StatusGone:
		return metav1.StatusReasonGone, "the server reports the requested resource is gone"
	case http.StatusRequestEntityTooLarge:
		return metav1.StatusReasonRequestEntityTooLarge, "the server has rejected the request because the request entity is too large"
	case http.StatusUnsupportedMediaType:
		return metav1.StatusReasonUnsupportedMediaType, "the server does not support the content type of the request"
	case http.StatusUnprocessableEntity:
		return metav1.StatusReasonInvalid, "the server rejected our request due to an error in our request"
	case http.StatusTooManyRequests:
		return metav1.StatusReasonTooManyRequests, "the server has received too many requests and has asked us to try again later"
	case http.StatusServiceUnavailable:
		return metav1.StatusReasonServiceUnavailable, "the server is currently unable to handle the request"
	case http.StatusGatewayTimeout:
		return metav1.StatusReasonTimeout, "the server was unable to return a response in the time allotted, but may still be processing the request"
	}
	if code >= 500 {
		return metav1.StatusReasonInternalError, "an error on the server has prevented the request from succeeding"
	}
	return metav1.StatusReasonUnknown, fmt.Sprintf("the server responded with the status code %d but did not return more information", code)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

package kubeletproxy

import (
	"fmt"
	"net/http"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
	"github.com/skiff-k8s/skiff/apiserver/handlers"
)

// The Status errors of these subresources, worded as upstream's apiserver words them.

func statusError(code int, reason, message string, details *metav1.StatusDetails) *handlers.StatusError {
	return &handlers.StatusError{Status: metav1.Status{
		TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
		Status:   metav1.StatusFailure,
		Code:     int32(code),
		Reason:   reason,
		Message:  message,
		Details:  details,
	}}
}

func badRequest(format string, args ...any) *handlers.StatusError {
	return statusError(http.StatusBadRequest, metav1.StatusReasonBadRequest, fmt.Sprintf(format, args...), nil)
}

func notFound(resource, name string) *handlers.StatusError {
	return statusError(http.StatusNotFound, metav1.StatusReasonNotFound, fmt.Sprintf("%s %q not found", resource, name),
		&metav1.StatusDetails{Name: name, Kind: resource})
}

// invalid is the 422 of options that fail validation ("PodLogOptions \"web\" is invalid:
// ...").
func invalid(kind, name string, errs validation.ErrorList) *handlers.StatusError {
	return statusError(http.StatusUnprocessableEntity, metav1.StatusReasonInvalid,
		fmt.Sprintf("%s %q is invalid: %s", kind, name, errs.String()),
		&metav1.StatusDetails{Name: name, Kind: kind, Causes: errs.Causes()})
}

// unknownError is what upstream answers for an error that is not an API error (a failed
// connection to the kubelet): a 500 with the error's text and no reason, which kubectl
// prints as "Error from server: <text>".
func unknownError(err error) *handlers.StatusError {
	return statusError(http.StatusInternalServerError, metav1.StatusReasonUnknown, err.Error(), nil)
}

// kubeletResponseError turns a kubelet's failed answer into an API error, as upstream's
// generic response checker does: 400 is a BadRequest with the kubelet's text, 500 an
// InternalError, anything else a generic error naming the subresource.
func kubeletResponseError(code int, body, subresource, name string) *handlers.StatusError {
	switch code {
	case http.StatusBadRequest:
		return statusError(code, metav1.StatusReasonBadRequest, body, nil)
	case http.StatusInternalServerError:
		return statusError(code, metav1.StatusReasonInternalError, "Internal error occurred: "+body,
			&metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: body}}})
	}
	reason, message := metav1.StatusReasonUnknown, fmt.Sprintf("the server responded with the status code %d but did not return more information", code)
	switch code {
	case http.StatusNotFound:
		reason, message = metav1.StatusReasonNotFound, "the server could not find the requested resource"
	case http.StatusUnprocessableEntity:
		reason, message = metav1.StatusReasonInvalid, "the server rejected our request due to an error in our request"
	case http.StatusForbidden:
		reason, message = metav1.StatusReasonForbidden, body
	case http.StatusUnauthorized:
		reason, message = metav1.StatusReasonUnauthorized, "the server has asked for the client to provide credentials"
	case http.StatusServiceUnavailable:
		reason, message = metav1.StatusReasonServiceUnavailable, "the server is currently unable to handle the request"
	case http.StatusTooManyRequests:
		reason, message = metav1.StatusReasonTooManyRequests, "the server has received too many requests and has asked us to try again later"
	default:
		if code >= 500 {
			reason, message = metav1.StatusReasonInternalError, fmt.Sprintf("an error on the server (%q) has prevented the request from succeeding", body)
		}
	}
	message = fmt.Sprintf("%s ( %s %s)", message, subresource, name)
	return statusError(code, reason, message, &metav1.StatusDetails{Name: name, Kind: subresource})
}

func writeStatus(w http.ResponseWriter, err error) { handlers.WriteError(w, err) }

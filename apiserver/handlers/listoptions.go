package handlers

import (
	"net/url"

	"github.com/skiff-k8s/skiff/api/validation"
)

// listOptions are the query parameters of a list or watch (upstream's ListOptions).
type listOptions struct {
	resourceVersion      string
	resourceVersionMatch string
	limit                int64
	continueToken        string
	watch                bool
	allowWatchBookmarks  bool
	// sendInitialEvents is nil when not given; a legacy watch (resourceVersion unset or
	// "0") defaults it to true, as upstream does since watch-list is on by default.
	sendInitialEvents *bool
	timeoutSeconds    *int64
}

const (
	matchExact        = "Exact"
	matchNotOlderThan = "NotOlderThan"
)

// parseListOptions reads and validates the list options with upstream's rules and
// messages (422 "ListOptions.meta.k8s.io "" is invalid: ...").
func parseListOptions(q url.Values) (listOptions, error) {
	var o listOptions
	o.resourceVersion = q.Get("resourceVersion")
	o.resourceVersionMatch = q.Get("resourceVersionMatch")
	o.continueToken = q.Get("continue")
	limit, err := int64Param(q, "limit")
	if err != nil {
		return o, err
	}
	if limit != nil && *limit > 0 {
		o.limit = *limit
	}
	watch, err := boolParam(q, "watch")
	if err != nil {
		return o, err
	}
	o.watch = watch != nil && *watch
	bookmarks, err := boolParam(q, "allowWatchBookmarks")
	if err != nil {
		return o, err
	}
	o.allowWatchBookmarks = bookmarks != nil && *bookmarks
	if o.sendInitialEvents, err = boolParam(q, "sendInitialEvents"); err != nil {
		return o, err
	}
	if o.timeoutSeconds, err = int64Param(q, "timeoutSeconds"); err != nil {
		return o, err
	}
	if o.resourceVersion != "" && o.resourceVersion != "0" {
		if _, err := parseResourceVersion(o.resourceVersion); err != nil {
			return o, err
		}
	}

	// Watch-list defaulting: a watch that would start with the current state anyway gets
	// it as a watch-list, ending in the initial-events bookmark when bookmarks are allowed.
	if o.watch && o.sendInitialEvents == nil && o.resourceVersionMatch == "" &&
		(o.resourceVersion == "" || o.resourceVersion == "0") {
		t := true
		o.sendInitialEvents = &t
		o.resourceVersionMatch = matchNotOlderThan
	}

	var errs validation.ErrorList
	match := validation.NewPath("resourceVersionMatch")
	if o.watch {
		if o.sendInitialEvents != nil && o.resourceVersionMatch != matchNotOlderThan {
			errs = append(errs, validation.Forbidden(match, "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
		}
		if o.resourceVersionMatch != "" {
			if o.sendInitialEvents == nil {
				errs = append(errs, validation.Forbidden(match, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
			}
			if o.resourceVersionMatch != matchNotOlderThan {
				errs = append(errs, validation.NotSupported(match, o.resourceVersionMatch, []string{matchNotOlderThan}))
			}
			if o.continueToken != "" {
				errs = append(errs, validation.Forbidden(match, "resourceVersionMatch is forbidden when continue is provided"))
			}
		}
	} else {
		if m := o.resourceVersionMatch; m != "" {
			if o.resourceVersion == "" {
				errs = append(errs, validation.Forbidden(match, "resourceVersionMatch is forbidden unless resourceVersion is provided"))
			}
			if o.continueToken != "" {
				errs = append(errs, validation.Forbidden(match, "resourceVersionMatch is forbidden when continue is provided"))
			}
			if m != matchExact && m != matchNotOlderThan {
				errs = append(errs, validation.NotSupported(match, m, []string{matchExact, matchNotOlderThan, ""}))
			}
			if m == matchExact && o.resourceVersion == "0" {
				errs = append(errs, validation.Forbidden(match, `resourceVersionMatch "exact" is forbidden for resourceVersion "0"`))
			}
		}
		if o.sendInitialEvents != nil {
			errs = append(errs, validation.Forbidden(validation.NewPath("sendInitialEvents"), "sendInitialEvents is forbidden for list"))
		}
	}
	if len(errs) > 0 {
		return o, errInvalid(groupKind{"meta.k8s.io", "ListOptions"}, "", errs)
	}
	if o.continueToken != "" && o.resourceVersion != "" && o.resourceVersion != "0" {
		return o, errBadRequest("specifying resource version is not allowed when using continue")
	}
	return o, nil
}

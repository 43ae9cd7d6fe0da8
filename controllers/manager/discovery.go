package manager

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client/rest"
)

// GroupDiscoveryFailedError says that some group versions could not be discovered; the
// others were. Its message reads like client-go's ErrGroupDiscoveryFailed.
type GroupDiscoveryFailedError struct {
	// Groups maps "group/version" to why it failed.
	Groups map[string]error
}

func (e *GroupDiscoveryFailedError) Error() string {
	var parts []string
	for gv, err := range e.Groups {
		parts = append(parts, fmt.Sprintf("%s: %v", gv, err))
	}
	slices.Sort(parts)
	return "unable to retrieve the complete list of server APIs: " + strings.Join(parts, ", ")
}

// FailedGroups is how many group versions failed (the namespace controller reports it).
func (e *GroupDiscoveryFailedError) FailedGroups() int { return len(e.Groups) }

// ServerPreferredResources reads the discovery documents (/api, /api/v1, /apis and
// /apis/<group>/<version>) and returns the resource list of each group's preferred
// version, core group first. Controllers that act on every kind (the garbage collector,
// the namespace controller) learn what the server serves from it instead of hard-coding
// kinds. When some group versions fail, the others are returned with a
// *GroupDiscoveryFailedError.
func ServerPreferredResources(ctx context.Context, r rest.Interface) ([]metav1.APIResourceList, error) {
	var core metav1.APIVersions
	if err := getDocument(ctx, r, "/api", &core); err != nil {
		return nil, fmt.Errorf("discover the core group: %w", err)
	}
	var groups metav1.APIGroupList
	if err := getDocument(ctx, r, "/apis", &groups); err != nil {
		return nil, fmt.Errorf("discover API groups: %w", err)
	}
	var paths, gvs []string
	if len(core.Versions) > 0 {
		paths, gvs = append(paths, "/api/"+core.Versions[0]), append(gvs, core.Versions[0])
	}
	for _, g := range groups.Groups {
		gv := g.PreferredVersion.GroupVersion
		if gv == "" && len(g.Versions) > 0 {
			gv = g.Versions[0].GroupVersion
		}
		if gv != "" {
			paths, gvs = append(paths, "/apis/"+gv), append(gvs, gv)
		}
	}
	var out []metav1.APIResourceList
	failed := map[string]error{}
	for i, path := range paths {
		var l metav1.APIResourceList
		if err := getDocument(ctx, r, path, &l); err != nil {
			failed[gvs[i]] = err
			continue
		}
		if l.GroupVersion == "" {
			l.GroupVersion = gvs[i]
		}
		out = append(out, l)
	}
	if len(failed) > 0 {
		return out, &GroupDiscoveryFailedError{Groups: failed}
	}
	return out, nil
}

func getDocument(ctx context.Context, r rest.Interface, path string, into any) error {
	body, err := r.Do(ctx, &rest.Request{Verb: rest.VerbGet, AbsPath: path})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	return nil
}

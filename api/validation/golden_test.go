package validation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	coordinationv1 "github.com/skiff-k8s/skiff/api/coordination/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

// goldenCase is one file of testdata/cases: an object (or an update from oldStored to
// newSent) and the errors upstream's kube-apiserver v1.37 answered for it, as "field: message"
// lines in order. The cases were recorded against a real apiserver with dry-run requests, so
// the objects are complete (defaults applied) and the messages are upstream's exact words.
type goldenCase struct {
	Description string          `json:"description"`
	Subresource string          `json:"subresource"`
	Object      json.RawMessage `json:"object"`
	OldStored   json.RawMessage `json:"oldStored"`
	NewSent     json.RawMessage `json:"newSent"`
	Status      int             `json:"status"`
	Want        []string        `json:"want"`
	// Unordered marks cases whose upstream order came from walking a Go map (random).
	Unordered bool `json:"unordered"`
}

func TestGoldenCases(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c goldenCase
			if err := yaml.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			if c.Status == 0 {
				t.Fatal("case not recorded against upstream yet")
			}
			got := runGoldenCase(t, &c)
			// Upstream answers a bad pods/binding with a 500 whose message is the aggregate.
			if c.Status == 500 && len(c.Want) == 1 && strings.HasPrefix(c.Want[0], "<> ") {
				if want := strings.TrimPrefix(c.Want[0], "<> "); got.String() != want {
					t.Errorf("%s\n got: %s\nwant: %s", c.Description, got.String(), want)
				}
				return
			}
			if c.Status != 422 && c.Status >= 300 {
				t.Skipf("upstream refused this before validation (%d): %v", c.Status, c.Want)
			}
			compareGolden(t, c.Description, got, c.Want, c.Unordered)
		})
	}
}

// runGoldenCase decodes the case's objects into Skiff's types and calls the validation the
// apiserver would call for that kind and operation.
func runGoldenCase(t *testing.T, c *goldenCase) ErrorList {
	doc := c.Object
	if c.NewSent != nil {
		doc = c.NewSent
	}
	var tm struct{ Kind string }
	if err := json.Unmarshal(doc, &tm); err != nil {
		t.Fatal(err)
	}
	switch tm.Kind {
	case "Pod":
		return dispatch(t, c, ValidatePod, ValidatePodUpdate, ValidatePodStatusUpdate)
	case "Service":
		return dispatch(t, c, ValidateService, ValidateServiceUpdate, ValidateServiceStatusUpdate)
	case "Namespace":
		if c.Subresource == "finalize" {
			return dispatch(t, c, ValidateNamespace, ValidateNamespaceFinalizeUpdate, nil)
		}
		return dispatch(t, c, ValidateNamespace, ValidateNamespaceUpdate, ValidateNamespaceStatusUpdate)
	case "Node":
		return dispatch(t, c, ValidateNode, ValidateNodeUpdate, ValidateNodeStatusUpdate)
	case "ConfigMap":
		return dispatch(t, c, ValidateConfigMap, ValidateConfigMapUpdate, nil)
	case "Secret":
		return dispatch(t, c, ValidateSecret, ValidateSecretUpdate, nil)
	case "ServiceAccount":
		return dispatch(t, c, ValidateServiceAccount, ValidateServiceAccountUpdate, nil)
	case "Endpoints":
		return dispatch(t, c, ValidateEndpoints, ValidateEndpointsUpdate, nil)
	case "Event":
		return dispatch(t, c, ValidateEvent, ValidateEventUpdate, nil)
	case "Binding":
		return dispatch(t, c, ValidateBinding, nil, nil)
	case "ReplicaSet":
		return dispatch(t, c, ValidateReplicaSet, ValidateReplicaSetUpdate, ValidateReplicaSetStatusUpdate)
	case "Deployment":
		return dispatch(t, c, ValidateDeployment, ValidateDeploymentUpdate, ValidateDeploymentStatusUpdate)
	case "HorizontalPodAutoscaler":
		return dispatch(t, c, ValidateHorizontalPodAutoscaler, ValidateHorizontalPodAutoscalerUpdate, ValidateHorizontalPodAutoscalerStatusUpdate)
	case "Scale":
		scaleUpdate := func(n, _ *autoscalingv1.Scale) ErrorList { return ValidateScale(n) }
		return dispatch(t, c, ValidateScale, scaleUpdate, scaleUpdate)
	case "Lease":
		return dispatch(t, c, ValidateLease, ValidateLeaseUpdate, nil)
	}
	t.Fatalf("no validation for kind %q", tm.Kind)
	return nil
}

// dispatch decodes into T and runs the create, update or status-update check.
func dispatch[T any](t *testing.T, c *goldenCase, create func(*T) ErrorList, update, status func(*T, *T) ErrorList) ErrorList {
	t.Helper()
	decode := func(raw json.RawMessage) *T {
		obj := new(T)
		if err := json.Unmarshal(raw, obj); err != nil {
			t.Fatalf("decode: %v", err)
		}
		return obj
	}
	switch {
	case c.NewSent == nil:
		return create(decode(c.Object))
	case c.Subresource == "status" || c.Subresource == "scale":
		return status(decode(c.NewSent), decode(c.OldStored))
	default:
		return update(decode(c.NewSent), decode(c.OldStored))
	}
}

// compareGolden compares errors in order. Upstream appends a diff of its internal types to a
// refused pod update; only the first line of such multi-line messages is compared.
func compareGolden(t *testing.T, desc string, got ErrorList, want []string, unordered bool) {
	t.Helper()
	firstLine := func(s string) string { return strings.SplitN(s, "\n", 2)[0] }
	g := make([]string, len(got))
	for i, e := range got {
		g[i] = firstLine(e.Error())
	}
	w := make([]string, len(want))
	for i := range want {
		w[i] = firstLine(want[i])
	}
	if unordered {
		sort.Strings(g)
		sort.Strings(w)
	}
	if strings.Join(g, "\n") == strings.Join(w, "\n") {
		return
	}
	t.Errorf("%s\n got (%d):\n  %s\nwant (%d):\n  %s", desc, len(g), strings.Join(g, "\n  "), len(w), strings.Join(w, "\n  "))
}

// Keep the imports honest while some kinds have no cases yet.
var (
	_ = appsv1.Deployment{}
	_ = autoscalingv1.Scale{}
	_ = autoscalingv2.HorizontalPodAutoscaler{}
	_ = coordinationv1.Lease{}
	_ = corev1.Pod{}
)

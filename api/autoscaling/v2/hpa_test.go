package v2

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

func TestRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.upstream.json")
	files = append(files, "testdata/roundtrip.yaml")
	for i, f := range files {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			doc := apitest.ReadJSON(t, f)
			var hpa HorizontalPodAutoscaler
			apitest.DecodeStrict(t, doc, &hpa)
			apitest.AssertJSONEqual(t, doc, apitest.Marshal(t, &hpa))
		})
	}
}

// The expected outputs were produced by an upstream v1.37 apiserver from the .in.yaml files
// (kubectl create -o json; uid, timestamps, resourceVersion, generation and managedFields
// removed).
func TestDefaultsMatchUpstream(t *testing.T) {
	for _, name := range []string{"hpa-defaults", "hpa-minimal"} {
		t.Run(name, func(t *testing.T) {
			var hpa HorizontalPodAutoscaler
			apitest.DecodeStrict(t, apitest.ReadJSON(t, "testdata/"+name+".in.yaml"), &hpa)
			DefaultHorizontalPodAutoscaler(&hpa)
			apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/"+name+".upstream.json"), apitest.Marshal(t, &hpa))
		})
	}
}

func TestDefaultsDoNotShareRules(t *testing.T) {
	a := HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{Behavior: &HorizontalPodAutoscalerBehavior{}}}
	b := HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{Behavior: &HorizontalPodAutoscalerBehavior{}}}
	DefaultHorizontalPodAutoscaler(&a)
	DefaultHorizontalPodAutoscaler(&b)
	a.Spec.Behavior.ScaleUp.Policies[0].Value = 99
	*a.Spec.Behavior.ScaleDown.SelectPolicy = MinChangePolicySelect
	if b.Spec.Behavior.ScaleUp.Policies[0].Value != 4 || *b.Spec.Behavior.ScaleDown.SelectPolicy != MaxChangePolicySelect {
		t.Error("defaulted behaviors share memory")
	}
	if b.Spec.Behavior.ScaleDown.StabilizationWindowSeconds != nil {
		t.Error("scale-down stabilization window must stay unset (the controller flag applies)")
	}
}

func TestEveryStructHasDeepCopy(t *testing.T) { apitest.AssertEveryStructHasDeepCopy(t, ".") }

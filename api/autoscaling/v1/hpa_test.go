package v1

import (
	"testing"

	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

// The *.upstream.json files come from an upstream v1.37 apiserver:
//   - hpa-stored-v2 / hpa-as-v1: the same autoscaler (created as v2 from
//     ../../v2/testdata/hpa-defaults.in.yaml) read as autoscaling/v2 and as autoscaling/v1;
//   - hpa-v1-write.in.json was created through autoscaling/v1; the create response is
//     hpa-v1-write.response, and reading it back as v2 gives hpa-v1-write.stored-v2.

func TestFromV2MatchesUpstream(t *testing.T) {
	var stored autoscalingv2.HorizontalPodAutoscaler
	apitest.DecodeStrict(t, apitest.ReadJSON(t, "testdata/hpa-stored-v2.upstream.json"), &stored)
	v1, err := FromV2(&stored)
	if err != nil {
		t.Fatal(err)
	}
	// The annotations are compared as strings, so their JSON must match byte for byte.
	apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/hpa-as-v1.upstream.json"), apitest.Marshal(t, v1))
}

func TestV1WriteMatchesUpstream(t *testing.T) {
	var in HorizontalPodAutoscaler
	apitest.DecodeStrict(t, apitest.ReadJSON(t, "testdata/hpa-v1-write.in.json"), &in)
	DefaultHorizontalPodAutoscaler(&in)
	v2, err := ToV2(&in)
	if err != nil {
		t.Fatal(err)
	}
	// Reading from storage applies the v2 defaults.
	autoscalingv2.DefaultHorizontalPodAutoscaler(v2)

	got := apitest.Generic(t, apitest.Marshal(t, v2))
	apitest.Delete(got, "status")
	apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/hpa-v1-write.stored-v2.upstream.json"), apitest.Marshal(t, got))

	back, err := FromV2(v2)
	if err != nil {
		t.Fatal(err)
	}
	apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/hpa-v1-write.response.upstream.json"), apitest.Marshal(t, back))
}

// TestV2SurvivesV1RoundTrip: reading a v2 autoscaler as v1 and writing that back loses
// nothing but metric order (the CPU target moves last, as upstream).
func TestV2SurvivesV1RoundTrip(t *testing.T) {
	var orig autoscalingv2.HorizontalPodAutoscaler
	apitest.DecodeStrict(t, apitest.ReadJSON(t, "../v2/testdata/roundtrip.yaml"), &orig)
	v1, err := FromV2(&orig)
	if err != nil {
		t.Fatal(err)
	}
	if v1.Spec.TargetCPUUtilizationPercentage == nil || *v1.Spec.TargetCPUUtilizationPercentage != 50 ||
		v1.Status.CurrentCPUUtilizationPercentage == nil || *v1.Status.CurrentCPUUtilizationPercentage != 62 {
		t.Fatalf("cpu fields: %+v %+v", v1.Spec, v1.Status)
	}
	back, err := ToV2(v1)
	if err != nil {
		t.Fatal(err)
	}
	want := orig.DeepCopy()
	want.Spec.Metrics = append(want.Spec.Metrics[1:], want.Spec.Metrics[0])
	apitest.AssertJSONEqual(t, apitest.Marshal(t, want), apitest.Marshal(t, back))
}

func TestToV2WithoutMetricsDefaultsCPU(t *testing.T) {
	v2, err := ToV2(&HorizontalPodAutoscaler{Spec: HorizontalPodAutoscalerSpec{MaxReplicas: 3}})
	if err != nil {
		t.Fatal(err)
	}
	m := v2.Spec.Metrics
	if len(m) != 1 || m[0].Resource == nil || *m[0].Resource.Target.AverageUtilization != 80 {
		t.Fatalf("metrics %+v", m)
	}
	back, _ := FromV2(v2)
	if *back.Spec.TargetCPUUtilizationPercentage != 80 || back.Annotations != nil {
		t.Fatalf("v1 %+v", back)
	}
}

func TestUnparsableAnnotationsAreIgnoredAndDropped(t *testing.T) {
	in := HorizontalPodAutoscaler{}
	in.Annotations = map[string]string{
		MetricSpecsAnnotation:      "not json",
		BehaviorSpecsAnnotation:    "{}",
		ToleranceScaleUpAnnotation: "1",
		"keep":                     "me",
	}
	v2, err := ToV2(&in)
	if err != nil {
		t.Fatal(err)
	}
	if len(v2.Annotations) != 1 || v2.Annotations["keep"] != "me" || v2.Spec.Behavior != nil {
		t.Fatalf("%+v", v2.ObjectMeta)
	}
	if len(in.Annotations) != 4 {
		t.Fatal("ToV2 modified its input")
	}
}

func TestEveryStructHasDeepCopy(t *testing.T) { apitest.AssertEveryStructHasDeepCopy(t, ".") }

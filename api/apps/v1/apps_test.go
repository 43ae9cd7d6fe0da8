package v1

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/skiff-k8s/skiff/api/internal/apitest"
)

func decodeKind(t *testing.T, data []byte) any {
	t.Helper()
	var tm struct{ Kind string }
	_ = json.Unmarshal(data, &tm)
	var obj any
	switch tm.Kind {
	case "Deployment":
		obj = &Deployment{}
	case "ReplicaSet":
		obj = &ReplicaSet{}
	default:
		t.Fatalf("unexpected kind %q", tm.Kind)
	}
	apitest.DecodeStrict(t, data, obj)
	return obj
}

func TestRoundTrip(t *testing.T) {
	docs := apitest.Items(t, apitest.ReadJSON(t, "testdata/roundtrip.yaml"))
	upstream, _ := filepath.Glob("testdata/*.upstream.json")
	for _, f := range upstream {
		docs = append(docs, apitest.ReadJSON(t, f))
	}
	for i, doc := range docs {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			apitest.AssertJSONEqual(t, doc, apitest.Marshal(t, decodeKind(t, doc)))
		})
	}
}

// The expected outputs were produced by an upstream v1.37 apiserver with
// kubectl create --dry-run=server -o json -f testdata/<name>.in.yaml (uid, timestamps,
// resourceVersion, generation and managedFields removed).
func TestDefaultsMatchUpstream(t *testing.T) {
	for _, name := range []string{"deployment-defaults", "replicaset-defaults"} {
		t.Run(name, func(t *testing.T) {
			obj := decodeKind(t, apitest.ReadJSON(t, "testdata/"+name+".in.yaml"))
			switch o := obj.(type) {
			case *Deployment:
				DefaultDeployment(o)
			case *ReplicaSet:
				DefaultReplicaSet(o)
			}
			apitest.AssertJSONEqual(t, apitest.ReadJSON(t, "testdata/"+name+".upstream.json"), apitest.Marshal(t, obj))
		})
	}
}

func TestRecreateGetsNoRollingUpdate(t *testing.T) {
	d := Deployment{Spec: DeploymentSpec{Strategy: DeploymentStrategy{Type: RecreateDeploymentStrategyType}}}
	DefaultDeployment(&d)
	if d.Spec.Strategy.RollingUpdate != nil || *d.Spec.Replicas != 1 {
		t.Errorf("%+v", d.Spec)
	}
	d = Deployment{Spec: DeploymentSpec{Strategy: DeploymentStrategy{RollingUpdate: &RollingUpdateDeployment{}}}}
	DefaultDeployment(&d)
	ru := d.Spec.Strategy.RollingUpdate
	if d.Spec.Strategy.Type != RollingUpdateDeploymentStrategyType || ru.MaxSurge.String() != "25%" || ru.MaxUnavailable.String() != "25%" {
		t.Errorf("%+v", d.Spec.Strategy)
	}
}

func TestEveryStructHasDeepCopy(t *testing.T) { apitest.AssertEveryStructHasDeepCopy(t, ".") }

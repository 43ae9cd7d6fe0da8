package validation

import (
	"strings"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/names"
)

// messages renders an ErrorList as one line per error, the form tests compare against.
func messages(errs ErrorList) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}

// expectErrors fails the test unless errs are exactly want (in order). An entry of want
// ending in "..." matches any message starting with the rest.
func expectErrors(t *testing.T, errs ErrorList, want ...string) {
	t.Helper()
	got := messages(errs)
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n got: %s\nwant: %s", len(got), len(want), strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
	for i := range want {
		if w, prefix := strings.CutSuffix(want[i], "..."); prefix {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("error %d:\n got: %s\nwant: %s...", i, got[i], w)
			}
			continue
		}
		if got[i] != want[i] {
			t.Errorf("error %d:\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}

func ptr[T any](v T) *T { return &v }

const dnsSubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

func TestValidateObjectMeta(t *testing.T) {
	good := func() metav1.ObjectMeta { return metav1.ObjectMeta{Name: "web", Namespace: "default"} }
	tests := []struct {
		name       string
		meta       func() metav1.ObjectMeta
		namespaced bool
		nameFn     NameFunc
		want       []string
	}{
		{"valid", good, true, names.NameIsDNSSubdomain, nil},
		{"generateName only", func() metav1.ObjectMeta { return metav1.ObjectMeta{GenerateName: "web-", Namespace: "default"} }, true, names.NameIsDNSSubdomain, nil},
		{"no name", func() metav1.ObjectMeta { return metav1.ObjectMeta{Namespace: "default"} }, true, names.NameIsDNSSubdomain,
			[]string{"metadata.name: Required value: name or generateName is required"}},
		{"bad name", func() metav1.ObjectMeta { m := good(); m.Name = "Web_1"; return m }, true, names.NameIsDNSSubdomain,
			[]string{`metadata.name: Invalid value: "Web_1": ` + dnsSubdomainMsg}},
		{"bad generateName", func() metav1.ObjectMeta { m := good(); m.GenerateName = "Ab-"; return m }, true, names.NameIsDNSSubdomain,
			[]string{`metadata.generateName: Invalid value: "Ab-": ` + dnsSubdomainMsg}},
		{"namespace required", func() metav1.ObjectMeta { m := good(); m.Namespace = ""; return m }, true, names.NameIsDNSSubdomain,
			[]string{"metadata.namespace: Required value"}},
		{"namespace forbidden", good, false, names.NameIsDNSSubdomain,
			[]string{"metadata.namespace: Forbidden: not allowed on this type"}},
		{"negative generation", func() metav1.ObjectMeta { m := good(); m.Generation = -1; return m }, true, names.NameIsDNSSubdomain,
			[]string{"metadata.generation: Invalid value: -1: must be greater than or equal to 0"}},
		{"bad label key and value", func() metav1.ObjectMeta {
			m := good()
			m.Labels = map[string]string{"a/b/c": "ok", "k": "-bad"}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.labels: Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters...`,
			`metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')...`,
		}},
		{"annotation key upper case allowed", func() metav1.ObjectMeta {
			m := good()
			m.Annotations = map[string]string{"Example.com/Key": "v"}
			return m
		}, true, names.NameIsDNSSubdomain, nil},
		{"annotations too big", func() metav1.ObjectMeta {
			m := good()
			m.Annotations = map[string]string{"big": strings.Repeat("x", TotalAnnotationSizeLimit)}
			return m
		}, true, names.NameIsDNSSubdomain, []string{"metadata.annotations: Too long: may not be more than 262144 bytes"}},
		{"owner reference fields", func() metav1.ObjectMeta {
			m := good()
			m.OwnerReferences = []metav1.OwnerReference{{APIVersion: "a/b/c"}}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.ownerReferences[0].apiVersion: Invalid value: "a/b/c": must be <group>/<version> or <version>`,
			"metadata.ownerReferences[0].kind: Required value: must not be empty",
			"metadata.ownerReferences[0].name: Required value: must not be empty",
			"metadata.ownerReferences[0].uid: Required value: must not be empty",
		}},
		{"two controllers", func() metav1.ObjectMeta {
			m := good()
			m.OwnerReferences = []metav1.OwnerReference{
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "a", UID: "1", Controller: ptr(true)},
				{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: "b", UID: "2", Controller: ptr(true)},
			}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.ownerReferences: Invalid value: [{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b`,
		}},
		{"event owner", func() metav1.ObjectMeta {
			m := good()
			m.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Event", Name: "e", UID: "1"}}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.ownerReferences[0]: Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"1"}: /v1, Kind=Event is disallowed from being an owner`,
		}},
		{"finalizers", func() metav1.ObjectMeta {
			m := good()
			m.Finalizers = []string{"orphan", "foregroundDeletion", "bad name"}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.finalizers: Invalid value: "bad name": name part must consist of alphanumeric characters...`,
			`metadata.finalizers: Invalid value: ["orphan","foregroundDeletion","bad name"]: finalizer orphan and foregroundDeletion cannot be both set`,
			`metadata.finalizers[2]: Invalid value: "bad name": name is neither a standard finalizer name nor is it fully qualified`,
		}},
		{"managed fields", func() metav1.ObjectMeta {
			m := good()
			m.ManagedFields = []metav1.ManagedFieldsEntry{{Operation: "Patch", FieldsType: "FieldsV2"}, {}}
			return m
		}, true, names.NameIsDNSSubdomain, []string{
			`metadata.managedFields[0].operation: Unsupported value: "Patch": supported values: "Apply", "Update"`,
			"metadata.managedFields[0].fieldsType: Invalid value: \"FieldsV2\": must be `FieldsV1`",
			"metadata.managedFields[1].operation: Required value: must not be empty",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.meta()
			expectErrors(t, ValidateObjectMeta(&m, tt.namespaced, tt.nameFn, NewPath("metadata")), tt.want...)
		})
	}
}

func TestValidateObjectMetaUpdate(t *testing.T) {
	created := metav1.NewTime(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	old := func() metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: "web", Namespace: "default", UID: "u1", ResourceVersion: "5", Generation: 2, CreationTimestamp: created}
	}
	tests := []struct {
		name   string
		mutate func(newM, oldM *metav1.ObjectMeta)
		want   []string
	}{
		{"unchanged", func(n, o *metav1.ObjectMeta) {}, nil},
		{"labels may change", func(n, o *metav1.ObjectMeta) { n.Labels = map[string]string{"a": "b"} }, nil},
		{"name", func(n, o *metav1.ObjectMeta) { n.Name = "other" },
			[]string{`metadata.name: Invalid value: "other": field is immutable`}},
		{"namespace and uid", func(n, o *metav1.ObjectMeta) { n.Namespace = "kube-system"; n.UID = "u2" }, []string{
			`metadata.namespace: Invalid value: "kube-system": field is immutable`,
			`metadata.uid: Invalid value: "u2": field is immutable`,
		}},
		{"creationTimestamp", func(n, o *metav1.ObjectMeta) { n.CreationTimestamp = metav1.NewTime(created.Add(time.Hour)) },
			[]string{`metadata.creationTimestamp: Invalid value: "2024-01-02T04:04:05Z": field is immutable`}},
		{"resourceVersion missing", func(n, o *metav1.ObjectMeta) { n.ResourceVersion = "" },
			[]string{`metadata.resourceVersion: Invalid value: "": must be specified for an update`}},
		{"generation decremented", func(n, o *metav1.ObjectMeta) { n.Generation = 1 },
			[]string{"metadata.generation: Invalid value: 1: must not be decremented"}},
		{"finalizer added while deleting", func(n, o *metav1.ObjectMeta) {
			o.DeletionTimestamp = &created
			n.DeletionTimestamp = &created
			n.Finalizers = []string{"example.com/b", "example.com/a"}
		}, []string{`metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/a", "example.com/b"}`}},
		{"deletionGracePeriodSeconds", func(n, o *metav1.ObjectMeta) { n.DeletionGracePeriodSeconds = ptr(int64(30)) },
			[]string{"metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, o := old(), old()
			tt.mutate(&n, &o)
			expectErrors(t, ValidateObjectMetaUpdate(&n, &o, NewPath("metadata")), tt.want...)
		})
	}
}

func TestFieldErrorRendering(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{Required(NewPath("spec", "containers"), ""), "spec.containers: Required value"},
		{Invalid(NewPath("spec").Child("replicas"), int32(-1), isNegativeMsg), "spec.replicas: Invalid value: -1: must be greater than or equal to 0"},
		{Invalid(NewPath("spec", "x"), ptr(int32(3)), "d"), "spec.x: Invalid value: 3: d"},
		{Invalid(NewPath("spec", "x"), (*int32)(nil), "d"), "spec.x: Invalid value: null: d"},
		{Invalid(NewPath("spec", "x"), map[string]string{"a": "b"}, "d"), `spec.x: Invalid value: {"a":"b"}: d`},
		{NotSupported(NewPath("spec", "restartPolicy"), "Sometimes", []string{"Always", "Never"}),
			`spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "Never"`},
		{Duplicate(NewPath("spec").Child("containers").Index(1).Child("name"), "a"), `spec.containers[1].name: Duplicate value: "a"`},
		{NotFound(NewPath("spec").Child("volumes").Key("k"), "v"), `spec.volumes[k]: Not found: "v"`},
		{Forbidden(NewPath("spec"), "no"), "spec: Forbidden: no"},
		{TooLong(NewPath("data"), "", 1), "data: Too long: may not be more than 1 byte"},
		{TooMany(NewPath("items"), 5, 4), "items: Too many: 5: must have at most 4 items"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
	list := ErrorList{Required(NewPath("a"), ""), Required(NewPath("a"), ""), Required(NewPath("b"), "")}
	if got, want := list.String(), "[a: Required value, b: Required value]"; got != want {
		t.Errorf("aggregate: got %s, want %s", got, want)
	}
}

func TestAllocationErrors(t *testing.T) {
	expectErrors(t, ErrorList{
		NodePortOutOfRange(0, 80, 30000, 32767),
		NodePortAllocated(1, 30080),
		ClusterIPOutOfRange([]string{"10.99.0.5"}, "10.99.0.5", "10.0.0.0/24"),
	},
		"spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
		"spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated",
		`spec.clusterIPs: Invalid value: ["10.99.0.5"]: failed to allocate IP 10.99.0.5: the provided IP (10.99.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24`)
}

package protobuf

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// Test types carry upstream's tags for the fields the fixtures use.
type testMeta struct {
	Name              string            `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`
	Namespace         string            `json:"namespace,omitempty" protobuf:"bytes,3,opt,name=namespace"`
	CreationTimestamp metav1.Time       `json:"creationTimestamp" protobuf:"bytes,8,opt,name=creationTimestamp"`
	Labels            map[string]string `json:"labels,omitempty" protobuf:"bytes,11,rep,name=labels"`
}

type testConfigMap struct {
	metav1.TypeMeta `json:",inline"`
	Meta            testMeta          `json:"metadata" protobuf:"bytes,1,opt,name=metadata"`
	Data            map[string]string `json:"data,omitempty" protobuf:"bytes,2,rep,name=data"`
	BinaryData      map[string][]byte `json:"binaryData,omitempty" protobuf:"bytes,3,rep,name=binaryData"`
	Immutable       *bool             `json:"immutable,omitempty" protobuf:"varint,4,opt,name=immutable"`
}

func TestKubectlConfigMap(t *testing.T) {
	body, err := os.ReadFile("testdata/kubectl-configmap.bin")
	if err != nil {
		t.Fatal(err)
	}
	env, err := DecodeEnvelope(body)
	if err != nil {
		t.Fatal(err)
	}
	if env.APIVersion != "v1" || env.Kind != "ConfigMap" {
		t.Fatalf("envelope %+v", env)
	}
	var cm testConfigMap
	if err := Unmarshal(env.Raw, &cm); err != nil {
		t.Fatal(err)
	}
	if cm.Meta.Name != "cm1" || cm.Data["a"] != "b" || !cm.Meta.CreationTimestamp.IsZero() {
		t.Fatalf("decoded %+v", cm)
	}
}

// Every kubectl fixture has a well-formed envelope; TestKubectlBodiesDecode reads their objects
// into Skiff's real types.
func TestKubectlFixturesParse(t *testing.T) {
	for _, f := range []string{"deployment", "service", "secret", "namespace"} {
		body, err := os.ReadFile("testdata/kubectl-" + f + ".bin")
		if err != nil {
			t.Fatal(err)
		}
		env, err := DecodeEnvelope(body)
		if err != nil || !strings.EqualFold(env.Kind, f) || len(env.Raw) == 0 {
			t.Fatalf("%s: %+v %v", f, env, err)
		}
	}
}

// enc builds protobuf messages for the tests.
type enc []byte

func (e enc) key(num, wt int) enc { return binary.AppendUvarint(e, uint64(num<<3|wt)) }
func (e enc) varint(num int, v uint64) enc {
	return binary.AppendUvarint(e.key(num, wireVarint), v)
}
func (e enc) bytes(num int, b []byte) enc {
	e = binary.AppendUvarint(e.key(num, wireBytes), uint64(len(b)))
	return append(e, b...)
}
func (e enc) str(num int, s string) enc { return e.bytes(num, []byte(s)) }
func (e enc) fixed64(num int, v uint64) enc {
	return binary.LittleEndian.AppendUint64(e.key(num, wireFixed64), v)
}

type testSpecials struct {
	When     metav1.Time                  `json:"when" protobuf:"bytes,1,opt,name=when"`
	Micro    metav1.MicroTime             `json:"micro" protobuf:"bytes,2,opt,name=micro"`
	Every    metav1.Duration              `json:"every" protobuf:"bytes,3,opt,name=every"`
	CPU      resource.Quantity            `json:"cpu" protobuf:"bytes,4,opt,name=cpu"`
	Port     intstr.IntOrString           `json:"port" protobuf:"bytes,5,opt,name=port"`
	Name     intstr.IntOrString           `json:"name" protobuf:"bytes,6,opt,name=name"`
	Raw      json.RawMessage              `json:"raw,omitempty" protobuf:"bytes,7,opt,name=raw"`
	Nums     []int32                      `json:"nums" protobuf:"varint,8,rep,name=nums"`
	Negative int32                        `json:"negative" protobuf:"varint,9,opt,name=negative"`
	Ratio    float64                      `json:"ratio" protobuf:"fixed64,10,opt,name=ratio"`
	Limits   map[string]resource.Quantity `json:"limits" protobuf:"bytes,11,rep,name=limits"`
	Items    []testMeta                   `json:"items" protobuf:"bytes,12,rep,name=items"`
	Replicas *int32                       `json:"replicas" protobuf:"varint,13,opt,name=replicas"`
}

func TestSpecialTypes(t *testing.T) {
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	msg := enc{}.
		bytes(1, enc{}.varint(1, uint64(ts.Unix()))).
		bytes(2, enc{}.varint(1, uint64(ts.Unix())).varint(2, 123000)).
		bytes(3, enc{}.varint(1, uint64(90*time.Second))).
		bytes(4, enc{}.str(1, "250m")).
		bytes(5, enc{}.varint(1, 0).varint(2, 8080)).
		bytes(6, enc{}.varint(1, 1).str(3, "http")).
		bytes(7, enc{}.bytes(1, []byte(`{"a":1}`))).
		varint(8, 1).varint(8, 2).
		bytes(8, binary.AppendUvarint(binary.AppendUvarint(nil, 3), 4)). // packed
		varint(9, negFive()).
		fixed64(10, math.Float64bits(0.5)).
		bytes(11, enc{}.str(1, "memory").bytes(2, enc{}.str(1, "1Gi"))).
		bytes(12, enc{}.str(1, "x")).bytes(12, enc{}.str(1, "y")).
		varint(13, 3)
	var got testSpecials
	if err := Unmarshal(msg, &got); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(got)
	want := `{"when":"2024-05-06T07:08:09Z","micro":"2024-05-06T07:08:09.000123Z","every":"1m30s","cpu":"250m",` +
		`"port":8080,"name":"http","raw":{"a":1},"nums":[1,2,3,4],"negative":-5,"ratio":0.5,"limits":{"memory":"1Gi"},` +
		`"items":[{"name":"x","creationTimestamp":null},{"name":"y","creationTimestamp":null}],"replicas":3}`
	if string(out) != want {
		t.Fatalf("decoded\n  %s\nwant\n  %s", out, want)
	}
}

func TestErrorsAreLoud(t *testing.T) {
	var cm testConfigMap
	err := Unmarshal(enc{}.str(9, "x"), &cm)
	if err == nil || !strings.Contains(err.Error(), "field 9 of protobuf.testConfigMap is not known") {
		t.Fatalf("unknown field: %v", err)
	}
	var untagged struct{ Name string }
	if err := Unmarshal(enc{}.str(1, "x"), &untagged); err == nil || !strings.Contains(err.Error(), "has no protobuf tags") {
		t.Fatalf("untagged type: %v", err)
	}
	if err := Unmarshal(enc{}.key(1, wireBytes), &cm); err == nil {
		t.Fatal("truncated message decoded")
	}
	if _, err := DecodeEnvelope([]byte(`{"kind":"x"}`)); err == nil {
		t.Fatal("JSON taken for protobuf")
	}
}

// negFive is -5 as protobuf encodes an int32: sign-extended to 64 bits.
func negFive() uint64 {
	v := int64(-5)
	return uint64(v)
}

// Like upstream, Time keeps whole seconds and MicroTime microseconds, whatever the message
// carries; only an empty message is the zero time (an explicit 0 is the Unix epoch).
func TestTimePrecision(t *testing.T) {
	type times struct {
		T metav1.Time      `protobuf:"bytes,1,opt,name=t"`
		M metav1.MicroTime `protobuf:"bytes,2,opt,name=m"`
	}
	ts := time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.UTC)
	stamp := enc{}.varint(1, uint64(ts.Unix())).varint(2, uint64(ts.Nanosecond()))
	for _, tc := range []struct {
		name   string
		msg    enc
		wantT  time.Time
		wantM  time.Time
		isZero bool
	}{
		{"nanos", enc{}.bytes(1, stamp).bytes(2, stamp), ts.Truncate(time.Second), ts.Truncate(time.Microsecond), false},
		{"empty", enc{}.bytes(1, nil).bytes(2, nil), time.Time{}, time.Time{}, true},
		{"epoch", enc{}.bytes(1, enc{}.varint(1, 0)).bytes(2, enc{}.varint(1, 0).varint(2, 0)), time.Unix(0, 0), time.Unix(0, 0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got times
			if err := Unmarshal(tc.msg, &got); err != nil {
				t.Fatal(err)
			}
			if !got.T.Time.Equal(tc.wantT) || !got.M.Time.Equal(tc.wantM) || got.T.Time.IsZero() != tc.isZero {
				t.Fatalf("got %v / %v, want %v / %v", got.T.Time, got.M.Time, tc.wantT, tc.wantM)
			}
		})
	}
}

package patch

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestMergePatch(t *testing.T) {
	for _, c := range loadCases(t, "testdata/mergepatch.yaml")["mergepatch.yaml"] {
		t.Run(c.Description, func(t *testing.T) {
			got, err := MergePatch(c.Original, c.Patch)
			checkResult(t, c, got, err)
		})
	}
}

func TestMergePatchInvalid(t *testing.T) {
	cases := []struct {
		original, patch, err string
		code                 int
	}{
		{`{}`, `{`, "Invalid JSON Patch", 400},
		{`{}`, `{} x`, "Invalid JSON Patch", 400},
		{`{`, `{}`, "Invalid JSON Document", 500},
	}
	for _, c := range cases {
		_, err := MergePatch([]byte(c.original), []byte(c.patch))
		var pe *Error
		if !errors.As(err, &pe) || pe.Message != c.err || pe.Code != c.code {
			t.Errorf("MergePatch(%s, %s) = %v, want %d %s", c.original, c.patch, err, c.code, c.err)
		}
		if !errors.Is(err, ErrInvalidJSONPatch) && !errors.Is(err, ErrInvalidJSONDocument) {
			t.Errorf("error %v does not wrap a sentinel", err)
		}
	}
}

func TestJSONPatch(t *testing.T) {
	for _, c := range loadCases(t, "testdata/jsonpatch.yaml")["jsonpatch.yaml"] {
		t.Run(c.Description, func(t *testing.T) {
			got, err := JSONPatch(c.Original, c.Patch)
			checkResult(t, c, got, err)
		})
	}
}

func TestJSONPatchRawCases(t *testing.T) {
	cases := []struct {
		name, original, patch, want, err string
	}{
		{name: "numbers compare as written", original: `{"a":1}`, patch: `[{"op":"test","path":"/a","value":1.0}]`,
			err: "testing value /a failed: test failed"},
		{name: "large integers survive", original: `{"a":9007199254740993}`, patch: `[{"op":"copy","from":"/a","path":"/b"}]`,
			want: `{"a":9007199254740993,"b":9007199254740993}`},
		{name: "a list document", original: `[1,2]`, patch: `[{"op":"add","path":"/0","value":0}]`, want: `[0,1,2]`},
		{name: "an empty document stays empty", original: ``, patch: `[{"op":"add","path":"/a","value":1}]`, want: ``},
		{name: "a null patch changes nothing", original: `{"a":1}`, patch: `null`, want: `{"a":1}`},
		{name: "invalid JSON", original: `{}`, patch: `[{"op":`, err: "unexpected end of JSON input"},
		{name: "a path that is not a string", original: `{}`, patch: `[{"op":"replace","path":1,"value":1}]`,
			err: "replace operation failed to decode path: json: cannot unmarshal number into Go value of type string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := JSONPatch([]byte(c.original), []byte(c.patch))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error = %v, want %s", err, c.err)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("got %s, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestJSONPatchLimits(t *testing.T) {
	ops := strings.Repeat(`{"op":"test","path":"/a","value":1},`, MaxJSONPatchOperations)
	_, err := JSONPatch([]byte(`{"a":1}`), []byte("["+ops+`{"op":"test","path":"/a","value":1}]`))
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != 413 ||
		pe.Message != fmt.Sprintf("The allowed maximum operations in a JSON patch is %d, got %d", MaxJSONPatchOperations, MaxJSONPatchOperations+1) {
		t.Errorf("too many operations: %v", err)
	}

	// Copying a value into itself doubles the document: a short patch must not grow it
	// without bound.
	doubling := `[` + strings.TrimSuffix(strings.Repeat(`{"op":"copy","from":"/a","path":"/a/-"},`, 40), ",") + `]`
	_, err = JSONPatch([]byte(`{"a":["`+strings.Repeat("x", 1000)+`"]}`), []byte(doubling))
	if err == nil || !strings.HasPrefix(err.Error(), "Unable to complete the copy, the accumulated size increase of copy is ") {
		t.Errorf("copy limit: %v", err)
	}
}

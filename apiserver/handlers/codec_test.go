package handlers

import (
	"encoding/json"
	"testing"
)

func TestAppendWithResourceVersion(t *testing.T) {
	tests := []struct {
		stored, want string
		typed        bool
	}{
		{`{"metadata":{"name":"a","namespace":"ns","uid":"u","creationTimestamp":null},"data":{}}`,
			`{"metadata":{"name":"a","namespace":"ns","uid":"u","resourceVersion":"42","creationTimestamp":null},"data":{}}`, false},
		{`{"metadata":{"name":"a","uid":"u"}}`,
			`{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","uid":"u","resourceVersion":"42"}}`, true},
		{`{"metadata":{"creationTimestamp":null}}`, `{"metadata":{"resourceVersion":"42","creationTimestamp":null}}`, false},
		{`{"metadata":{}}`, `{"metadata":{"resourceVersion":"42"}}`, false},
		{`{"metadata":{"name":"we\"ird\\","generation":2}}`, `{"metadata":{"name":"we\"ird\\","resourceVersion":"42","generation":2}}`, false},
	}
	for _, tt := range tests {
		var prefix []byte
		if tt.typed {
			prefix = []byte(`{"kind":"Pod","apiVersion":"v1",`)
		}
		got, ok := appendWithResourceVersion(nil, []byte(tt.stored), 42, prefix)
		if !ok || string(got) != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.stored, got, tt.want)
		}
		if !json.Valid(got) {
			t.Errorf("invalid JSON %s", got)
		}
	}
	if _, ok := appendWithResourceVersion(nil, []byte(`{"kind":"Pod","metadata":{}}`), 1, nil); ok {
		t.Error("unexpected shape accepted")
	}
}

func TestContinueTokens(t *testing.T) {
	tok := encodeContinue("/registry/pods/", "/registry/pods/ns/b\x00", 17)
	key, rev, err := decodeContinue(tok, "/registry/pods/")
	if err != nil || key != "/registry/pods/ns/b\x00" || rev != 17 {
		t.Fatalf("round trip: %q %d %v", key, rev, err)
	}
	for _, bad := range []string{"!!", "e30", encodeContinue("/p/", "/p/../x", 3), encodeContinue("/p/", "/p/x", 0)} {
		if _, _, err := decodeContinue(bad, "/p/"); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

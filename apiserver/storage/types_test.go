package storage

import (
	"context"
	"testing"
)

func TestPrefixSelection(t *testing.T) {
	tests := []struct {
		prefix, key string
		selected    bool
	}{
		{"/registry/pods/", "/registry/pods/ns1/a", true},
		{"/registry/pods/", "/registry/podsecuritypolicies/x", false},
		{"/registry/pods/ns1/", "/registry/pods/ns1/a", true},
		{"/registry/pods/ns1/", "/registry/pods/ns10/a", false},
		{"/registry/pods/ns1/a", "/registry/pods/ns1/a", true},
		{"/registry/pods/ns1/a", "/registry/pods/ns1/a-2", false},
		{"", "/anything", true},
	}
	for _, tt := range tests {
		if got := selects(tt.prefix, tt.key); got != tt.selected {
			t.Errorf("selects(%q, %q) = %v, want %v", tt.prefix, tt.key, got, tt.selected)
		}
		// The etcd range must agree with selects. An end of "\x00" is
		// etcd's "no end".
		end := prefixEnd(tt.prefix)
		inRange := rangeStart(tt.prefix) <= tt.key && (tt.key < end || end == "\x00")
		if inRange != tt.selected {
			t.Errorf("range [%q, %q) contains %q: %v, want %v", rangeStart(tt.prefix), prefixEnd(tt.prefix), tt.key, inRange, tt.selected)
		}
	}

	ends := map[string]string{
		"/registry/pods/": "/registry/pods0",
		"/a/b":            "/a/b\x00",
		"/\xff/":          "/\xff0",
		"":                "\x00",
	}
	for prefix, want := range ends {
		if got := prefixEnd(prefix); got != want {
			t.Errorf("prefixEnd(%q) = %q, want %q", prefix, got, want)
		}
	}
}

func TestListEverything(t *testing.T) {
	mustCreate(t, testPrefix(t)+"a", "v")
	res, err := testStore.List(context.Background(), "", ListOptions{Limit: 1})
	if err != nil || len(res.Items) != 1 {
		t.Errorf("List of everything = %+v, %v", res, err)
	}
}

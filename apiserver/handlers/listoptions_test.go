package handlers

import (
	"net/url"
	"strings"
	"testing"
)

func TestParseListOptions(t *testing.T) {
	tests := []struct {
		query   string
		wantErr string // substring; "" for success
		initial bool
	}{
		{query: ""},
		{query: "watch=true", initial: true},
		{query: "watch=true&resourceVersion=0", initial: true},
		{query: "watch=true&resourceVersion=10"},
		{query: "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", initial: true},
		{query: "watch=true&sendInitialEvents=true", wantErr: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"},
		{query: "watch=true&resourceVersion=5&resourceVersionMatch=NotOlderThan", wantErr: "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"},
		{query: "resourceVersionMatch=Exact", wantErr: "resourceVersionMatch is forbidden unless resourceVersion is provided"},
		{query: "resourceVersion=0&resourceVersionMatch=Exact", wantErr: `resourceVersionMatch "exact" is forbidden for resourceVersion "0"`},
		{query: "resourceVersion=1&resourceVersionMatch=Newest", wantErr: `Unsupported value: "Newest"`},
		{query: "sendInitialEvents=false", wantErr: "sendInitialEvents is forbidden for list"},
		{query: "resourceVersion=abc", wantErr: "invalid resource version"},
		{query: "limit=x", wantErr: "invalid value for limit"},
	}
	for _, tt := range tests {
		q, _ := url.ParseQuery(tt.query)
		o, err := parseListOptions(q)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%q: %v", tt.query, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%q: error %v, want %q", tt.query, err, tt.wantErr)
		case err == nil && (o.sendInitialEvents != nil && *o.sendInitialEvents) != tt.initial:
			t.Errorf("%q: sendInitialEvents %v, want %v", tt.query, o.sendInitialEvents, tt.initial)
		}
	}
}

func TestDeletionFinalizers(t *testing.T) {
	p := func(s string) *string { return &s }
	tests := []struct {
		have []string
		opts string
		want string
	}{
		{nil, "", ""},
		{[]string{"a/b", "orphan"}, "", "a/b,orphan"},
		{[]string{"orphan", "a/b"}, "Orphan", "orphan,a/b"},
		{[]string{"a/b"}, "Orphan", "a/b,orphan"},
		{[]string{"orphan"}, "Foreground", "foregroundDeletion"},
		{[]string{"foregroundDeletion", "orphan"}, "Background", ""},
	}
	for _, tt := range tests {
		var o = &struct{ policy *string }{}
		if tt.opts != "" {
			o.policy = p(tt.opts)
		}
		got := deletionFinalizers(tt.have, deleteOpts(o.policy))
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%v with %q: %v, want %q", tt.have, tt.opts, got, tt.want)
		}
	}
}

package images

import "testing"

func TestWithDefaultTag(t *testing.T) {
	cases := map[string]string{
		"busybox":                        "busybox:latest",
		"busybox:1.36":                   "busybox:1.36",
		"skiff.local/demo-app:v1":        "skiff.local/demo-app:v1",
		"127.0.0.1:5000/app":             "127.0.0.1:5000/app:latest",
		"library/busybox@sha256:" + "ab": "library/busybox@sha256:ab",
		"Busybox":                        "",
		"bad image":                      "",
		"":                               "",
	}
	for in, want := range cases {
		got, err := withDefaultTag(in)
		if (err != nil) != (want == "") || got != want {
			t.Errorf("withDefaultTag(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

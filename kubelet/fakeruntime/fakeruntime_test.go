package fakeruntime

import "testing"

func TestNormalizeImage(t *testing.T) {
	cases := map[string]string{
		"busybox":                 "docker.io/library/busybox:latest",
		"busybox:1.36":            "docker.io/library/busybox:1.36",
		"user/app":                "docker.io/user/app:latest",
		"skiff.local/demo-app:v1": "skiff.local/demo-app:v1",
		"localhost/x":             "localhost/x:latest",
		"127.0.0.1:5000/x:v2":     "127.0.0.1:5000/x:v2",
		"busybox@sha256:abcd":     "docker.io/library/busybox@sha256:abcd",
	}
	for in, want := range cases {
		if got := normalizeImage(in); got != want {
			t.Errorf("normalizeImage(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIPPoolStaysOnLoopback(t *testing.T) {
	if _, err := newIPPool("10.244.0.0/16"); err == nil {
		t.Error("a non-loopback pod range must be refused")
	}
	p, err := newIPPool("127.9.0.0/30")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := p.allocate()
	if a != "127.9.0.2" {
		t.Errorf("first IP %s", a)
	}
	if _, err := p.allocate(); err == nil {
		b, _ := p.allocate()
		t.Errorf("a /30 has one usable address here, got another: %s", b)
	}
	p.release(a)
	if again, err := p.allocate(); err != nil || again != a {
		t.Errorf("released address not reused: %s %v", again, err)
	}
}

package rest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadKubeconfigExplicitPath(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join("testdata", "second.yaml")) // must be ignored
	cfg, err := LoadKubeconfig(filepath.Join("testdata", "first.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://127.0.0.1:6443" || cfg.Namespace != "team-a" {
		t.Errorf("host/namespace = %q/%q", cfg.Host, cfg.Namespace)
	}
	// Relative paths resolve against the kubeconfig's directory; absolute ones stay.
	if want := filepath.Join("testdata", "pki", "ca.crt"); cfg.CAFile != want {
		t.Errorf("CAFile = %q, want %q", cfg.CAFile, want)
	}
	if want := filepath.Join("testdata", "pki", "dev.crt"); cfg.CertFile != want {
		t.Errorf("CertFile = %q, want %q", cfg.CertFile, want)
	}
	if cfg.KeyFile != "/abs/dev.key" {
		t.Errorf("KeyFile = %q", cfg.KeyFile)
	}
}

func TestLoadKubeconfigMissingExplicitFileFails(t *testing.T) {
	if _, err := LoadKubeconfig(filepath.Join("testdata", "nope.yaml")); err == nil {
		t.Fatal("want an error for a missing --kubeconfig file")
	}
}

func TestLoadKubeconfigMergesKUBECONFIG(t *testing.T) {
	list := strings.Join([]string{
		filepath.Join("testdata", "missing.yaml"), // skipped silently, as kubectl does
		filepath.Join("testdata", "first.yaml"),
		filepath.Join("testdata", "second.yaml"),
	}, string(os.PathListSeparator))
	t.Setenv("KUBECONFIG", list)

	// The first file's current-context wins.
	cfg, err := LoadKubeconfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://127.0.0.1:6443" {
		t.Errorf("current context host = %q", cfg.Host)
	}

	// A context from the second file works, and it sees the FIRST file's "shared" cluster.
	cfg, err = LoadKubeconfigContext("", "via-shared")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://first.example:6443" || cfg.Insecure {
		t.Errorf("shared cluster = %q insecure=%v, want the first file's entry", cfg.Host, cfg.Insecure)
	}
	if cfg.BearerToken != "s3cr3t" {
		t.Errorf("token = %q", cfg.BearerToken)
	}

	cfg, err = LoadKubeconfigContext("", "ops")
	if err != nil {
		t.Fatal(err)
	}
	if string(cfg.CAData) != "-----BEGIN-----" {
		t.Errorf("CA data not base64-decoded: %q", cfg.CAData)
	}
}

func TestLoadKubeconfigDefaultsToHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("KUBECONFIG", "")
	if err := os.MkdirAll(filepath.Join(home, ".kube"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join("testdata", "second.yaml"))
	if err := os.WriteFile(filepath.Join(home, ".kube", "config"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadKubeconfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "https://10.0.0.1:6443" {
		t.Errorf("host = %q", cfg.Host)
	}
}

func TestLoadKubeconfigErrors(t *testing.T) {
	path := filepath.Join("testdata", "second.yaml")
	for _, tc := range []struct{ context, want string }{
		{"plugin", "not implemented"},
		{"nope", `context "nope" does not exist`},
	} {
		_, err := LoadKubeconfigContext(path, tc.context)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("context %q: err = %v, want it to mention %q", tc.context, err, tc.want)
		}
	}
}

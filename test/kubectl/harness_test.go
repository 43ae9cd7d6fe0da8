package kubectl_test

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// record, when set, runs the scripts against a real, controller-free kube-apiserver (see
// upstream_test.go) and rewrites the golden files with what it answers, instead of
// checking Skiff.
var record = flag.Bool("record", false, "record golden files from an upstream kube-apiserver instead of testing Skiff")

// kubectl is one kubectl binary under test.
type kubectl struct {
	name string // "kubectl" (the one on PATH), "kubectl.1.27", "kubectl.1.33"
	path string
}

// kubectls returns the kubectl on PATH and the 1.27 and 1.33 ones installed beside the
// file it links to; the test is skipped without kubectl.
func kubectls(t *testing.T) []kubectl {
	t.Helper()
	onPath, err := exec.LookPath("kubectl")
	if err != nil {
		t.Skip("kubectl is not on PATH")
	}
	real, err := filepath.EvalSymlinks(onPath)
	if err != nil {
		t.Fatal(err)
	}
	out := []kubectl{{"kubectl", onPath}}
	for _, v := range []string{"kubectl.1.27", "kubectl.1.33"} {
		p := filepath.Join(filepath.Dir(real), v)
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s not found beside %s: not tested", v, real)
			continue
		}
		out = append(out, kubectl{v, p})
	}
	return out
}

// session runs one kubectl against one server, with its own HOME (so its discovery and
// OpenAPI caches start empty) and kubeconfig.
type session struct {
	t          *testing.T
	kubectl    kubectl
	kubeconfig string
	home       string
	goldenDir  string
}

func newSession(t *testing.T, k kubectl, kubeconfig string) *session {
	return &session{t: t, kubectl: k, kubeconfig: kubeconfig, home: t.TempDir(),
		goldenDir: filepath.Join("testdata", "golden", k.name)}
}

func (s *session) env(extra ...string) []string {
	env := []string{
		"HOME=" + s.home,
		"KUBECONFIG=" + s.kubeconfig,
		"PATH=" + os.Getenv("PATH"),
		"KUBECTL_COMMAND_HEADERS=false",
		"TERM=dumb",
	}
	return append(env, extra...)
}

// run runs kubectl with args and returns its combined output and whether it succeeded.
func (s *session) run(stdin string, extraEnv []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.kubectl.path, args...)
	cmd.Env = s.env(extraEnv...)
	cmd.Dir = "testdata/manifests"
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	return out.String(), err
}

// watch starts kubectl with args in the background and returns its output lines as they
// come, and a stop function that kills it.
func (s *session) watch(args ...string) (<-chan string, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, s.kubectl.path, args...)
	cmd.Env = s.env()
	cmd.Dir = "testdata/manifests"
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start kubectl %v: %v", args, err)
	}
	lines := make(chan string, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	go func() { _ = cmd.Wait(); pw.Close() }()
	return lines, func() { cancel(); pw.Close() }
}

// golden compares got with the golden file of the step (recording it in record mode).
func (s *session) golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(s.goldenDir, name+".txt")
	if *record {
		if err := os.MkdirAll(s.goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no golden file (record it with -record against upstream): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from upstream's (%s)\n%s", path, lineDiff(string(want), got))
	}
}

// lineDiff shows the lines of want and got that differ, "-" upstream, "+" Skiff.
func lineDiff(want, got string) string {
	w := strings.Split(want, "\n")
	g := strings.Split(got, "\n")
	var b strings.Builder
	n := max(len(w), len(g))
	for i := range n {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			fmt.Fprintf(&b, "  %s\n", wl)
			continue
		}
		if i < len(w) {
			fmt.Fprintf(&b, "- %s\n", wl)
		}
		if i < len(g) {
			fmt.Fprintf(&b, "+ %s\n", gl)
		}
	}
	return b.String()
}

// Normalization: what legitimately differs between two servers (and two runs) is replaced
// by placeholders before outputs are compared.
var (
	ageCell      = regexp.MustCompile(`(^|\s)(\d+(s|m|h|d|y)(\d+(s|m|h|d))?|<invalid>)(\s|$)`)
	uidRE        = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	rvRE         = regexp.MustCompile(`(resourceVersion"?:\s*)"?\d+"?`)
	timestampRE  = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	httpDateRE   = regexp.MustCompile(`(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}`)
	clusterIPRE  = regexp.MustCompile(`\b10\.(9[6-9]|1[01][0-9])\.\d{1,3}\.\d{1,3}\b`)
	spacesRE     = regexp.MustCompile(`[ \t]{2,}`)
	generationRE = regexp.MustCompile(`(generation"?:\s*)\d+`)
	serverURLRE  = regexp.MustCompile(`https?://127\.0\.0\.1:\d+`)
)

// normalize replaces ages, uids, resource versions, timestamps and allocated cluster IPs,
// and collapses column padding (column widths depend on the longest value in them).
func normalize(out string) string {
	out = uidRE.ReplaceAllString(out, "<uid>")
	out = rvRE.ReplaceAllString(out, `${1}<rv>`)
	out = timestampRE.ReplaceAllString(out, "<time>")
	out = httpDateRE.ReplaceAllString(out, "<date>")
	out = clusterIPRE.ReplaceAllString(out, "<cluster-ip>")
	out = serverURLRE.ReplaceAllString(out, "<server>")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		l = strings.TrimRight(l, " \t")
		// Ages are cells of their own: padded by spaces or at the end of a line.
		for ageCell.MatchString(l) {
			l = ageCell.ReplaceAllString(l, "${1}<age>${6}")
		}
		body := strings.TrimLeft(l, " ")
		lines = append(lines, l[:len(l)-len(body)]+spacesRE.ReplaceAllString(body, "   "))
	}
	return strings.Join(lines, "\n")
}

// tokenVolume matches what upstream's ServiceAccount admission adds to a pod, as
// `kubectl describe` shows it: the mount of the kube-api-access-xxxxx volume and the volume.
// Skiff does not add it (apiserver/registry/pods.go); describe then shows "<none>".
var (
	tokenMountRE  = regexp.MustCompile(`(?m)^(\s*Mounts:)\s*\n\s*/var/run/secrets/kubernetes.io/serviceaccount from kube-api-access-\w+ \(ro\)$`)
	tokenVolumeRE = regexp.MustCompile(`(?m)^Volumes:\s*\n\s*kube-api-access-\w+:\n(\s+\S.*\n){5}`)
)

// normalizeDescribe is normalize for `kubectl describe`, without the token volume.
func normalizeDescribe(_ *testing.T, out string) string {
	out = tokenMountRE.ReplaceAllString(out, "${1}         <none>")
	out = tokenVolumeRE.ReplaceAllString(out, "Volumes:              <none>\n")
	// Continuation lines are aligned on the widest label of their block, which the token
	// volume's lines widen upstream.
	out = continuationRE.ReplaceAllString(out, "          ")
	return normalize(out)
}

var continuationRE = regexp.MustCompile(`(?m)^ {10,}`)

// sortedLines normalizes and sorts the lines of an output whose order kubectl takes from
// a Go map (describe of a config map's or secret's keys), so it differs from run to run.
func sortedLines(t *testing.T, out string) string {
	lines := strings.Split(normalizeDescribe(t, out), "\n")
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// normalizeObjects normalizes the output of -o yaml or -o json: it is decoded, stripped of
// what Skiff does not keep (managedFields) and of the service account token volume
// upstream's admission adds to pods (Skiff's does not: see apiserver/registry/pods.go),
// written back as YAML with sorted keys, and normalized.
func normalizeObjects(t *testing.T, out string) string {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(out), &v); err != nil {
		return normalize(out) // not an object (an error message): compare as text
	}
	v = scrub(v)
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return normalize(string(b))
}

func scrub(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "managedFields")
		for k, x := range v {
			if k == "volumes" || k == "volumeMounts" {
				v[k] = withoutTokenVolume(x)
				if l, ok := v[k].([]any); ok && len(l) == 0 {
					delete(v, k)
				}
				continue
			}
			v[k] = scrub(x)
		}
	case []any:
		for i, x := range v {
			v[i] = scrub(x)
		}
	}
	return v
}

// withoutTokenVolume drops the kube-api-access-xxxxx volume (or its mounts) from a list.
func withoutTokenVolume(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := []any{}
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			if name, _ := m["name"].(string); strings.HasPrefix(name, "kube-api-access-") {
				continue
			}
		}
		out = append(out, scrub(x))
	}
	return out
}

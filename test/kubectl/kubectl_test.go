// Package kubectl_test runs the real kubectl (the one on PATH, 1.32, and 1.27 and 1.33
// beside it), unmodified and with default flags, against a Skiff apiserver started in the
// test, and compares what it prints with what it printed against a real kube-apiserver
// (golden files under testdata/golden/<kubectl>/, recorded with -record; see
// upstream_test.go). Each kubectl command is a subtest named after the step.
//
// To record the golden files again (after changing the script), with the reference
// binaries built (/work/shared/peers/build-k8s.sh) and their PKI made (up.sh):
//
//	go test ./kubectl -run TestKubectl -args -record
//
// Outputs are normalized before comparison (normalize and friends in harness_test.go):
// ages, uids, resource versions, timestamps and allocated cluster IPs become placeholders,
// and what upstream adds that Skiff deliberately does not (managedFields, the service
// account token volume) is removed.
package kubectl_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skiff-k8s/skiff/testenv"
)

func TestKubectl(t *testing.T) {
	for _, k := range kubectls(t) {
		t.Run(k.name, func(t *testing.T) {
			var kubeconfig string
			if *record {
				kubeconfig = startUpstream(t)
			} else {
				kubeconfig = testenv.Start(t).KubeconfigPath
			}
			script(t, newSession(t, k, kubeconfig))
		})
	}
}

// step runs one kubectl command as a subtest and compares its normalized output with the
// golden file <name>.txt. fails says the command must exit non-zero.
type step struct {
	name  string
	args  []string
	fails bool
	env   []string
	// norm normalizes the output (normalize by default).
	norm func(t *testing.T, out string) string
	// check, if set, runs extra assertions on the raw output.
	check func(t *testing.T, out string)
}

func (s *session) do(st step) string {
	var out string
	s.t.Run(st.name, func(t *testing.T) {
		var err error
		out, err = s.run("", st.env, st.args...)
		if st.fails && err == nil {
			t.Errorf("kubectl %s succeeded, want a failure:\n%s", strings.Join(st.args, " "), out)
		}
		if !st.fails && err != nil {
			t.Errorf("kubectl %s: %v\n%s", strings.Join(st.args, " "), err, out)
		}
		norm := st.norm
		if norm == nil {
			norm = func(_ *testing.T, out string) string { return normalize(out) }
		}
		s.golden(t, st.name, norm(t, out))
		if st.check != nil && !*record {
			st.check(t, out)
		}
	})
	return out
}

// run is a step expected to succeed.
func (s *session) ok(name string, args ...string) string {
	return s.do(step{name: name, args: args})
}

// fail is a step expected to fail.
func (s *session) fail(name string, args ...string) string {
	return s.do(step{name: name, args: args, fails: true})
}

// The API versions and resources Skiff serves: upstream's outputs are reduced to them.
var (
	servedVersions  = []string{"v1", "apps/v1", "autoscaling/v1", "autoscaling/v2", "coordination.k8s.io/v1"}
	servedResources = []string{"configmaps", "endpoints", "events", "namespaces", "nodes", "pods", "secrets",
		"serviceaccounts", "services", "deployments", "replicasets", "horizontalpodautoscalers", "leases"}
)

// onlyServed keeps the header and the rows of api-resources (NAME ... APIVERSION ...) or
// api-versions that Skiff serves.
func onlyServed(_ *testing.T, out string) string {
	var kept []string
	for i, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case i == 0 && strings.HasPrefix(l, "NAME"):
			kept = append(kept, l)
		case len(f) == 1 && slices.Contains(servedVersions, f[0]):
			kept = append(kept, l)
		case len(f) >= 4 && slices.Contains(servedResources, f[0]) && slices.Contains(servedVersions, f[len(f)-3]):
			kept = append(kept, l)
		}
	}
	return normalize(strings.Join(kept, "\n"))
}

// explainStructure keeps what `kubectl explain` says about the shape of a field (headers,
// field names, types, required) and drops the descriptions, which are Skiff's own words.
var explainFieldRE = regexp.MustCompile(`^\s{2,3}[a-zA-Z$][\w$]*\t`)

func explainStructure(_ *testing.T, out string) string {
	var kept []string
	for _, l := range strings.Split(out, "\n") {
		if explainFieldRE.MatchString(l) || (l != "" && l[0] != ' ' && strings.Contains(l, ":") && !strings.HasPrefix(l, "DESCRIPTION")) {
			kept = append(kept, strings.TrimSpace(l))
		}
	}
	return normalize(strings.Join(kept, "\n"))
}

func objects(t *testing.T, out string) string { return normalizeObjects(t, out) }

// diffOutput is `kubectl diff` without its temporary file names and times.
func diffOutput(_ *testing.T, out string) string {
	var kept []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "diff -u") || strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") {
			continue
		}
		kept = append(kept, l)
	}
	return normalize(strings.Join(kept, "\n"))
}

func contains(want ...string) func(t *testing.T, out string) {
	return func(t *testing.T, out string) {
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	}
}

func script(t *testing.T, s *session) {
	// Without a controller manager nobody creates the default service account, which
	// upstream's admission needs for pods.
	s.ok("00-create-serviceaccount", "create", "serviceaccount", "default")

	// Discovery, version, OpenAPI.
	s.do(step{name: "01-version", args: []string{"version"}, norm: func(*testing.T, string) string { return "" },
		check: contains("Client Version:", "Server Version:")})
	s.do(step{name: "02-api-resources", args: []string{"api-resources"}, norm: onlyServed})
	s.do(step{name: "03-api-versions", args: []string{"api-versions"}, norm: onlyServed})
	s.do(step{name: "04-explain-deployment-strategy", args: []string{"explain", "deployment.spec.strategy"}, norm: explainStructure})
	s.do(step{name: "05-explain-pod-containers", args: []string{"explain", "pod.spec.containers"}, norm: explainStructure})
	s.ok("06-readyz", "get", "--raw", "/readyz")

	// Create the documentation's manifests, then apply them and changes to them.
	for _, m := range []string{"pod", "deployment", "replicaset", "service", "configmap", "secret", "hpa"} {
		s.ok("10-create-"+m, "create", "-f", m+".yaml")
	}
	s.fail("11-create-existing", "create", "-f", "pod.yaml")
	s.ok("12-apply-created-configmap", "apply", "-f", "configmap.yaml")
	s.ok("12-apply-created-deployment", "apply", "-f", "deployment.yaml")
	s.ok("12-apply-unchanged", "apply", "-f", "deployment.yaml")
	s.ok("12-apply-changed", "apply", "-f", "deployment-changed.yaml")
	s.do(step{name: "12-changed-yaml", args: []string{"get", "deployment", "nginx-deployment", "-o", "yaml"}, norm: objects,
		check: func(t *testing.T, out string) {
			if strings.Contains(out, "containerPort") || strings.Contains(out, "1.14.2") {
				t.Errorf("apply did not remove the port or change the image:\n%s", out)
			}
		}})
	s.ok("12-apply-new", "apply", "-f", "deployment.yaml")
	// kubectl sends fieldValidation=Strict, instead of validating the object itself, only
	// when the OpenAPI documents say the server takes the parameter.
	s.do(step{name: "13-apply-asks-strict", args: []string{"apply", "-f", "deployment-changed.yaml", "-v=6"},
		norm: func(*testing.T, string) string { return "" }, check: contains("fieldValidation=Strict")})
	s.do(step{name: "13-diff", args: []string{"diff", "-f", "deployment.yaml"}, fails: true, norm: diffOutput})
	s.ok("13-apply-back", "apply", "-f", "deployment.yaml")

	// get, in its forms.
	s.ok("20-get-pods", "get", "pods")
	s.ok("20-get-pods-wide", "get", "pods", "-o", "wide")
	s.ok("20-get-deploy-rs-wide", "get", "deployments,replicasets", "-o", "wide")
	s.ok("20-get-svc-wide", "get", "services", "-o", "wide")
	s.ok("20-get-hpa", "get", "hpa")
	s.ok("20-get-configmaps-secrets", "get", "configmaps,secrets")
	s.ok("20-get-sa-ns", "get", "serviceaccounts,namespaces")
	s.ok("20-get-all", "get", "all")
	s.do(step{name: "21-get-pod-yaml", args: []string{"get", "pod", "nginx", "-o", "yaml"}, norm: objects})
	s.do(step{name: "21-get-configmap-json", args: []string{"get", "configmap", "game-demo", "-o", "json"}, norm: objects})
	s.do(step{name: "21-get-secret-json", args: []string{"get", "secret", "secret-basic-auth", "-o", "json"}, norm: objects})
	s.do(step{name: "21-get-hpa-yaml", args: []string{"get", "hpa", "php-apache", "-o", "yaml"}, norm: objects})
	s.do(step{name: "21-get-service-yaml", args: []string{"get", "service", "my-service", "-o", "yaml"}, norm: objects})
	s.ok("22-jsonpath", "get", "pod", "nginx", "-o", "jsonpath={.spec.containers[0].image} {.status.phase} {.spec.restartPolicy}")
	s.ok("22-jsonpath-list", "get", "deployments", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.replicas}{\"\\n\"}{end}")
	s.ok("23-name", "get", "pods,deployments,replicasets,services,configmaps,secrets,hpa", "-o", "name")
	s.ok("24-label-selector", "get", "replicasets", "-l", "tier=frontend")
	s.ok("24-label-selector-set", "get", "pods,deployments", "-l", "app notin (web),app")
	s.ok("25-field-selector", "get", "pods", "--field-selector=status.phase=Pending")
	s.ok("25-field-selector-name", "get", "configmaps", "--field-selector", "metadata.name=game-demo")
	s.fail("25-field-selector-unknown", "get", "pods", "--field-selector", "spec.bogus=x")
	s.ok("26-all-namespaces", "get", "deployments,services", "-A")
	s.ok("27-show-labels", "get", "pods,deployments", "--show-labels")
	s.ok("28-sort-by", "get", "replicasets", "--sort-by=.spec.replicas")
	s.ok("28-sort-by-name", "get", "configmaps", "--sort-by=.metadata.name")
	s.fail("28-sort-by-mixed", "get", "configmaps,secrets", "--sort-by=.metadata.name")
	s.watchStep()

	// describe.
	for _, kind := range []string{"pod/nginx", "deployment/nginx-deployment", "replicaset/frontend", "service/my-service",
		"hpa/php-apache"} {
		s.do(step{name: "30-describe-" + strings.Split(kind, "/")[0], args: []string{"describe", kind}, norm: normalizeDescribe,
			check: contains("Events:")})
	}
	// kubectl prints the keys of config maps and secrets in Go's random map order, and
	// shows no events for secrets.
	s.do(step{name: "30-describe-configmap", args: []string{"describe", "configmap/game-demo"}, norm: sortedLines,
		check: contains("Events:")})
	s.do(step{name: "30-describe-secret", args: []string{"describe", "secret/secret-basic-auth"}, norm: sortedLines})

	// Changes.
	s.ok("40-label", "label", "pod", "nginx", "env=test")
	s.fail("40-label-again", "label", "pod", "nginx", "env=prod")
	s.ok("40-label-overwrite", "label", "pod", "nginx", "env=prod", "--overwrite")
	s.ok("40-unlabel", "label", "pod", "nginx", "env-")
	s.ok("41-annotate", "annotate", "deployment", "nginx-deployment", "description=my app")
	s.ok("42-patch-strategic", "patch", "deployment", "nginx-deployment", "-p",
		`{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.17"}]}}}}`)
	s.ok("42-patch-merge", "patch", "configmap", "game-demo", "--type=merge", "-p", `{"data":{"player_initial_lives":"4"}}`)
	s.ok("42-patch-json", "patch", "service", "my-service", "--type=json", "-p", `[{"op":"replace","path":"/spec/ports/0/port","value":8080}]`)
	s.ok("42-patch-no-change", "patch", "configmap", "game-demo", "--type=merge", "-p", `{"data":{"player_initial_lives":"4"}}`)
	s.fail("42-patch-bad-json-patch", "patch", "service", "my-service", "--type=json", "-p", `[{"op":"remove","path":"/spec/nope"}]`)
	s.ok("42-patched", "get", "deployment/nginx-deployment", "configmap/game-demo", "service/my-service", "-o",
		"jsonpath={.items[0].spec.template.spec.containers[0].image} {.items[1].data.player_initial_lives} {.items[2].spec.ports[0].port}")
	s.ok("43-scale", "scale", "deployment", "nginx-deployment", "--replicas=5")
	s.ok("43-scale-rs", "scale", "replicaset", "frontend", "--replicas=1")
	s.ok("43-scaled", "get", "deployment/nginx-deployment", "replicaset/frontend", "-o", "jsonpath={.items[*].spec.replicas}")
	s.ok("44-set-image", "set", "image", "deployment/nginx-deployment", "nginx=nginx:1.25")
	s.editStep()
	s.ok("46-create-deployment", "create", "deployment", "web", "--image=nginx", "--replicas=2")
	s.ok("46-create-configmap", "create", "configmap", "cfg", "--from-literal=a=b", "--from-literal=c=d")
	s.ok("46-create-secret", "create", "secret", "generic", "sec", "--from-literal=password=s3cr3t")
	s.do(step{name: "46-created-yaml", args: []string{"get", "deployment", "web", "-o", "yaml"}, norm: objects})

	// Server-side dry runs change nothing.
	s.ok("50-dry-run-create", "create", "configmap", "dry", "--from-literal=a=b", "--dry-run=server")
	s.fail("50-dry-run-not-created", "get", "configmap", "dry")
	s.ok("50-dry-run-apply", "apply", "-f", "deployment-changed.yaml", "--dry-run=server")
	s.ok("50-dry-run-delete", "delete", "pod", "nginx", "--dry-run=server")
	s.ok("50-dry-run-scale", "scale", "deployment", "web", "--replicas=9", "--dry-run=server")
	s.ok("50-dry-run-unchanged", "get", "pod/nginx", "deployment/web", "-o", "jsonpath={.items[*].metadata.name} {.items[1].spec.replicas}")

	// Errors.
	s.fail("60-not-found", "get", "pod", "nope")
	s.fail("60-unknown-field", "apply", "-f", "unknown-field.yaml")
	s.fail("60-unknown-field-create", "create", "-f", "unknown-field.yaml")
	s.fail("60-invalid-value", "create", "-f", "invalid-value.yaml")
	s.fail("60-unknown-resource", "get", "widgets")

	// wait: a condition nobody but kubectl sets here, and a jsonpath.
	s.ok("70-set-ready", "patch", "pod", "nginx", "--subresource=status", "--type=merge", "-p",
		`{"status":{"conditions":[{"type":"Ready","status":"True"}]}}`)
	s.ok("70-wait-condition", "wait", "--for=condition=Ready", "pod/nginx", "--timeout=20s")
	s.ok("70-wait-jsonpath", "wait", "--for=jsonpath={.spec.replicas}=5", "deployment/nginx-deployment", "--timeout=20s")

	// Deletions.
	s.ok("80-delete", "delete", "configmap", "cfg")
	s.ok("80-delete-grace-period", "delete", "pod", "nginx", "--grace-period=5")
	// Orphan and foreground deletions wait for the garbage collector, which does not run
	// here: do not wait for them.
	s.ok("80-delete-orphan", "delete", "deployment", "web", "--cascade=orphan", "--wait=false")
	s.ok("80-delete-background", "delete", "replicaset", "frontend", "--cascade=background")
	s.ok("80-delete-foreground", "delete", "deployment", "nginx-deployment", "--cascade=foreground", "--wait=false")
	s.ok("80-delete-file", "delete", "-f", "hpa.yaml", "--wait")
	s.ok("80-delete-wait-for", "wait", "--for=delete", "pod/nginx", "--timeout=20s")
	s.fail("80-delete-missing", "delete", "secret", "nope")
	s.ok("81-remaining", "get", "all,configmaps,secrets")
}

// watchStep runs `kubectl get configmaps -w`, creates and deletes a config map, and
// compares what the watch printed.
func (s *session) watchStep() {
	s.t.Run("29-watch", func(t *testing.T) {
		lines, stop := s.watch("get", "configmaps", "-w")
		defer stop()
		var got []string
		read := func(n int) {
			deadline := time.After(15 * time.Second)
			for len(got) < n {
				select {
				case l, ok := <-lines:
					if !ok {
						t.Fatalf("kubectl -w ended; printed:\n%s", strings.Join(got, "\n"))
					}
					got = append(got, l)
				case <-deadline:
					t.Fatalf("kubectl -w printed only:\n%s", strings.Join(got, "\n"))
				}
			}
		}
		read(2) // the header and game-demo
		if out, err := s.run("", nil, "create", "configmap", "watched", "--from-literal=k=v"); err != nil {
			t.Fatalf("create: %v\n%s", err, out)
		}
		read(3)
		if out, err := s.run("", nil, "delete", "configmap", "watched"); err != nil {
			t.Fatalf("delete: %v\n%s", err, out)
		}
		read(4)
		s.golden(t, "29-watch", normalize(strings.Join(got, "\n")))
	})
}

// editStep runs `kubectl edit` with an EDITOR that changes one value in the file.
func (s *session) editStep() {
	editor := filepath.Join(s.home, "editor.sh")
	script := "#!/bin/sh\nsed -i 's/player_initial_lives: \"4\"/player_initial_lives: \"9\"/' \"$1\"\n"
	if err := os.WriteFile(editor, []byte(script), 0o755); err != nil {
		s.t.Fatal(err)
	}
	s.do(step{name: "45-edit", args: []string{"edit", "configmap", "game-demo"}, env: []string{"EDITOR=" + editor}})
	s.ok("45-edited", "get", "configmap", "game-demo", "-o", "jsonpath={.data.player_initial_lives}")
}

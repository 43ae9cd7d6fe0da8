// Package e2e holds end-to-end tests of the streaming path, with the real kubectl:
// kubectl -> apiserver (kubeletproxy) -> kubelet server -> container runtime. They start
// an apiserver in the test (testenv), register a node whose kubelet endpoint is a kubelet
// server started in the test, run one pod on a runtime, and drive kubectl logs (-f), exec
// (-i, -it, exit codes), cp and port-forward against it with every kubectl version found
// (1.27 speaks SPDY, 1.30+ WebSockets for exec, 1.31+ tunnels port-forward).
//
//   - TestKubectlFakeRuntime uses the fake runtime with fakestreaming; it runs whenever a
//     kubectl is installed (not with -short).
//   - TestKubectlContainerd uses a real containerd; it runs with SKIFF_E2E=1, against the
//     CRI socket in $SKIFF_CRI_ENDPOINT, else $SKIFF_HOME/containerd/containerd.sock (the
//     one hack/containerd.sh starts), with hack/images.sh's images imported.
//
// The package has no code: the tests cross components (apiserver and kubelet), as
// integration tests do.
package e2e

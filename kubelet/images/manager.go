// Package images makes a container's image present before the container is created, as
// its imagePullPolicy asks: Always pulls, IfNotPresent pulls only when the runtime lacks
// the image (asked with ImageStatus first: containerd cannot pull every name it stores,
// e.g. locally imported "localhost/..." images), Never only checks.
//
// Promises, as upstream's kubelet: failed pulls back off per pod and image (10s doubling
// to 5 minutes), during which the container waits with reason ImagePullBackOff and
// message "Back-off pulling image "x": <the pull error>"; a failed pull shows
// ErrImagePull with the runtime's error. Events Pulling, Pulled ("Container image "x"
// already present on machine", "Successfully pulled image ..."), Failed and BackOff are
// recorded against the container.
package images

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/kubelet/backoff"
	"github.com/skiff-k8s/skiff/kubelet/cri"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Waiting reasons for image trouble, upstream's words.
const (
	ReasonErrImagePull        = "ErrImagePull"
	ReasonImagePullBackOff    = "ImagePullBackOff"
	ReasonErrImageNeverPull   = "ErrImageNeverPull"
	ReasonInvalidImageName    = "InvalidImageName"
	eventPulling              = "Pulling"
	eventPulled               = "Pulled"
	eventFailed               = "Failed"
	eventBackOff              = "BackOff"
	eventInspectFailed        = "InspectFailed"
	eventErrImageNeverPullPol = "ErrImageNeverPull"
)

// Error says why an image is not available: Reason becomes the container's waiting
// reason, Message its message.
type Error struct {
	Reason  string
	Message string
}

func (e *Error) Error() string { return e.Reason + ": " + e.Message }

// Manager pulls images for one kubelet.
type Manager struct {
	rt       *cri.Client
	recorder events.EventRecorder
	backoff  *backoff.Backoff

	mu      sync.Mutex
	lastErr map[string]string // back-off key -> "ErrImagePull: <message>"
}

// NewManager returns a Manager using upstream's pull back-off (10s .. 5m).
func NewManager(rt *cri.Client, recorder events.EventRecorder) *Manager {
	return &Manager{rt: rt, recorder: recorder, backoff: backoff.New(10*time.Second, 5*time.Minute, 10*time.Minute), lastErr: map[string]string{}}
}

// EnsureImage makes c's image available and returns the reference to create the container
// with (the image id). ref is the container's object reference for events.
func (m *Manager) EnsureImage(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ref *corev1.ObjectReference, sandbox *runtimeapi.PodSandboxConfig) (string, error) {
	image, err := withDefaultTag(c.Image)
	if err != nil {
		msg := fmt.Sprintf("Failed to apply default image tag %q: %v", c.Image, err)
		m.recorder.Event(ref, corev1.EventTypeWarning, eventInspectFailed, msg)
		return "", &Error{Reason: ReasonInvalidImageName, Message: msg}
	}
	spec := &runtimeapi.ImageSpec{Image: image, UserSpecifiedImage: c.Image}
	id, err := m.present(ctx, spec)
	if err != nil {
		msg := fmt.Sprintf("Failed to inspect image %q: %v", c.Image, err)
		m.recorder.Event(ref, corev1.EventTypeWarning, eventInspectFailed, msg)
		return "", &Error{Reason: "ImageInspectError", Message: msg}
	}
	policy := c.ImagePullPolicy
	if policy == "" {
		policy = corev1.PullIfNotPresent
	}
	if id != "" && policy != corev1.PullAlways {
		m.recorder.Eventf(ref, corev1.EventTypeNormal, eventPulled, "Container image %q already present on machine", c.Image)
		return id, nil
	}
	if policy == corev1.PullNever {
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image)
		m.recorder.Event(ref, corev1.EventTypeWarning, eventErrImageNeverPullPol, msg)
		return "", &Error{Reason: ReasonErrImageNeverPull, Message: msg}
	}
	return m.pull(ctx, pod, c, ref, spec, sandbox)
}

// present asks the runtime whether it has the image; "" when it does not.
func (m *Manager) present(ctx context.Context, spec *runtimeapi.ImageSpec) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, cri.DefaultTimeout)
	defer cancel()
	resp, err := m.rt.Images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: spec})
	if err != nil {
		return "", err
	}
	if resp.Image == nil {
		return "", nil
	}
	return resp.Image.Id, nil
}

func (m *Manager) pull(ctx context.Context, pod *corev1.Pod, c *corev1.Container, ref *corev1.ObjectReference, spec *runtimeapi.ImageSpec, sandbox *runtimeapi.PodSandboxConfig) (string, error) {
	key := pod.UID + "_" + c.Image
	if m.backoff.InBackoffSinceUpdate(key, m.backoff.Now()) {
		msg := fmt.Sprintf("Back-off pulling image %q", c.Image)
		m.recorder.Event(ref, corev1.EventTypeNormal, eventBackOff, msg)
		m.mu.Lock()
		if prev, ok := m.lastErr[key]; ok {
			msg += ": " + prev
		}
		m.mu.Unlock()
		return "", &Error{Reason: ReasonImagePullBackOff, Message: msg}
	}
	m.mu.Lock()
	delete(m.lastErr, key)
	m.mu.Unlock()

	m.recorder.Eventf(ref, corev1.EventTypeNormal, eventPulling, "Pulling image %q", c.Image)
	start := time.Now()
	// A pull has no deadline of its own (large images take long); the caller's context
	// still ends it.
	resp, err := m.rt.Images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: spec, SandboxConfig: sandbox})
	if err != nil {
		m.recorder.Eventf(ref, corev1.EventTypeWarning, eventFailed, "Failed to pull image %q: %v", c.Image, err)
		m.backoff.Next(key, m.backoff.Now())
		m.mu.Lock()
		m.lastErr[key] = ReasonErrImagePull + ": " + err.Error()
		m.mu.Unlock()
		return "", &Error{Reason: ReasonErrImagePull, Message: err.Error()}
	}
	took := time.Since(start).Truncate(time.Millisecond)
	size := uint64(0)
	if st, err := m.rt.Images.ImageStatus(ctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: resp.ImageRef}}); err == nil && st.Image != nil {
		size = st.Image.Size
	}
	m.recorder.Eventf(ref, corev1.EventTypeNormal, eventPulled, "Successfully pulled image %q in %v (%v including waiting). Image size: %v bytes.", c.Image, took, took, size)
	m.backoff.GC()
	return resp.ImageRef, nil
}

// pathComponent is one lowercase path component of an image name (distribution's rule).
var pathComponent = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)

// withDefaultTag checks the reference and adds ":latest" to one with neither tag nor
// digest, as upstream does before asking the runtime.
func withDefaultTag(image string) (string, error) {
	invalid := func(why string) error {
		return fmt.Errorf("couldn't parse image name %q: invalid reference format%s", image, why)
	}
	if image == "" || strings.ContainsAny(image, " \t\n") {
		return "", invalid("")
	}
	name, _, hasDigest := strings.Cut(image, "@")
	tagged := false
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		name, tagged = name[:i], true
	}
	parts := strings.Split(name, "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	for _, p := range parts {
		if strings.ToLower(p) != p {
			return "", invalid(": repository name must be lowercase")
		}
		if !pathComponent.MatchString(p) {
			return "", invalid("")
		}
	}
	if hasDigest || tagged {
		return image, nil
	}
	return image + ":latest", nil
}

// AsWaiting turns an EnsureImage error into a waiting reason and message.
func AsWaiting(err error) (reason, message string) {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason, e.Message
	}
	return ReasonErrImagePull, err.Error()
}

package fakeruntime

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// image is one simulated image: names and an id, no content.
type image struct {
	id       string // "sha256:<64 hex>"
	repoTags []string
	size     uint64
}

// name is what container statuses report as the image.
func (i *image) name() string {
	if len(i.repoTags) > 0 {
		return i.repoTags[0]
	}
	return i.id
}

func (i *image) api() *runtimeapi.Image {
	return &runtimeapi.Image{Id: i.id, RepoTags: i.repoTags, Size: i.size, Spec: &runtimeapi.ImageSpec{Image: i.id}}
}

// normalizeImage turns a reference into the fully qualified form runtimes store:
// "busybox" -> "docker.io/library/busybox:latest", "skiff.local/x:v1" unchanged.
func normalizeImage(ref string) string {
	if strings.HasPrefix(ref, "sha256:") {
		return ref
	}
	name, digest, hasDigest := strings.Cut(ref, "@")
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		if !hasSlash {
			name = "library/" + name
		}
		name = "docker.io/" + name
	}
	if hasDigest {
		return name + "@" + digest
	}
	if i := strings.LastIndexByte(name, ':'); i < strings.LastIndexByte(name, '/') || i < 0 {
		name += ":latest"
	}
	return name
}

// addImage stores an image under its normalized name. The caller holds r.mu (or is New).
func (r *Runtime) addImage(ref string) *image {
	name := normalizeImage(ref)
	sum := sha256.Sum256([]byte(name))
	img := &image{id: fmt.Sprintf("sha256:%x", sum), repoTags: []string{name}, size: 1 << 20}
	r.images[img.id] = img
	return img
}

// findImageLocked finds an image by id, name or short name.
func (r *Runtime) findImageLocked(ref string) *image {
	if img, ok := r.images[ref]; ok {
		return img
	}
	want := normalizeImage(ref)
	for _, img := range r.images {
		for _, t := range img.repoTags {
			if t == want {
				return img
			}
		}
	}
	return nil
}

func (r *Runtime) ListImages(_ context.Context, _ *runtimeapi.ListImagesRequest) (*runtimeapi.ListImagesResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*runtimeapi.Image
	for _, img := range r.images {
		out = append(out, img.api())
	}
	return &runtimeapi.ListImagesResponse{Images: out}, nil
}

func (r *Runtime) ImageStatus(_ context.Context, req *runtimeapi.ImageStatusRequest) (*runtimeapi.ImageStatusResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	img := r.findImageLocked(req.GetImage().GetImage())
	if img == nil {
		// The CRI's way to say "not present": no image, no error.
		return &runtimeapi.ImageStatusResponse{}, nil
	}
	return &runtimeapi.ImageStatusResponse{Image: img.api()}, nil
}

func (r *Runtime) PullImage(_ context.Context, req *runtimeapi.PullImageRequest) (*runtimeapi.PullImageResponse, error) {
	ref := req.GetImage().GetImage()
	name := normalizeImage(ref)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recordLocked("PullImage %s", ref)
	if p := r.opts.PullFailPattern; p != nil && p.MatchString(name) {
		// containerd's wording for an image the registry does not have.
		return nil, status.Errorf(codes.NotFound, "failed to pull and unpack image %q: failed to resolve reference %q: %s: not found", name, name, name)
	}
	img := r.findImageLocked(ref)
	if img == nil {
		img = r.addImage(ref)
	}
	return &runtimeapi.PullImageResponse{ImageRef: img.id}, nil
}

func (r *Runtime) RemoveImage(_ context.Context, req *runtimeapi.RemoveImageRequest) (*runtimeapi.RemoveImageResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if img := r.findImageLocked(req.GetImage().GetImage()); img != nil {
		delete(r.images, img.id)
	}
	return &runtimeapi.RemoveImageResponse{}, nil
}

func (r *Runtime) ImageFsInfo(_ context.Context, _ *runtimeapi.ImageFsInfoRequest) (*runtimeapi.ImageFsInfoResponse, error) {
	return &runtimeapi.ImageFsInfoResponse{}, nil
}

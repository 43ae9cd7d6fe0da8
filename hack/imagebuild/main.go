// Command imagebuild builds Skiff's container images from Go sources in this repository,
// with no Docker and no registry: each image is one layer holding static binaries (and, for
// images a person execs into, a static busybox), written as an OCI image-layout archive that
// `ctr images import` loads into containerd.
//
//	go run ./hack/imagebuild -out _output/images            # every image
//	go run ./hack/imagebuild -out _output/images pause      # just one
//
// Builds are reproducible (fixed timestamps, sorted entries), so importing the same image
// twice is a no-op for containerd.
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// program is a Go main package compiled into the image at path.
type program struct {
	pkg     string // import path relative to the repo root
	path    string // where the binary lands in the image
	ldflags string
}

// image is one image to build.
type image struct {
	short      string // name for the command line
	ref        string // the image reference containerd will know it by
	programs   []program
	busybox    bool // add /bin/busybox and its applet links (sh, kill, cat, wget ...)
	entrypoint []string
	cmd        []string
	ports      []string // exposed ports, "8080/tcp"
}

// Busybox comes from Debian's busybox-static package (installed by hack/install-deps.sh).
const busyboxPath = "/bin/busybox"

var images = []image{
	{short: "pause", ref: "skiff.local/pause:3.10",
		programs:   []program{{pkg: "./hack/images/pause", path: "/pause"}},
		entrypoint: []string{"/pause"}},
	{short: "demo-app-v1", ref: "skiff.local/demo-app:v1",
		programs: []program{{pkg: "./hack/images/demo-app", path: "/app", ldflags: "-X main.version=v1"}},
		busybox:  true, entrypoint: []string{"/app"}, ports: []string{"8080/tcp"}},
	{short: "demo-app-v2", ref: "skiff.local/demo-app:v2",
		programs: []program{{pkg: "./hack/images/demo-app", path: "/app", ldflags: "-X main.version=v2"}},
		busybox:  true, entrypoint: []string{"/app"}, ports: []string{"8080/tcp"}},
	{short: "cpu-burner", ref: "skiff.local/cpu-burner:v1",
		programs: []program{{pkg: "./hack/images/cpu-burner", path: "/cpu-burner"}},
		busybox:  true, entrypoint: []string{"/cpu-burner"}, ports: []string{"8080/tcp"}},
	{short: "busybox", ref: "skiff.local/busybox:1.36",
		busybox: true, cmd: []string{"sh"}},
}

// epoch is the fixed timestamp of every file and of the image config.
var epoch = time.Unix(0, 0).UTC()

func main() {
	out := flag.String("out", "_output/images", "directory for the image archives")
	flag.Parse()
	want := map[string]bool{}
	for _, a := range flag.Args() {
		want[a] = true
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, img := range images {
		if len(want) > 0 && !want[img.short] {
			continue
		}
		file := filepath.Join(*out, img.short+".tar")
		if err := build(img, file); err != nil {
			log.Fatalf("build %s: %v", img.ref, err)
		}
		fmt.Printf("%s\t%s\n", img.ref, file)
	}
}

// build compiles the image's programs, packs its layer and writes the OCI archive.
func build(img image, file string) error {
	files := map[string]fileEntry{}
	dirs := []string{"bin", "etc", "tmp", "proc", "sys", "dev", "var", "var/run"}
	files["etc/passwd"] = fileEntry{mode: 0o644, data: []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")}
	files["etc/group"] = fileEntry{mode: 0o644, data: []byte("root:x:0:\nnogroup:x:65534:\n")}
	tmp, err := os.MkdirTemp("", "imagebuild")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, p := range img.programs {
		bin := filepath.Join(tmp, filepath.Base(p.path))
		args := []string{"build", "-trimpath", "-ldflags", strings.TrimSpace("-s -w " + p.ldflags), "-o", bin, p.pkg}
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s: %w", p.pkg, err)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			return err
		}
		files[strings.TrimPrefix(p.path, "/")] = fileEntry{mode: 0o755, data: data}
	}
	links := map[string]string{}
	if img.busybox {
		data, err := os.ReadFile(busyboxPath)
		if err != nil {
			return fmt.Errorf("read %s (install Debian's busybox-static): %w", busyboxPath, err)
		}
		files["bin/busybox"] = fileEntry{mode: 0o755, data: data}
		applets, err := exec.Command(busyboxPath, "--list").Output()
		if err != nil {
			return fmt.Errorf("list busybox applets: %w", err)
		}
		for _, a := range strings.Fields(string(applets)) {
			if a != "busybox" {
				links["bin/"+a] = "busybox"
			}
		}
	}
	layer, err := layerTar(dirs, files, links)
	if err != nil {
		return err
	}
	return writeArchive(img, layer, file)
}

type fileEntry struct {
	mode int64
	data []byte
}

// layerTar writes one uncompressed layer with sorted entries and fixed times.
func layerTar(dirs []string, files map[string]fileEntry, links map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, d := range dirs {
		mode := int64(0o755)
		if d == "tmp" {
			mode = 0o1777
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: mode, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := files[n]
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: f.mode, Size: int64(len(f.data)), ModTime: epoch}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	lnames := make([]string, 0, len(links))
	for n := range links {
		lnames = append(lnames, n)
	}
	sort.Strings(lnames)
	for _, n := range lnames {
		if _, exists := files[n]; exists {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: n, Linkname: links[n], Mode: 0o777, ModTime: epoch}); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// descriptor is an OCI content descriptor.
type descriptor struct {
	MediaType   string            `json:"mediaType"`
	Digest      string            `json:"digest"`
	Size        int64             `json:"size"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// writeArchive writes the OCI image layout (oci-layout, index.json, blobs) as a tar file.
func writeArchive(img image, layer []byte, file string) error {
	exposed := map[string]struct{}{}
	for _, p := range img.ports {
		exposed[p] = struct{}{}
	}
	cfg := map[string]any{
		"created":      epoch.Format(time.RFC3339),
		"architecture": "amd64",
		"os":           "linux",
		"config": map[string]any{
			"Env":          []string{"PATH=/bin:/usr/bin:/sbin:/usr/sbin"},
			"Entrypoint":   img.entrypoint,
			"Cmd":          img.cmd,
			"ExposedPorts": exposed,
			"WorkingDir":   "/",
		},
		"rootfs":  map[string]any{"type": "layers", "diff_ids": []string{digestOf(layer)}},
		"history": []map[string]any{{"created": epoch.Format(time.RFC3339), "created_by": "skiff hack/imagebuild"}},
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return err
	}
	manifest := map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.oci.image.manifest.v1+json",
		"config":        descriptor{MediaType: "application/vnd.oci.image.config.v1+json", Digest: digestOf(cfgJSON), Size: int64(len(cfgJSON))},
		"layers":        []descriptor{{MediaType: "application/vnd.oci.image.layer.v1.tar", Digest: digestOf(layer), Size: int64(len(layer))}},
	}
	manJSON, err := json.Marshal(manifest)
	if err != nil {
		return err
	}
	tag := img.ref[strings.LastIndex(img.ref, ":")+1:]
	index := map[string]any{
		"schemaVersion": 2,
		"manifests": []descriptor{{
			MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: digestOf(manJSON), Size: int64(len(manJSON)),
			Annotations: map[string]string{"io.containerd.image.name": img.ref, "org.opencontainers.image.ref.name": tag},
		}},
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return err
	}
	f, err := os.Create(file + ".tmp")
	if err != nil {
		return err
	}
	tw := tar.NewWriter(f)
	add := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: epoch}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	blob := func(b []byte) string { return "blobs/sha256/" + strings.TrimPrefix(digestOf(b), "sha256:") }
	for _, e := range []struct {
		name string
		data []byte
	}{
		{"oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`)},
		{"index.json", indexJSON},
		{blob(manJSON), manJSON},
		{blob(cfgJSON), cfgJSON},
		{blob(layer), layer},
	} {
		if err := add(e.name, e.data); err != nil {
			f.Close()
			return err
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(file+".tmp", file)
}

package volumes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File is one file of a configMap, secret, downwardAPI or projected volume.
type File struct {
	Data []byte
	Mode os.FileMode
}

// dataLink is the symlink that always points at the current payload directory.
const dataLink = "..data"

// writeAtomically publishes payload (relative path -> file) in dir so that a container
// reading it sees either the old set of files or the new one, never a mix. It is the
// layout upstream's AtomicWriter uses, which applications watching ConfigMap volumes rely
// on:
//
//	dir/..2024_05_01_10_00_00.123456789/   the payload (a fresh directory per version)
//	dir/..data -> ..2024_05_01_10_00_00.123456789
//	dir/<key>  -> ..data/<key>             one link per top-level name
//
// A new version is written into a new timestamped directory, then ..data is swapped with a
// rename (atomic on Linux), then the per-key links are fixed and the old directory removed.
// Nothing is written when the payload did not change. It reports whether it wrote.
func writeAtomically(dir string, payload map[string]File) (bool, error) {
	for p := range payload {
		if err := validatePayloadPath(p); err != nil {
			return false, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return false, err
	}
	oldTS, _ := os.Readlink(filepath.Join(dir, dataLink))
	if oldTS != "" && payloadUnchanged(filepath.Join(dir, oldTS), payload) {
		return false, nil
	}

	tsDir, err := os.MkdirTemp(dir, time.Now().UTC().Format("..2006_01_02_15_04_05."))
	if err != nil {
		return false, fmt.Errorf("create payload dir in %s: %w", dir, err)
	}
	for p, f := range payload {
		full := filepath.Join(tsDir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return false, err
		}
		if err := os.WriteFile(full, f.Data, f.Mode); err != nil {
			return false, fmt.Errorf("write %s: %w", full, err)
		}
		// WriteFile honours the umask; the volume's mode must be exact.
		if err := os.Chmod(full, f.Mode); err != nil {
			return false, err
		}
	}
	// MkdirTemp makes 0700 directories; readers in the container may run as another user.
	if err := os.Chmod(tsDir, 0o755); err != nil {
		return false, err
	}

	tmpLink := filepath.Join(dir, "..data_tmp")
	_ = os.Remove(tmpLink)
	if err := os.Symlink(filepath.Base(tsDir), tmpLink); err != nil {
		return false, fmt.Errorf("link new payload: %w", err)
	}
	if err := os.Rename(tmpLink, filepath.Join(dir, dataLink)); err != nil {
		return false, fmt.Errorf("swap payload: %w", err)
	}

	// Per-key links: create the new ones, remove those no longer in the payload.
	want := map[string]bool{}
	for p := range payload {
		top := strings.SplitN(p, "/", 2)[0]
		want[top] = true
	}
	for top := range want {
		link := filepath.Join(dir, top)
		if target, err := os.Readlink(link); err == nil && target == filepath.Join(dataLink, top) {
			continue
		}
		_ = os.RemoveAll(link)
		if err := os.Symlink(filepath.Join(dataLink, top), link); err != nil {
			return false, fmt.Errorf("link %s: %w", top, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "..") {
			if name != dataLink && name != filepath.Base(tsDir) {
				_ = os.RemoveAll(filepath.Join(dir, name))
			}
			continue
		}
		if !want[name] {
			_ = os.RemoveAll(filepath.Join(dir, name))
		}
	}
	return true, nil
}

// payloadUnchanged compares a published payload directory with a new payload.
func payloadUnchanged(tsDir string, payload map[string]File) bool {
	count := 0
	err := filepath.Walk(tsDir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		count++
		rel, _ := filepath.Rel(tsDir, path)
		f, ok := payload[rel]
		if !ok || info.Mode().Perm() != f.Mode.Perm() {
			return fmt.Errorf("differs")
		}
		data, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(data, f.Data) {
			return fmt.Errorf("differs")
		}
		return nil
	})
	return err == nil && count == len(payload)
}

// validatePayloadPath refuses paths that would escape the volume or collide with the
// writer's own "..names".
func validatePayloadPath(p string) error {
	switch {
	case p == "":
		return fmt.Errorf("invalid path: must not be empty")
	case filepath.IsAbs(p):
		return fmt.Errorf("invalid path %q: must be relative", p)
	case strings.HasPrefix(p, ".."):
		return fmt.Errorf("invalid path %q: must not start with '..'", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return fmt.Errorf("invalid path %q: must not contain '..'", p)
		}
	}
	return nil
}

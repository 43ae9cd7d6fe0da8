package volumes

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/clienttest"
)

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "..2") {
			name = "..<timestamp>"
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

func TestAtomicWriterLayoutAndUpdate(t *testing.T) {
	dir := t.TempDir()
	wrote, err := writeAtomically(dir, map[string]File{"a": {Data: []byte("1"), Mode: 0o644}, "sub/b": {Data: []byte("2"), Mode: 0o600}})
	if err != nil || !wrote {
		t.Fatalf("first write: %v %v", wrote, err)
	}
	if got, want := strings.Join(listDir(t, dir), ","), "..<timestamp>,..data,a,sub"; got != want {
		t.Errorf("layout %s, want %s", got, want)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "a")); target != "..data/a" {
		t.Errorf("a -> %s", target)
	}
	if info, _ := os.Stat(filepath.Join(dir, "sub", "b")); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", info.Mode())
	}
	// Unchanged payload: nothing written.
	if wrote, _ := writeAtomically(dir, map[string]File{"a": {Data: []byte("1"), Mode: 0o644}, "sub/b": {Data: []byte("2"), Mode: 0o600}}); wrote {
		t.Error("an unchanged payload was rewritten")
	}
	// New payload: a swapped, sub gone, c added, the old version removed.
	if _, err := writeAtomically(dir, map[string]File{"a": {Data: []byte("3"), Mode: 0o644}, "c": {Data: []byte("4"), Mode: 0o644}}); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(listDir(t, dir), ","), "..<timestamp>,..data,a,c"; got != want {
		t.Errorf("layout after update %s, want %s", got, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "3" {
		t.Errorf("a = %q", b)
	}
	if _, err := writeAtomically(dir, map[string]File{"../escape": {}}); err == nil {
		t.Error("a path escaping the volume must be refused")
	}
}

func TestConfigMapSecretAndDownwardAPIVolumes(t *testing.T) {
	cm := &corev1.ConfigMap{TypeMeta: metav1.TypeMeta{Kind: "ConfigMap", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "cm", Namespace: "ns"}, Data: map[string]string{"k1": "v1", "k2": "v2"}}
	sec := &corev1.Secret{TypeMeta: metav1.TypeMeta{Kind: "Secret", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: "s", Namespace: "ns"}, Data: map[string][]byte{"pw": []byte("x")}}
	m := NewManager(t.TempDir(), client.NewClientset(clienttest.New(cm, sec)))
	mode := int32(0o400)
	optional := true
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1", Labels: map[string]string{"b": "2", "a": "1"}},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "c", Resources: corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceCPU: mustParse("1500m")}}}},
			Volumes: []corev1.Volume{
				{Name: "cfg", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}, Items: []corev1.KeyToPath{{Key: "k2", Path: "dir/two", Mode: &mode}}}}},
				{Name: "sec", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "s"}}},
				{Name: "opt", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}, Optional: &optional}}},
				{Name: "info", VolumeSource: corev1.VolumeSource{DownwardAPI: &corev1.DownwardAPIVolumeSource{Items: []corev1.DownwardAPIVolumeFile{
					{Path: "labels", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.labels"}},
					{Path: "name", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}},
					{Path: "cpu", ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "c", Resource: "limits.cpu"}},
				}}}},
				{Name: "proj", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cm"}}},
					{DownwardAPI: &corev1.DownwardAPIProjection{Items: []corev1.DownwardAPIVolumeFile{{Path: "ns", FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.namespace"}}}}},
				}}}},
			},
		}}
	vols, err := m.SetUp(context.Background(), pod)
	if err != nil {
		t.Fatal(err)
	}
	read := func(vol, file string) string {
		b, err := os.ReadFile(filepath.Join(vols[vol].HostPath, file))
		if err != nil {
			t.Errorf("%s/%s: %v", vol, file, err)
		}
		return string(b)
	}
	if read("cfg", "dir/two") != "v2" || read("sec", "pw") != "x" || read("info", "labels") != "a=\"1\"\nb=\"2\"" ||
		read("info", "name") != "p" || read("info", "cpu") != "2" || read("proj", "k1") != "v1" || read("proj", "ns") != "ns" {
		t.Error("unexpected volume contents")
	}
	if info, _ := os.Stat(filepath.Join(vols["cfg"].HostPath, "dir/two")); info.Mode().Perm() != 0o400 {
		t.Errorf("item mode %v", info.Mode())
	}
	if !vols["cfg"].ReadOnly || !vols["sec"].ReadOnly {
		t.Error("configMap and secret volumes are read-only")
	}
	if _, err := os.Stat(filepath.Join(vols["cfg"].HostPath, "k1")); !os.IsNotExist(err) {
		t.Error("items limit the files to the listed keys")
	}

	pod.Spec.Volumes = []corev1.Volume{{Name: "bad", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: "absent"}}}}}
	if _, err := m.SetUp(context.Background(), pod); err == nil || !strings.Contains(err.Error(), `MountVolume.SetUp failed for volume "bad" : configmap "absent" not found`) {
		t.Errorf("missing configmap: %v", err)
	}
	pod.Spec.Volumes = []corev1.Volume{{Name: "pvc", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "x"}}}}
	if _, err := m.SetUp(context.Background(), pod); err == nil || !strings.Contains(err.Error(), "persistentVolumeClaim volumes are not implemented") {
		t.Errorf("pvc: %v", err)
	}
	if err := m.TearDown("u1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m.PodDir("u1")); !os.IsNotExist(err) {
		t.Error("teardown leaves the pod directory")
	}
}

func TestHostPathTypes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	typ := func(t corev1.HostPathType) *corev1.HostPathType { return &t }
	cases := []struct {
		path string
		typ  corev1.HostPathType
		ok   bool
	}{
		{dir, corev1.HostPathDirectory, true},
		{file, corev1.HostPathDirectory, false},
		{file, corev1.HostPathFile, true},
		{dir, corev1.HostPathFile, false},
		{filepath.Join(dir, "new"), corev1.HostPathDirectoryOrCreate, true},
		{filepath.Join(dir, "newfile"), corev1.HostPathFileOrCreate, true},
		{filepath.Join(dir, "missing"), corev1.HostPathDirectory, false},
		{dir, corev1.HostPathSocket, false},
		{filepath.Join(dir, "anything"), corev1.HostPathUnset, true},
	}
	for _, c := range cases {
		err := checkHostPath(&corev1.HostPathVolumeSource{Path: c.path, Type: typ(c.typ)})
		if (err == nil) != c.ok {
			t.Errorf("%s %s: %v", c.typ, c.path, err)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, "new")); err != nil || !info.IsDir() {
		t.Error("DirectoryOrCreate creates a directory")
	}
}

func TestSubPathEscapes(t *testing.T) {
	vol := t.TempDir()
	os.Symlink("/etc", filepath.Join(vol, "link"))
	if _, err := SubPath(vol, "../x"); err == nil {
		t.Error("'..' must be refused")
	}
	if _, err := SubPath(vol, "link"); err == nil {
		t.Error("a symlink leaving the volume must be refused")
	}
	p, err := SubPath(vol, "a/b")
	if err != nil || !strings.HasSuffix(p, "a/b") {
		t.Errorf("subPath a/b: %s %v", p, err)
	}
}

func TestMemoryEmptyDirIsTmpfs(t *testing.T) {
	m := NewManager(t.TempDir(), nil)
	size := mustParse("8Mi")
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: "mem"}, Spec: corev1.PodSpec{Volumes: []corev1.Volume{
		{Name: "cache", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: &size}}},
	}}}
	vols, err := m.SetUp(context.Background(), pod)
	if err != nil {
		t.Fatal(err)
	}
	dir := vols["cache"].HostPath
	if !isMountPoint(dir) {
		t.Skip("mounting tmpfs is not permitted here (the volume fell back to a directory)")
	}
	if info, _ := os.Stat(dir); info.Mode().Perm() != 0o777 {
		t.Errorf("emptyDir mode %v", info.Mode())
	}
	// SetUp again does not mount twice.
	if _, err := m.SetUp(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	if err := m.TearDown("mem"); err != nil {
		t.Fatalf("teardown: %v", err)
	}
	if isMountPoint(dir) {
		t.Error("tmpfs still mounted after teardown")
	}
}

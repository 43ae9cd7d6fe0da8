package deployment

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"maps"
	"reflect"
	"strconv"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// This file names ReplicaSets after their pod template, and tells whether a ReplicaSet runs
// the Deployment's current template.
//
// Each template gets one ReplicaSet, "<deployment>-<hash>", and the hash also becomes the
// pod-template-hash label on the ReplicaSet's selector, template and pods, so the
// ReplicaSets of one Deployment never select each other's pods.
//
// Upstream hashes the template with FNV-32a over a deep printout of the Go struct; that
// printout is an implementation detail of its printer, so Skiff hashes the template's JSON
// (encoding/json writes struct fields in declaration order and map keys sorted: stable
// across restarts and processes). Hashes differ from upstream's, which matters to no one:
// the hash is only compared with hashes Skiff computed, and a ReplicaSet is recognized as
// "the new one" by comparing templates, not hashes.

// computeHash returns the pod-template-hash of a template: FNV-32a of its JSON, then of the
// collision count when there is one (a Deployment bumps status.collisionCount when its
// hash is already taken by a ReplicaSet with another template, which gives the next
// attempt another name), written as a decimal number re-encoded in the alphabet of
// generated names (no vowels, no look-alike characters: never a word, never "0O1l").
func computeHash(template *corev1.PodTemplateSpec, collisionCount *int32) string {
	h := fnv.New32a()
	raw, err := json.Marshal(template)
	if err != nil {
		// A template that came out of the API always marshals.
		panic("marshal pod template: " + err.Error())
	}
	h.Write(raw)
	if collisionCount != nil {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b, uint32(*collisionCount))
		h.Write(b)
	}
	return safeEncodeString(strconv.FormatUint(uint64(h.Sum32()), 10))
}

// safeAlphabet is the alphabet of generated names (upstream's rand.SafeEncodeString).
const safeAlphabet = "bcdfghjklmnpqrstvwxz2456789"

// safeEncodeString maps each byte of s to a character of safeAlphabet.
func safeEncodeString(s string) string {
	out := make([]byte, len(s))
	for i := 0; i < len(s); i++ {
		out[i] = safeAlphabet[int(s[i])%len(safeAlphabet)]
	}
	return string(out)
}

// equalIgnoreHash reports whether two pod templates are the same apart from the
// pod-template-hash label: whether a ReplicaSet runs the Deployment's template. Like
// upstream's semantic equality, a missing and an empty list or map are the same.
func equalIgnoreHash(a, b *corev1.PodTemplateSpec) bool {
	return reflect.DeepEqual(templateShape(a), templateShape(b))
}

// templateShape is the template as generic JSON without the hash label and without empty
// values, the form in which templates are compared.
func templateShape(t *corev1.PodTemplateSpec) any {
	c := *t
	if _, ok := c.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; ok {
		c.Labels = maps.Clone(c.Labels)
		delete(c.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	}
	raw, err := json.Marshal(&c)
	if err != nil {
		panic("marshal pod template: " + err.Error())
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return pruneEmpty(v)
}

// pruneEmpty drops nulls, empty lists and empty objects, recursively.
func pruneEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e = pruneEmpty(e); e == nil {
				delete(x, k)
			} else {
				x[k] = e
			}
		}
		if len(x) == 0 {
			return nil
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i := range x {
			x[i] = pruneEmpty(x[i])
		}
	}
	return v
}

// replicaSetName is "<deployment>-<hash>", the deployment part shortened if needed to
// keep the name a valid (253 characters) object name.
func replicaSetName(deployment, hash string) string {
	const maxNameLength = 253
	if room := maxNameLength - 1 - len(hash); len(deployment) > room && room > 0 {
		deployment = deployment[:room]
	}
	return deployment + "-" + hash
}

// withLabel returns a copy of lbls with key=value added.
func withLabel(lbls map[string]string, key, value string) map[string]string {
	out := maps.Clone(lbls)
	if out == nil {
		out = map[string]string{}
	}
	out[key] = value
	return out
}

// selectorWithLabel returns a copy of sel that also requires key=value.
func selectorWithLabel(sel *metav1.LabelSelector, key, value string) *metav1.LabelSelector {
	out := &metav1.LabelSelector{}
	if sel != nil {
		out = metav1.DeepCopy(sel)
	}
	out.MatchLabels = withLabel(out.MatchLabels, key, value)
	return out
}

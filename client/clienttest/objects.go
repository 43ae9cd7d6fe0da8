package clienttest

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/skiff-k8s/skiff/api/fields"
	"github.com/skiff-k8s/skiff/api/labels"
)

// The fake keeps objects as decoded JSON (map[string]any): it serves every kind the same
// way, and what tests read back is exactly what went over the "wire".
type object = map[string]any

func decodeObject(body []byte) (object, error) {
	var m object
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("decode request body: %w", err)
	}
	if m == nil {
		m = object{}
	}
	return m, nil
}

// deepCopy copies an object through JSON, so stored state never aliases what callers hold.
func deepCopy(m object) object {
	raw, _ := json.Marshal(m)
	var out object
	_ = json.Unmarshal(raw, &out)
	return out
}

// metaOf returns the object's metadata map, creating it if absent.
func metaOf(m object) object {
	meta, ok := m["metadata"].(object)
	if !ok {
		meta = object{}
		m["metadata"] = meta
	}
	return meta
}

func str(m object, key string) string {
	s, _ := m[key].(string)
	return s
}

// lookup follows a dotted path ("spec.nodeName") through nested maps.
func lookup(m object, path string) (any, bool) {
	var cur any = m
	for _, part := range strings.Split(path, ".") {
		obj, ok := cur.(object)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// fieldString renders a field value the way field selectors compare it.
func fieldString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	raw, _ := json.Marshal(v)
	return string(raw)
}

// selectors holds a list or watch's label and field selectors.
type selectors struct {
	labels labels.Selector
	fields fields.Selector
}

func parseSelectors(q map[string][]string) (selectors, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ls, err := labels.Parse(get("labelSelector"))
	if err != nil {
		return selectors{}, err
	}
	fs, err := fields.ParseSelector(get("fieldSelector"))
	if err != nil {
		return selectors{}, err
	}
	return selectors{labels: ls, fields: fs}, nil
}

// matches applies both selectors; field selectors may name any JSON path of the object
// (the real server allows only a few per kind, which the code under test must respect).
func (s selectors) matches(m object) bool {
	meta := metaOf(m)
	lbls := map[string]string{}
	if raw, ok := meta["labels"].(object); ok {
		for k, v := range raw {
			lbls[k], _ = v.(string)
		}
	}
	if !s.labels.Matches(lbls) {
		return false
	}
	set := fields.Set{}
	for _, r := range s.fields.Requirements() {
		v, _ := lookup(m, r.Field)
		set[r.Field] = fieldString(v)
	}
	return s.fields.Matches(set)
}

// newUID returns a random RFC 4122 version 4 UUID, like the API server's uids.
func newUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// generateNameSuffix returns the 5 random characters the API server appends to a
// generateName prefix (its alphabet avoids vowels and look-alike characters).
func generateNameSuffix() string {
	const alphabet = "bcdfghjklmnpqrstvwxz2456789"
	out := make([]byte, 5)
	for i := range out {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		out[i] = alphabet[n.Int64()]
	}
	return string(out)
}

package handlers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/apiserver/storage"
)

// The stored form of an object is its JSON without kind, apiVersion and resourceVersion:
// the key says what it is, and etcd's mod revision is its version. Serving it therefore
// means adding those three back. For resources stored in the version they are served in,
// that is done on the bytes (see appendWithResourceVersion), so gets, lists and watches never
// decode and re-encode objects they only pass through.

// encode returns the stored form of obj, converted to the storage version if needed.
func (r *Resource) encode(obj metav1.Object) ([]byte, error) {
	if r.info.ToStorage != nil {
		converted, err := r.info.ToStorage(obj)
		if err != nil {
			return nil, fmt.Errorf("convert %s to its storage version: %w", r.gk, err)
		}
		obj = converted
	}
	tm := obj.GetTypeMeta()
	savedType := *tm
	m := obj.GetObjectMeta()
	savedRV := m.ResourceVersion
	*tm = metav1.TypeMeta{}
	m.ResourceVersion = ""
	b, err := json.Marshal(obj)
	*tm = savedType
	m.ResourceVersion = savedRV
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", r.gk, err)
	}
	return b, nil
}

// newStored returns an empty object of the stored type.
func (r *Resource) newStored() metav1.Object {
	if r.info.FromStorage != nil && r.info.NewStorage != nil {
		return r.info.NewStorage()
	}
	return r.info.New()
}

// decode turns a stored key into an object of this resource's version, with kind,
// apiVersion and resourceVersion set.
func (r *Resource) decode(kv storage.KeyValue) (metav1.Object, error) {
	return r.decodeAt(kv.Value, kv.ModRevision)
}

func (r *Resource) decodeAt(value []byte, rev int64) (metav1.Object, error) {
	obj := r.newStored()
	if err := json.Unmarshal(value, obj); err != nil {
		return nil, fmt.Errorf("decode stored %s: %w", r.gk, err)
	}
	if r.info.FromStorage != nil {
		converted, err := r.info.FromStorage(obj)
		if err != nil {
			return nil, fmt.Errorf("convert stored %s: %w", r.gk, err)
		}
		obj = converted
	}
	*obj.GetTypeMeta() = r.typeMeta
	obj.GetObjectMeta().ResourceVersion = strconv.FormatInt(rev, 10)
	return obj, nil
}

// objectJSON returns the JSON a client sees for a stored value at revision rev: with kind
// and apiVersion (withType) as in a get or a watch event, or without as list items are.
func (r *Resource) objectJSON(value []byte, rev int64, withType bool) ([]byte, error) {
	return r.appendObjectJSON(nil, value, rev, withType)
}

// appendObjectJSON is objectJSON appending to dst.
func (r *Resource) appendObjectJSON(dst, value []byte, rev int64, withType bool) ([]byte, error) {
	if r.info.FromStorage == nil {
		var prefix []byte
		if withType {
			prefix = r.typePrefix
		}
		if b, ok := appendWithResourceVersion(dst, value, rev, prefix); ok {
			return b, nil
		}
	}
	obj, err := r.decodeAt(value, rev)
	if err != nil {
		return nil, err
	}
	if !withType {
		*obj.GetTypeMeta() = metav1.TypeMeta{}
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	return append(dst, b...), nil
}

// marshal renders an object for a response, with its kind and apiVersion.
func (r *Resource) marshal(obj metav1.Object) ([]byte, error) {
	*obj.GetTypeMeta() = r.typeMeta
	return json.Marshal(obj)
}

// metadataOpen is how every stored object starts: encoding/json writes struct fields in
// order, TypeMeta's are empty and omitted, so ObjectMeta comes first.
var metadataOpen = []byte(`{"metadata":{`)

// appendWithResourceVersion appends to dst a stored object with "resourceVersion" inserted
// into its metadata where upstream's field order puts it (after name, generateName,
// namespace, selfLink and uid), starting with typePrefix (`{"kind":...,"apiVersion":...,`)
// when given. It reports false when value is not in the shape encode produces, and the
// caller then decodes instead.
func appendWithResourceVersion(dst, value []byte, rev int64, typePrefix []byte) ([]byte, bool) {
	if !bytes.HasPrefix(value, metadataOpen) {
		return nil, false
	}
	// Walk the leading string-valued fields of metadata to find where resourceVersion goes.
	i := len(metadataOpen)
	insertAt := i
	for i < len(value) && value[i] == '"' {
		keyEnd := endOfString(value, i)
		if keyEnd < 0 || keyEnd+1 >= len(value) || value[keyEnd] != ':' {
			return nil, false
		}
		key := string(value[i+1 : keyEnd-1])
		if key != "name" && key != "generateName" && key != "namespace" && key != "selfLink" && key != "uid" {
			break
		}
		if value[keyEnd+1] != '"' {
			return nil, false
		}
		valEnd := endOfString(value, keyEnd+1)
		if valEnd < 0 || valEnd >= len(value) {
			return nil, false
		}
		insertAt = valEnd // just after the closing quote of the value
		if value[valEnd] != ',' {
			break
		}
		i = valEnd + 1
	}

	var rvBuf [20]byte
	rv := strconv.AppendInt(rvBuf[:0], rev, 10)
	out := dst
	if out == nil {
		out = make([]byte, 0, len(typePrefix)+len(value)+len(rv)+24)
	}
	if typePrefix != nil {
		out = append(out, typePrefix...)
		out = append(out, value[1:insertAt]...) // drop the object's own '{'
	} else {
		out = append(out, value[:insertAt]...)
	}
	first := insertAt == len(metadataOpen)
	if !first {
		out = append(out, ',')
	}
	out = append(out, `"resourceVersion":"`...)
	out = append(out, rv...)
	out = append(out, '"')
	if first && value[insertAt] != '}' {
		out = append(out, ',')
	}
	out = append(out, value[insertAt:]...)
	return out, true
}

// endOfString returns the index just after the JSON string starting at b[start] (a quote),
// or -1 if it does not end.
func endOfString(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// formatRev renders a revision as a resourceVersion.
func formatRev(rev int64) string { return strconv.FormatInt(rev, 10) }

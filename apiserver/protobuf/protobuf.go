// Package protobuf reads request bodies in Kubernetes' protobuf encoding
// (Content-Type application/vnd.kubernetes.protobuf). client-go's generated clients (and so
// kubectl 1.32+ `create` commands) send built-in objects this way by default; they accept
// JSON answers, so Skiff only ever needs to read protobuf, never to write it.
//
// A body is the 4 bytes "k8s\x00" followed by an envelope message (upstream's
// runtime.Unknown) naming the kind and apiVersion and carrying the object's own message.
// Objects are decoded straight into Skiff's Go types, steered by the same struct tags
// upstream's types carry (`protobuf:"bytes,2,rep,name=containers"`: field number 2); the
// few types upstream encodes specially (Time, MicroTime, Duration, Quantity, IntOrString,
// raw JSON) are decoded by hand here.
//
// Promise: a message decodes into exactly the Go value the equivalent JSON would; a
// non-empty field the Go type has no tag for is an error naming the type and the number,
// never a silently dropped value.
package protobuf

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/skiff-k8s/skiff/api/intstr"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

// MediaType is the Content-Type of protobuf bodies.
const MediaType = "application/vnd.kubernetes.protobuf"

// magic starts every protobuf body.
var magic = []byte("k8s\x00")

// Envelope is what a protobuf body says about the object it carries.
type Envelope struct {
	APIVersion string
	Kind       string
	// Raw is the object's message.
	Raw []byte
}

// DecodeEnvelope reads the prefix and envelope of a protobuf body.
func DecodeEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if !bytes.HasPrefix(body, magic) {
		return env, errors.New("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
	}
	r := reader{b: body[len(magic):]}
	for !r.done() {
		num, wt, err := r.key()
		if err != nil {
			return env, err
		}
		switch {
		case num == 1 && wt == wireBytes: // typeMeta
			tm, err := r.bytes()
			if err != nil {
				return env, err
			}
			tr := reader{b: tm}
			for !tr.done() {
				n, w, err := tr.key()
				if err != nil {
					return env, err
				}
				if w != wireBytes {
					if err := tr.skip(w); err != nil {
						return env, err
					}
					continue
				}
				v, err := tr.bytes()
				if err != nil {
					return env, err
				}
				switch n {
				case 1:
					env.APIVersion = string(v)
				case 2:
					env.Kind = string(v)
				}
			}
		case num == 2 && wt == wireBytes: // raw
			raw, err := r.bytes()
			if err != nil {
				return env, err
			}
			env.Raw = raw
		default: // contentEncoding, contentType: unused
			if err := r.skip(wt); err != nil {
				return env, err
			}
		}
	}
	return env, nil
}

// Unmarshal decodes an object's message into v, a pointer to a struct with protobuf tags.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("protobuf: Unmarshal needs a pointer to a struct, not %T", v)
	}
	return decodeMessage(data, rv.Elem())
}

// Wire types.
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// fieldInfo locates one tagged field of a struct.
type fieldInfo struct {
	index []int
	name  string
}

// messageInfo maps a struct's field numbers to its fields.
type messageInfo struct {
	fields map[int]fieldInfo
}

var infos sync.Map // reflect.Type -> *messageInfo

func infoFor(t reflect.Type) *messageInfo {
	if mi, ok := infos.Load(t); ok {
		return mi.(*messageInfo)
	}
	mi := &messageInfo{fields: map[int]fieldInfo{}}
	collectFields(t, nil, mi)
	actual, _ := infos.LoadOrStore(t, mi)
	return actual.(*messageInfo)
}

// collectFields reads the protobuf tags of t's fields. An embedded struct without a tag
// (TypeMeta, whose content travels in the envelope) contributes nothing.
func collectFields(t reflect.Type, index []int, mi *messageInfo) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("protobuf")
		if tag == "" {
			continue
		}
		parts := strings.Split(tag, ",")
		if len(parts) < 2 {
			continue
		}
		num, err := strconv.Atoi(parts[1])
		if err != nil {
			continue
		}
		mi.fields[num] = fieldInfo{index: append(append([]int{}, index...), i), name: f.Name}
	}
}

func decodeMessage(b []byte, v reflect.Value) error {
	mi := infoFor(v.Type())
	r := reader{b: b}
	for !r.done() {
		num, wt, err := r.key()
		if err != nil {
			return err
		}
		f, ok := mi.fields[num]
		if !ok {
			// Upstream's encoder writes every non-pointer field, empty or not. A field
			// Skiff does not model may pass when empty: nothing is lost.
			if zero, err := r.skipZero(wt); err != nil {
				return err
			} else if zero {
				continue
			}
			if len(mi.fields) == 0 {
				return fmt.Errorf("protobuf: Go type %s has no protobuf tags; Skiff cannot read protobuf bodies for it yet (send JSON)", v.Type())
			}
			return fmt.Errorf("protobuf: field %d of %s is not known to Skiff", num, v.Type())
		}
		if err := decodeValue(&r, wt, v.FieldByIndex(f.index)); err != nil {
			return fmt.Errorf("%s.%s: %w", v.Type().Name(), f.name, err)
		}
	}
	return nil
}

var (
	timeType      = reflect.TypeFor[metav1.Time]()
	microTimeType = reflect.TypeFor[metav1.MicroTime]()
	durationType  = reflect.TypeFor[metav1.Duration]()
	quantityType  = reflect.TypeFor[resource.Quantity]()
	intOrStrType  = reflect.TypeFor[intstr.IntOrString]()
	rawJSONType   = reflect.TypeFor[json.RawMessage]()
)

// decodeValue decodes one occurrence of a field into v.
func decodeValue(r *reader, wt int, v reflect.Value) error {
	t := v.Type()
	switch t {
	case timeType, microTimeType, durationType, quantityType, intOrStrType, rawJSONType:
		b, err := r.bytesOf(wt)
		if err != nil {
			return err
		}
		return decodeSpecial(b, v)
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		return decodeValue(r, wt, v.Elem())
	case reflect.Struct:
		b, err := r.bytesOf(wt)
		if err != nil {
			return err
		}
		return decodeMessage(b, v)
	case reflect.Map:
		b, err := r.bytesOf(wt)
		if err != nil {
			return err
		}
		return decodeMapEntry(b, v)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			b, err := r.bytesOf(wt)
			if err != nil {
				return err
			}
			v.SetBytes(bytes.Clone(b))
			return nil
		}
		if wt == wireBytes && isScalar(t.Elem().Kind()) {
			// Packed repeated scalars.
			b, err := r.bytes()
			if err != nil {
				return err
			}
			pr := reader{b: b}
			for !pr.done() {
				e := reflect.New(t.Elem()).Elem()
				if err := decodeValue(&pr, scalarWire(t.Elem().Kind()), e); err != nil {
					return err
				}
				v.Set(reflect.Append(v, e))
			}
			return nil
		}
		e := reflect.New(t.Elem()).Elem()
		if err := decodeValue(r, wt, e); err != nil {
			return err
		}
		v.Set(reflect.Append(v, e))
		return nil
	case reflect.String:
		b, err := r.bytesOf(wt)
		if err != nil {
			return err
		}
		v.SetString(string(b))
		return nil
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64:
		if wt != wireVarint {
			return fmt.Errorf("wire type %d for an integer", wt)
		}
		u, err := r.varint()
		if err != nil {
			return err
		}
		switch t.Kind() {
		case reflect.Bool:
			v.SetBool(u != 0)
		case reflect.Uint32, reflect.Uint64:
			v.SetUint(u)
		default:
			v.SetInt(int64(u))
		}
		return nil
	case reflect.Float64, reflect.Float32:
		switch wt {
		case wireFixed64:
			u, err := r.fixed64()
			if err != nil {
				return err
			}
			v.SetFloat(math.Float64frombits(u))
		case wireFixed32:
			u, err := r.fixed32()
			if err != nil {
				return err
			}
			v.SetFloat(float64(math.Float32frombits(u)))
		default:
			return fmt.Errorf("wire type %d for a float", wt)
		}
		return nil
	}
	return fmt.Errorf("protobuf: cannot decode into Go type %s", t)
}

func isScalar(k reflect.Kind) bool {
	switch k {
	case reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

func scalarWire(k reflect.Kind) int {
	switch k {
	case reflect.Float64:
		return wireFixed64
	case reflect.Float32:
		return wireFixed32
	}
	return wireVarint
}

// decodeMapEntry decodes one map entry message {1: key, 2: value} into the map v.
func decodeMapEntry(b []byte, v reflect.Value) error {
	t := v.Type()
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	key := reflect.New(t.Key()).Elem()
	val := reflect.New(t.Elem()).Elem()
	r := reader{b: b}
	for !r.done() {
		num, wt, err := r.key()
		if err != nil {
			return err
		}
		switch num {
		case 1:
			err = decodeValue(&r, wt, key)
		case 2:
			err = decodeValue(&r, wt, val)
		default:
			err = r.skip(wt)
		}
		if err != nil {
			return err
		}
	}
	v.SetMapIndex(key, val)
	return nil
}

// decodeSpecial decodes the types upstream encodes with their own messages.
func decodeSpecial(b []byte, v reflect.Value) error {
	fields, err := scalarFields(b)
	if err != nil {
		return err
	}
	switch v.Type() {
	case timeType, microTimeType:
		// Timestamp{seconds = 1, nanos = 2}. Upstream writes the zero time as an empty
		// message, and reads back no more precision than JSON keeps: whole seconds for
		// Time, microseconds for MicroTime.
		var tm time.Time
		if len(b) > 0 {
			secs, nanos := int64(fields[1].u), int64(int32(fields[2].u))
			if v.Type() == timeType {
				nanos = 0
			}
			tm = time.Unix(secs, nanos).Truncate(time.Microsecond).Local()
		}
		if v.Type() == timeType {
			v.Set(reflect.ValueOf(metav1.Time{Time: tm}))
		} else {
			v.Set(reflect.ValueOf(metav1.MicroTime{Time: tm}))
		}
	case durationType:
		v.Set(reflect.ValueOf(metav1.Duration{Duration: time.Duration(int64(fields[1].u))}))
	case quantityType:
		// Quantity{string = 1}; a message without the string is the zero quantity.
		f, ok := fields[1]
		if !ok {
			v.Set(reflect.Zero(v.Type()))
			return nil
		}
		q, err := resource.ParseQuantity(string(f.b))
		if err != nil {
			return fmt.Errorf("quantity %q: %w", f.b, err)
		}
		v.Set(reflect.ValueOf(q))
	case intOrStrType:
		v.Set(reflect.ValueOf(intstr.IntOrString{
			Type: intstr.Type(int64(fields[1].u)), IntVal: int32(fields[2].u), StrVal: string(fields[3].b),
		}))
	case rawJSONType:
		// runtime.RawExtension and FieldsV1 both carry their JSON as field 1.
		if len(fields[1].b) > 0 {
			v.SetBytes(bytes.Clone(fields[1].b))
		}
	}
	return nil
}

// scalar is a field of a small fixed message.
type scalar struct {
	u uint64
	b []byte
}

// scalarFields reads a flat message into field number -> value.
func scalarFields(b []byte) (map[int]scalar, error) {
	out := map[int]scalar{}
	r := reader{b: b}
	for !r.done() {
		num, wt, err := r.key()
		if err != nil {
			return nil, err
		}
		switch wt {
		case wireVarint:
			u, err := r.varint()
			if err != nil {
				return nil, err
			}
			out[num] = scalar{u: u}
		case wireBytes:
			v, err := r.bytes()
			if err != nil {
				return nil, err
			}
			out[num] = scalar{b: v}
		default:
			if err := r.skip(wt); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// reader walks the protobuf wire format.
type reader struct {
	b []byte
}

var errTruncated = errors.New("protobuf: truncated message")

func (r *reader) done() bool { return len(r.b) == 0 }

func (r *reader) varint() (uint64, error) {
	u, n := binary.Uvarint(r.b)
	if n <= 0 {
		return 0, errTruncated
	}
	r.b = r.b[n:]
	return u, nil
}

func (r *reader) key() (num, wt int, err error) {
	u, err := r.varint()
	if err != nil {
		return 0, 0, err
	}
	if u>>3 == 0 || u>>3 > math.MaxInt32 {
		return 0, 0, fmt.Errorf("protobuf: invalid field number %d", u>>3)
	}
	return int(u >> 3), int(u & 7), nil
}

func (r *reader) bytes() ([]byte, error) {
	n, err := r.varint()
	if err != nil {
		return nil, err
	}
	if n > uint64(len(r.b)) {
		return nil, errTruncated
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v, nil
}

// bytesOf reads a length-delimited value, which wt must announce.
func (r *reader) bytesOf(wt int) ([]byte, error) {
	if wt != wireBytes {
		return nil, fmt.Errorf("wire type %d where a length-delimited value belongs", wt)
	}
	return r.bytes()
}

func (r *reader) fixed64() (uint64, error) {
	if len(r.b) < 8 {
		return 0, errTruncated
	}
	u := binary.LittleEndian.Uint64(r.b)
	r.b = r.b[8:]
	return u, nil
}

func (r *reader) fixed32() (uint32, error) {
	if len(r.b) < 4 {
		return 0, errTruncated
	}
	u := binary.LittleEndian.Uint32(r.b)
	r.b = r.b[4:]
	return u, nil
}

// skipZero passes over a value and reports whether it was empty (0, "", an empty message).
func (r *reader) skipZero(wt int) (bool, error) {
	switch wt {
	case wireVarint:
		u, err := r.varint()
		return u == 0, err
	case wireFixed64:
		u, err := r.fixed64()
		return u == 0, err
	case wireBytes:
		b, err := r.bytes()
		return len(b) == 0, err
	case wireFixed32:
		u, err := r.fixed32()
		return u == 0, err
	}
	return false, fmt.Errorf("protobuf: unsupported wire type %d", wt)
}

// skip passes over a value of wire type wt.
func (r *reader) skip(wt int) error {
	var err error
	switch wt {
	case wireVarint:
		_, err = r.varint()
	case wireFixed64:
		_, err = r.fixed64()
	case wireBytes:
		_, err = r.bytes()
	case wireFixed32:
		_, err = r.fixed32()
	default:
		err = fmt.Errorf("protobuf: unsupported wire type %d", wt)
	}
	return err
}

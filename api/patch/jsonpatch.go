package patch

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
)

// Limits that keep a JSON patch from being used to amplify a small request into a huge
// object or a long computation; both are upstream's defaults.
const (
	MaxJSONPatchOperations = 10000
	MaxJSONPatchCopyBytes  = 3 * 1024 * 1024
)

// JSONPatch applies an RFC 6902 JSON patch (Content-Type application/json-patch+json): a list
// of add, remove, replace, move, copy and test operations on JSON pointers (RFC 6901: "~1"
// for '/', "~0" for '~', "-" for the end of a list).
//
// It follows the library upstream uses, quirks included, because clients see the results:
// negative list indices count from the end, "replace" of a missing object key adds it,
// "copy" of a missing object key copies null, and the error texts are that library's
// ("add operation does not apply: doc is missing path: ..."). A malformed patch is a 400
// error, too many operations 413, an operation that does not apply 422.
func JSONPatch(original, patch []byte) ([]byte, error) {
	ops, err := decodeOperations(patch)
	if err != nil {
		return nil, err
	}
	if len(ops) > MaxJSONPatchOperations {
		return nil, &Error{Code: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf(
			"The allowed maximum operations in a JSON patch is %d, got %d", MaxJSONPatchOperations, len(ops))}
	}
	if len(original) == 0 {
		return original, nil
	}
	doc, err := decodeJSON(original)
	if err != nil {
		return nil, newError(http.StatusInternalServerError, err)
	}
	a := &applier{}
	switch d := toWorking(doc).(type) {
	case map[string]any:
		a.root = objectNode(d)
	case *arrayNode:
		a.root = d
	default:
		return nil, newError(http.StatusInternalServerError, ErrInvalidJSONDocument)
	}
	for _, op := range ops {
		if err := a.apply(op); err != nil {
			return nil, newError(http.StatusUnprocessableEntity, err)
		}
	}
	out, err := encodeJSON(fromWorking(a.root.value()))
	if err != nil {
		return nil, newError(http.StatusInternalServerError, err)
	}
	return out, nil
}

// operation is one decoded patch step. Fields stay raw until an operation needs them, so
// that a bad field fails only the operation that uses it, with that operation's message.
type operation map[string]json.RawMessage

// decodeOperations reads the patch list, rewording type errors to name upstream's types as
// upstream's messages do.
func decodeOperations(patch []byte) ([]operation, error) {
	var ops []operation
	if err := json.Unmarshal(patch, &ops); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			target := "jsonpatch.Operation"
			if typeErr.Type.Kind() == reflect.Slice {
				target = "jsonpatch.Patch"
			}
			return nil, badRequest("json: cannot unmarshal %s into Go value of type %s", typeErr.Value, target)
		}
		return nil, badRequest("%s", err.Error())
	}
	return ops, nil
}

// stringField reads a string member; present is false for a missing member and for null.
func (op operation) stringField(name string) (value string, present bool, err error) {
	raw, ok := op[name]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	if err := json.Unmarshal(raw, &value); err != nil {
		return "", true, err
	}
	return value, true, nil
}

func (op operation) kind() string {
	k, present, err := op.stringField("op")
	if !present || err != nil {
		return "unknown"
	}
	return k
}

func (op operation) path() (string, error) {
	p, present, err := op.stringField("path")
	if err != nil {
		return "", err
	}
	if !present {
		return "", fmt.Errorf("operation missing path field: %w", ErrMissing)
	}
	return p, nil
}

func (op operation) from() (string, error) {
	p, present, err := op.stringField("from")
	if err != nil {
		return "", err
	}
	if !present {
		return "", fmt.Errorf("operation, missing from field: %w", ErrMissing)
	}
	return p, nil
}

// value decodes the "value" member in working form; a missing member reads as null, as
// upstream's library adds null for it.
func (op operation) value() (any, bool, error) {
	raw, ok := op["value"]
	if !ok {
		return nil, false, nil
	}
	v, err := decodeJSON(raw)
	if err != nil {
		return nil, true, err
	}
	return toWorking(v), true, nil
}

type applier struct {
	root       container
	copiedSize int
}

func (a *applier) apply(op operation) error {
	switch k := op.kind(); k {
	case "add":
		return a.add(op)
	case "remove":
		return a.remove(op)
	case "replace":
		return a.replace(op)
	case "move":
		return a.move(op)
	case "test":
		return a.test(op)
	case "copy":
		return a.copy(op)
	default:
		return fmt.Errorf("Unexpected kind: %s", k)
	}
}

// locate resolves all but the last token of a JSON pointer to a container and returns it with
// the last token, unescaped. Like upstream, the text before the first '/' is ignored, and a
// path without any '/' (the empty path included) locates nothing.
func (a *applier) locate(path string) (container, string, bool) {
	tokens := strings.Split(path, "/")
	if len(tokens) < 2 {
		return nil, "", false
	}
	cur := a.root
	for _, tok := range tokens[1 : len(tokens)-1] {
		next, err := cur.get(unescapePointer(tok))
		if err != nil {
			return nil, "", false
		}
		switch n := next.(type) {
		case map[string]any:
			cur = objectNode(n)
		case *arrayNode:
			cur = n
		default: // missing, null or a scalar: nothing to descend into
			return nil, "", false
		}
	}
	return cur, unescapePointer(tokens[len(tokens)-1]), true
}

var pointerUnescaper = strings.NewReplacer("~1", "/", "~0", "~")

func unescapePointer(tok string) string { return pointerUnescaper.Replace(tok) }

func (a *applier) add(op operation) error {
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("add operation failed to decode path: %w", ErrMissing)
	}
	val, _, err := op.value()
	if err != nil {
		return err
	}
	con, key, ok := a.locate(path)
	if !ok {
		return fmt.Errorf("add operation does not apply: doc is missing path: \"%s\": %w", path, ErrMissing)
	}
	if err := con.add(key, val); err != nil {
		return fmt.Errorf("error in add for path: '%s': %w", path, err)
	}
	return nil
}

func (a *applier) remove(op operation) error {
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("remove operation failed to decode path: %w", ErrMissing)
	}
	con, key, ok := a.locate(path)
	if !ok {
		return fmt.Errorf("remove operation does not apply: doc is missing path: \"%s\": %w", path, ErrMissing)
	}
	if err := con.remove(key); err != nil {
		return fmt.Errorf("error in remove for path: '%s': %w", path, err)
	}
	return nil
}

func (a *applier) replace(op operation) error {
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("replace operation failed to decode path: %w", err)
	}
	val, _, err := op.value()
	if err != nil {
		return err
	}
	if path == "" {
		// The whole document is replaced; it must stay an object or a list. (Upstream's
		// message really ends in a formatted nil error.)
		switch v := val.(type) {
		case map[string]any:
			a.root = objectNode(v)
		case *arrayNode:
			a.root = v
		default:
			return errors.New("replace operation value must be object or array: %!w(<nil>)")
		}
		return nil
	}
	con, key, ok := a.locate(path)
	if !ok {
		return fmt.Errorf("replace operation does not apply: doc is missing path: %s: %w", path, ErrMissing)
	}
	if _, err := con.get(key); err != nil {
		return fmt.Errorf("replace operation does not apply: doc is missing key: %s: %w", path, ErrMissing)
	}
	if err := con.set(key, val); err != nil {
		return fmt.Errorf("error in remove for path: '%s': %w", path, err)
	}
	return nil
}

func (a *applier) move(op operation) error {
	from, err := op.from()
	if err != nil {
		return fmt.Errorf("move operation failed to decode from: %w", err)
	}
	con, key, ok := a.locate(from)
	if !ok {
		return fmt.Errorf("move operation does not apply: doc is missing from path: %s: %w", from, ErrMissing)
	}
	val, err := con.get(key)
	if err != nil {
		return fmt.Errorf("error in move for path: '%s': %w", key, err)
	}
	if err := con.remove(key); err != nil {
		return fmt.Errorf("error in move for path: '%s': %w", key, err)
	}
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("move operation failed to decode path: %w", err)
	}
	con, key, ok = a.locate(path)
	if !ok {
		return fmt.Errorf("move operation does not apply: doc is missing destination path: %s: %w", path, ErrMissing)
	}
	if err := con.add(key, val); err != nil {
		return fmt.Errorf("error in move for path: '%s': %w", path, err)
	}
	return nil
}

func (a *applier) test(op operation) error {
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("test operation failed to decode path: %w", err)
	}
	want, present, err := op.value()
	if err != nil {
		return err
	}
	failed := fmt.Errorf("testing value %s failed: %w", path, ErrTestFailed)
	if path == "" {
		if !present || !jsonEqual(fromWorking(a.root.value()), fromWorking(want)) {
			return failed
		}
		return nil
	}
	con, key, ok := a.locate(path)
	if !ok {
		return fmt.Errorf("test operation does not apply: is missing path: %s: %w", path, ErrMissing)
	}
	have, err := con.get(key)
	if err != nil {
		return fmt.Errorf("error in test for path: '%s': %w", path, err)
	}
	// A missing member and null are the same to upstream's library, and both pass a test
	// for null (or a test without a value).
	if have == nil {
		if want == nil {
			return nil
		}
		return failed
	}
	if !present || !jsonEqual(fromWorking(have), fromWorking(want)) {
		return failed
	}
	return nil
}

func (a *applier) copy(op operation) error {
	from, err := op.from()
	if err != nil {
		return fmt.Errorf("copy operation failed to decode from: %w", err)
	}
	con, key, ok := a.locate(from)
	if !ok {
		return fmt.Errorf("copy operation does not apply: doc is missing from path: %s: %w", from, ErrMissing)
	}
	val, err := con.get(key)
	if err != nil {
		return fmt.Errorf("error in copy for from: '%s': %w", from, err)
	}
	path, err := op.path()
	if err != nil {
		return fmt.Errorf("copy operation failed to decode path: %w", ErrMissing)
	}
	con, key, ok = a.locate(path)
	if !ok {
		return fmt.Errorf("copy operation does not apply: doc is missing destination path: %s: %w", path, ErrMissing)
	}
	if val != nil {
		// Copies are the one way a small patch can grow a document a lot: count their size.
		encoded, err := encodeJSON(fromWorking(val))
		if err != nil {
			return fmt.Errorf("error while performing deep copy: %w", err)
		}
		a.copiedSize += len(encoded)
		if a.copiedSize > MaxJSONPatchCopyBytes {
			return fmt.Errorf("Unable to complete the copy, the accumulated size increase of copy is %d, exceeding the limit %d", a.copiedSize, MaxJSONPatchCopyBytes)
		}
		val = copyWorking(val)
	}
	if err := con.add(key, val); err != nil {
		return fmt.Errorf("error while adding value during copy: %w", err)
	}
	return nil
}

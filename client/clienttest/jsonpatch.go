package clienttest

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// jsonPatch applies RFC 6902 operations (add, remove, replace, move, copy, test) to doc.
func jsonPatch(doc any, ops []any) (any, error) {
	for i, raw := range ops {
		op, ok := raw.(object)
		if !ok {
			return nil, fmt.Errorf("operation %d is not an object", i)
		}
		path := str(op, "path")
		var err error
		switch str(op, "op") {
		case "add":
			doc, err = pointerSet(doc, path, op["value"], true)
		case "remove":
			doc, _, err = pointerRemove(doc, path)
		case "replace":
			if _, err = pointerGet(doc, path); err == nil {
				doc, err = pointerSet(doc, path, op["value"], false)
			}
		case "move":
			var v any
			if doc, v, err = pointerRemove(doc, str(op, "from")); err == nil {
				doc, err = pointerSet(doc, path, v, true)
			}
		case "copy":
			var v any
			if v, err = pointerGet(doc, str(op, "from")); err == nil {
				doc, err = pointerSet(doc, path, deepCopyValue(v), true)
			}
		case "test":
			var v any
			if v, err = pointerGet(doc, path); err == nil && !reflect.DeepEqual(v, op["value"]) {
				err = fmt.Errorf("testing value %s failed", path)
			}
		default:
			err = fmt.Errorf("unknown operation %q", str(op, "op"))
		}
		if err != nil {
			return nil, fmt.Errorf("json patch operation %d: %w", i, err)
		}
	}
	return doc, nil
}

func deepCopyValue(v any) any {
	return deepCopy(object{"v": v})["v"]
}

// splitPointer parses an RFC 6901 pointer into unescaped tokens.
func splitPointer(path string) ([]string, error) {
	if path == "" {
		return nil, nil
	}
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("invalid pointer %q", path)
	}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

func pointerGet(doc any, path string) (any, error) {
	tokens, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	cur := doc
	for _, tok := range tokens {
		switch c := cur.(type) {
		case object:
			v, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("path %s does not exist", path)
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("path %s: bad index %q", path, tok)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("path %s does not exist", path)
		}
	}
	return cur, nil
}

// pointerSet sets (insert=true: adds, inserting into lists) the value at path and returns
// the new document (the root may be replaced).
func pointerSet(doc any, path string, value any, insert bool) (any, error) {
	tokens, err := splitPointer(path)
	if err != nil {
		return nil, err
	}
	if len(tokens) == 0 {
		return value, nil
	}
	return setIn(doc, tokens, value, insert, path)
}

func setIn(cur any, tokens []string, value any, insert bool, path string) (any, error) {
	tok := tokens[0]
	last := len(tokens) == 1
	switch c := cur.(type) {
	case object:
		if last {
			c[tok] = value
			return c, nil
		}
		child, ok := c[tok]
		if !ok {
			return nil, fmt.Errorf("path %s does not exist", path)
		}
		v, err := setIn(child, tokens[1:], value, insert, path)
		c[tok] = v
		return c, err
	case []any:
		i := len(c)
		if tok != "-" {
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n > len(c) || (!insert && n == len(c)) {
				return nil, fmt.Errorf("path %s: bad index %q", path, tok)
			}
			i = n
		}
		if last {
			if insert {
				c = append(c[:i], append([]any{value}, c[i:]...)...)
			} else {
				c[i] = value
			}
			return c, nil
		}
		if i >= len(c) {
			return nil, fmt.Errorf("path %s does not exist", path)
		}
		v, err := setIn(c[i], tokens[1:], value, insert, path)
		c[i] = v
		return c, err
	}
	return nil, fmt.Errorf("path %s does not exist", path)
}

// pointerRemove removes the value at path and returns the new document and the value.
func pointerRemove(doc any, path string) (any, any, error) {
	tokens, err := splitPointer(path)
	if err != nil || len(tokens) == 0 {
		return nil, nil, fmt.Errorf("cannot remove %q", path)
	}
	parentPath := "/" + strings.Join(escapeTokens(tokens[:len(tokens)-1]), "/")
	if len(tokens) == 1 {
		parentPath = ""
	}
	parent, err := pointerGet(doc, parentPath)
	if err != nil {
		return nil, nil, err
	}
	tok := tokens[len(tokens)-1]
	switch p := parent.(type) {
	case object:
		v, ok := p[tok]
		if !ok {
			return nil, nil, fmt.Errorf("path %s does not exist", path)
		}
		delete(p, tok)
		return doc, v, nil
	case []any:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(p) {
			return nil, nil, fmt.Errorf("path %s: bad index %q", path, tok)
		}
		v := p[i]
		shorter := append(append([]any(nil), p[:i]...), p[i+1:]...)
		doc, err = pointerSet(doc, parentPath, shorter, false)
		return doc, v, err
	}
	return nil, nil, fmt.Errorf("path %s does not exist", path)
}

func escapeTokens(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return out
}

package validation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// specDiff renders what changed between two values as a unified diff of their indented JSON,
// the way upstream appends one to "pod updates may not change fields other than ..." so the
// user can see which field they touched. Like upstream (which diffs its internal types, whose
// fields carry no JSON tags), fields are shown by their Go names and empty ones are kept.
func specDiff(before, after any) string {
	a := strings.SplitAfter(goJSON(reflect.ValueOf(before), "")+"\n", "\n")
	b := strings.SplitAfter(goJSON(reflect.ValueOf(after), "")+"\n", "\n")
	return unifiedDiff(a[:len(a)-1], b[:len(b)-1], 3)
}

// goJSON encodes v as encoding/json would encode a struct without tags (field names as
// declared, nothing omitted), indented by one space per level. Values that marshal themselves
// (times, quantities, int-or-strings) keep their own form.
func goJSON(v reflect.Value, indent string) string {
	if !v.IsValid() {
		return "null"
	}
	if v.CanInterface() {
		if m, ok := v.Interface().(json.Marshaler); ok && !(v.Kind() == reflect.Pointer && v.IsNil()) {
			if b, err := m.MarshalJSON(); err == nil {
				return string(b)
			}
		}
	}
	inner := indent + " "
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "null"
		}
		return goJSON(v.Elem(), indent)
	case reflect.Struct:
		var parts []string
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			parts = append(parts, inner+strconv.Quote(f.Name)+": "+goJSON(v.Field(i), inner))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + indent + "}"
	case reflect.Map:
		if v.IsNil() {
			return "null"
		}
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		var parts []string
		for _, k := range keys {
			parts = append(parts, inner+strconv.Quote(fmt.Sprint(k))+": "+goJSON(v.MapIndex(k), inner))
		}
		if len(parts) == 0 {
			return "{}"
		}
		return "{\n" + strings.Join(parts, ",\n") + "\n" + indent + "}"
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return "null"
		}
		if v.Len() == 0 {
			return "[]"
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = inner + goJSON(v.Index(i), inner)
		}
		return "[\n" + strings.Join(parts, ",\n") + "\n" + indent + "]"
	case reflect.String:
		b, _ := json.Marshal(v.String())
		return string(b)
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return "null"
}

// unifiedDiff formats the differences between line lists a and b as unified-diff hunks ("@@
// -l,n +l,n @@" and " ", "-", "+" lines) with the given lines of context, without file
// headers. Lines keep their own trailing newlines.
func unifiedDiff(a, b []string, context int) string {
	ops := diffOps(a, b)
	var out strings.Builder
	// Find the changed runs, then merge those closer than 2*context into one hunk.
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-context, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j
				continue
			}
			if j-end > 2*context {
				break
			}
		}
		stop := min(end+context+1, len(ops))
		writeHunk(&out, ops[start:stop])
		i = stop
	}
	return out.String()
}

type diffOp struct {
	kind       byte // ' ', '-' or '+'
	line       string
	aPos, bPos int // positions in a and b before this line
}

// diffOps computes a shortest edit script by longest common subsequence. Pod specs are a few
// hundred lines, so the quadratic table is cheap.
func diffOps(a, b []string) []diffOp {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var ops []diffOp
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, diffOp{' ', a[i], i, j})
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] > lcs[i+1][j]):
			ops = append(ops, diffOp{'+', b[j], i, j})
			j++
		default:
			ops = append(ops, diffOp{'-', a[i], i, j})
			i++
		}
	}
	return ops
}

func writeHunk(out *strings.Builder, ops []diffOp) {
	aStart, bStart := ops[0].aPos, ops[0].bPos
	aLen, bLen := 0, 0
	for _, op := range ops {
		if op.kind != '+' {
			aLen++
		}
		if op.kind != '-' {
			bLen++
		}
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, op := range ops {
		out.WriteByte(op.kind)
		out.WriteString(op.line)
	}
}

// hunkRange renders a hunk's line range as unified diffs do: "start" for one line,
// "start,len" otherwise, and the line before for an empty range.
func hunkRange(start, length int) string {
	first := start + 1
	switch length {
	case 1:
		return strconv.Itoa(first)
	case 0:
		first--
	}
	return fmt.Sprintf("%d,%d", first, length)
}

// goFields wraps a value so that, as a bad value in an error message, it prints the way
// upstream prints its internal types (which have no JSON tags): every field, by Go name.
type goFields struct{ v any }

func (g goFields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(goJSON(reflect.ValueOf(g.v), ""))); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

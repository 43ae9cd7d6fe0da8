package patch

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// Ordering of merged lists. Upstream's strategic merge patch fixes the order of a merged list
// in two steps: the elements the patch (or a $setElementOrder directive) names are put in the
// patch's order, the elements only the server has in the original order, and then the two
// sequences are interleaved so each server-only element stays ahead of the patch elements it
// preceded in the original list.

// positions maps the identities of a list's elements (their merge key values for objects) to
// their first position.
type positions struct {
	first    map[string]int
	mergeKey string
}

func newPositions(list []any, mergeKey string) positions {
	p := positions{first: make(map[string]int, len(list)), mergeKey: mergeKey}
	for i, v := range list {
		id := identity(keyOf(v, mergeKey))
		if _, seen := p.first[id]; !seen {
			p.first[id] = i
		}
	}
	return p
}

// of returns the position of v's identity, or -1.
func (p positions) of(v any) int {
	if i, ok := p.first[identity(keyOf(v, p.mergeKey))]; ok {
		return i
	}
	return -1
}

// keyOf is the identity of a list element for ordering: its merge key value for objects, the
// element itself for scalars.
func keyOf(v any, mergeKey string) any {
	if mergeKey == "" {
		return v
	}
	if m, ok := v.(map[string]any); ok {
		return m[mergeKey]
	}
	return nil
}

// partitionByPresence splits merged into the elements present in the patch (by merge key)
// and the server-only ones, keeping merged's order in each.
func partitionByPresence(merged, patch []any, mergeKey string) (inPatch, serverOnly []any, err error) {
	if mergeKey != "" {
		if _, err := indexByKey(patch, mergeKey); err != nil {
			return nil, nil, err
		}
	}
	present := newPositions(patch, mergeKey)
	for _, v := range merged {
		if mergeKey != "" {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, nil, errBadArgType(map[string]any(nil), v)
			}
			if _, ok := m[mergeKey]; !ok {
				return nil, nil, errNoMergeKey(m, mergeKey)
			}
		}
		if present.of(v) >= 0 {
			inPatch = append(inPatch, v)
		} else {
			serverOnly = append(serverOnly, v)
		}
	}
	return inPatch, serverOnly, nil
}

// orderMerged puts the merged elements in their final order: the patch's elements in
// patchOrder, the server-only ones in serverOrder, then both interleaved (see interleave).
func orderMerged(inPatch, serverOnly, patchOrder, serverOrder []any, mergeKey string, kind reflect.Kind) ([]any, error) {
	inPatch, err := sortByOrder(inPatch, patchOrder, mergeKey, kind)
	if err != nil {
		return nil, err
	}
	serverOnly, err = sortByOrder(serverOnly, serverOrder, mergeKey, kind)
	if err != nil {
		return nil, err
	}
	return interleave(serverOnly, inPatch, serverOrder, mergeKey), nil
}

// sortByOrder sorts list by the positions of its elements in order. Objects must all carry
// the merge key; elements marked "$patch": "delete" go last. The comparison is upstream's,
// including its treatment of elements missing from order, so ties resolve the same way.
func sortByOrder(list, order []any, mergeKey string, kind reflect.Kind) ([]any, error) {
	var deleted []any
	if kind == reflect.Map {
		for _, l := range [][]any{list, order} {
			for _, v := range l {
				m, ok := v.(map[string]any)
				if !ok {
					return nil, errBadArgType(map[string]any(nil), v)
				}
				if _, ok := m[mergeKey]; !ok {
					return nil, errNoMergeKey(m, mergeKey)
				}
			}
		}
		var kept []any
		for _, v := range list {
			if v.(map[string]any)[directiveMarker] == "delete" {
				deleted = append(deleted, v)
			} else {
				kept = append(kept, v)
			}
		}
		list = kept
	} else {
		mergeKey = ""
	}
	pos := newPositions(order, mergeKey)
	sort.SliceStable(list, func(i, j int) bool {
		ii, ij := pos.of(list[i]), pos.of(list[j])
		if ii >= 0 && ij >= 0 {
			return ii < ij
		}
		return true
	})
	return append(list, deleted...), nil
}

// interleave merges two ordered lists into one, keeping the relative order inside each:
// before each patch element go the server-only elements that came before it in the
// original list; patch elements the original did not have go as early as possible.
func interleave(serverOnly, inPatch, serverOrder []any, mergeKey string) []any {
	pos := newPositions(serverOrder, mergeKey)
	out := make([]any, 0, len(serverOnly)+len(inPatch))
	i, j := 0, 0
	for i < len(serverOnly) || j < len(inPatch) {
		switch {
		case j == len(inPatch):
			out = append(out, serverOnly[i])
			i++
		case i == len(serverOnly):
			out = append(out, inPatch[j])
			j++
		default:
			si, pj := pos.of(serverOnly[i]), pos.of(inPatch[j])
			if si >= 0 && pj >= 0 && si < pj {
				out = append(out, serverOnly[i])
				i++
			} else {
				out = append(out, inPatch[j])
				j++
			}
		}
	}
	return out
}

// applySetElementOrders handles every "$setElementOrder/<list>" of a patch object: it merges
// the list (if the patch has it) and then orders the result, the directive's order first.
//
// The order of elements that only the server has comes from the original list as upstream
// sees it after merging: upstream deletes and appends elements in place, so its view of the
// original list (same backing array, same length) shows survivors shifted left and then
// appended elements where deleted ones were. mergeList edits in place the same way, so that
// origList below is that view and the interleaving matches upstream's.
func applySetElementOrders(original, patch map[string]any, s schema) error {
	keys := slices.Sorted(maps.Keys(patch))
	for _, key := range keys {
		if !strings.HasPrefix(key, setOrderPrefix) {
			continue
		}
		orderV, ok := patch[key]
		if !ok { // the target of an earlier directive with an odd name
			continue
		}
		delete(patch, key)
		order, ok := orderV.([]any)
		if !ok {
			return errBadArgType([]any(nil), orderV)
		}
		name, err := directiveTarget(key, setOrderPrefix)
		if err != nil {
			return err
		}
		origV, foundOrig := original[name]
		patchV, foundPatch := patch[name]
		var origList, patchList []any
		if foundOrig {
			if origList, ok = origV.([]any); !ok {
				return errBadArgType([]any(nil), origV)
			}
		}
		if foundPatch {
			if patchList, ok = patchV.([]any); !ok {
				return errBadArgType([]any(nil), patchV)
			}
		}
		elem, meta := s.listField(name)
		strategy, err := meta.strategy()
		if err != nil {
			return err
		}
		if err := checkOrderMatchesPatch(patchList, order, meta.mergeKey); err != nil {
			return err
		}
		var merged []any
		switch {
		case !foundOrig && !foundPatch:
			continue
		case !foundPatch:
			merged = origList
		case !foundOrig:
			v, _ := removeDirectiveElements(patchList)
			merged = stripDirectives(v).([]any)
		default:
			if merged, err = mergeListField(origList, patchList, elem, strategy, meta.mergeKey, false); err != nil {
				return err
			}
		}
		inOrder, serverOnly, err := partitionByPresence(merged, order, meta.mergeKey)
		if err != nil {
			return err
		}
		kind, err := elementKind(origList, patchList)
		if err != nil {
			return err
		}
		mergeKey := meta.mergeKey
		if kind != reflect.Map {
			mergeKey = ""
		}
		ordered, err := orderMerged(inOrder, serverOnly, order, origList, mergeKey, kind)
		if err != nil {
			return err
		}
		original[name] = ordered
		delete(patch, name) // merged already
	}
	return nil
}

// checkOrderMatchesPatch verifies that the patch list's elements (deletions and other
// directive elements aside) appear in the $setElementOrder list, in the same relative order.
func checkOrderMatchesPatch(patchList, order []any, mergeKey string) error {
	if len(order) == 0 || len(patchList) == 0 {
		return nil
	}
	items := patchList
	if mergeKey != "" {
		items = nil
		for _, v := range patchList {
			m, ok := v.(map[string]any)
			if !ok {
				return errBadArgType(map[string]any(nil), v)
			}
			if m[directiveMarker] != "delete" {
				items = append(items, v)
			}
		}
	}
	pi, oi := 0, 0
	for pi < len(items) && oi < len(order) {
		if m, ok := items[pi].(map[string]any); ok {
			if _, directive := m[directiveMarker]; directive {
				pi++
				continue
			}
		}
		same, err := sameMergeKey(items[pi], order[oi], mergeKey)
		if err != nil {
			return err
		}
		if same {
			pi++
		}
		oi++
	}
	if pi < len(items) && oi >= len(order) {
		return fmt.Errorf("The order in patch list:\n%v\n doesn't match %s list:\n%v\n", asUpstream(patchList), setOrderPrefix, asUpstream(order))
	}
	return nil
}

func sameMergeKey(a, b any, mergeKey string) (bool, error) {
	if mergeKey == "" {
		return jsonEqual(a, b), nil
	}
	ma, ok := a.(map[string]any)
	if !ok {
		return false, errBadArgType(map[string]any(nil), a)
	}
	mb, ok := b.(map[string]any)
	if !ok {
		return false, errBadArgType(map[string]any(nil), b)
	}
	ka, ok := ma[mergeKey]
	if !ok {
		return false, errNoMergeKey(ma, mergeKey)
	}
	kb, ok := mb[mergeKey]
	if !ok {
		return false, errNoMergeKey(mb, mergeKey)
	}
	return jsonEqual(ka, kb), nil
}

package discovery

import (
	"slices"
	"sort"
	"testing"
)

func TestVersionPriority(t *testing.T) {
	versions := []string{"v1alpha1", "v1", "v2beta1", "v1beta2", "v2", "foo", "v1beta1", "v10"}
	sort.SliceStable(versions, func(i, j int) bool { return VersionPriority(versions[i]) > VersionPriority(versions[j]) })
	want := []string{"v10", "v2", "v1", "v2beta1", "v1beta2", "v1beta1", "v1alpha1", "foo"}
	if !slices.Equal(versions, want) {
		t.Fatalf("order %v, want %v", versions, want)
	}
}

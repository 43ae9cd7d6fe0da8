package handlers

import (
	"slices"
	"testing"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

type planObj struct {
	metav1.TypeMeta
	metav1.ObjectMeta
}

func ptr[T any](v T) *T { return &v }

func TestPlanDelete(t *testing.T) {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	earlier := metav1.NewTime(now.Add(-10 * time.Second))
	tests := []struct {
		name       string
		meta       metav1.ObjectMeta
		grace      *int64
		opts       metav1.DeleteOptions
		want       deleteAction
		finalizers []string
		wantGrace  *int64
		wantTS     *time.Time
	}{
		{name: "plain object goes", want: deleteRemove},
		{name: "finalizers only mark", meta: metav1.ObjectMeta{Finalizers: []string{"x/y"}},
			want: deleteMark, finalizers: []string{"x/y"}, wantGrace: ptr[int64](0), wantTS: &now},
		{name: "orphan adds its finalizer", opts: metav1.DeleteOptions{PropagationPolicy: ptr("Orphan")},
			want: deleteMark, finalizers: []string{"orphan"}, wantGrace: ptr[int64](0)},
		{name: "foreground adds its finalizer", opts: metav1.DeleteOptions{PropagationPolicy: ptr("Foreground")},
			want: deleteMark, finalizers: []string{"foregroundDeletion"}},
		{name: "background drops orphan", meta: metav1.ObjectMeta{Finalizers: []string{"orphan"}},
			opts: metav1.DeleteOptions{PropagationPolicy: ptr("Background")}, want: deleteRemove},
		{name: "orphanDependents=false is foreground-free background",
			meta: metav1.ObjectMeta{Finalizers: []string{"orphan"}},
			opts: metav1.DeleteOptions{OrphanDependents: ptr(false)}, want: deleteRemove},
		{name: "graceful pod waits", grace: ptr[int64](30), want: deleteMark, wantGrace: ptr[int64](30),
			wantTS: ptr(now.Add(30 * time.Second))},
		{name: "graceful zero marks then removes", grace: ptr[int64](0), want: deleteMarkThenRemove, wantGrace: ptr[int64](0)},
		{name: "pending graceful is kept", grace: ptr[int64](30),
			meta: metav1.ObjectMeta{DeletionTimestamp: &earlier, DeletionGracePeriodSeconds: ptr[int64](30)}, want: deleteKeep},
		{name: "shorter period moves the deadline", grace: ptr[int64](5),
			meta: metav1.ObjectMeta{DeletionTimestamp: &earlier, DeletionGracePeriodSeconds: ptr[int64](30)},
			opts: metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](5)},
			want: deleteMark, wantGrace: ptr[int64](5), wantTS: ptr(earlier.Add(-25 * time.Second))},
		{name: "grace 0 finishes a graceful deletion", grace: ptr[int64](0),
			meta: metav1.ObjectMeta{DeletionTimestamp: &earlier, DeletionGracePeriodSeconds: ptr[int64](30)},
			opts: metav1.DeleteOptions{GracePeriodSeconds: ptr[int64](0)}, want: deleteMarkThenRemove},
		{name: "graceful pod with finalizers stays", grace: ptr[int64](0),
			meta: metav1.ObjectMeta{Finalizers: []string{"x/y"}}, want: deleteMark, finalizers: []string{"x/y"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := &planObj{ObjectMeta: tt.meta}
			got := planDelete(obj, tt.grace, &tt.opts, now)
			if got != tt.want {
				t.Fatalf("action %v, want %v", got, tt.want)
			}
			m := obj.ObjectMeta
			if !slices.Equal(m.Finalizers, tt.finalizers) {
				t.Errorf("finalizers %v, want %v", m.Finalizers, tt.finalizers)
			}
			if tt.wantGrace != nil && (m.DeletionGracePeriodSeconds == nil || *m.DeletionGracePeriodSeconds != *tt.wantGrace) {
				t.Errorf("grace %v, want %d", m.DeletionGracePeriodSeconds, *tt.wantGrace)
			}
			if tt.wantTS != nil && (m.DeletionTimestamp == nil || !m.DeletionTimestamp.Equal(*tt.wantTS)) {
				t.Errorf("deletionTimestamp %v, want %v", m.DeletionTimestamp, *tt.wantTS)
			}
		})
	}
}

func deleteOpts(policy *string) *metav1.DeleteOptions {
	return &metav1.DeleteOptions{PropagationPolicy: policy}
}

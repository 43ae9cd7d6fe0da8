package registry

import (
	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

// HorizontalPodAutoscalers are stored as autoscaling/v2 and served as v2 (preferred) and
// v1; v1 objects pass through the conversion in package api/autoscaling/v1, which keeps
// what v1 cannot express in annotations.
func horizontalPodAutoscalersV2() *Resource {
	return &Resource{
		Group: "autoscaling", Version: "v2", Name: "horizontalpodautoscalers",
		SingularName: "horizontalpodautoscaler", Kind: "HorizontalPodAutoscaler",
		ListKind: "HorizontalPodAutoscalerList", Namespaced: true,
		ShortNames: []string{"hpa"}, Categories: []string{"all"},
		Verbs:       standardVerbs(),
		New:         func() metav1.Object { return &autoscalingv2.HorizontalPodAutoscaler{} },
		StorageName: "horizontalpodautoscalers",
		Strategy:    hpaStrategy{},
		Status:      true,
	}
}

func horizontalPodAutoscalersV1() *Resource {
	r := horizontalPodAutoscalersV2()
	r.Version = "v1"
	r.New = func() metav1.Object { return &autoscalingv1.HorizontalPodAutoscaler{} }
	r.NewStorage = func() metav1.Object { return &autoscalingv2.HorizontalPodAutoscaler{} }
	r.ToStorage = func(obj metav1.Object) (metav1.Object, error) {
		return autoscalingv1.ToV2(obj.(*autoscalingv1.HorizontalPodAutoscaler))
	}
	r.FromStorage = func(obj metav1.Object) (metav1.Object, error) {
		return autoscalingv1.FromV2(obj.(*autoscalingv2.HorizontalPodAutoscaler))
	}
	return r
}

// hpaStrategy works on the stored v2 form, like upstream's strategy works on its internal
// form (validation errors therefore name v2 fields, as upstream's name internal ones). It
// also accepts v1 objects, converting them to v2 and back, so it is correct whichever form
// the handler passes. Default alone is per version: v1 and v2 default differently.
type hpaStrategy struct{}

// asV2 returns obj as a v2 autoscaler and a function that writes changes made to it back
// into obj (a no-op when obj is already v2). ok is false when a v1 object's round-trip
// annotations do not convert.
func asV2(obj metav1.Object) (hpa *autoscalingv2.HorizontalPodAutoscaler, writeBack func(), ok bool) {
	switch o := obj.(type) {
	case *autoscalingv2.HorizontalPodAutoscaler:
		return o, func() {}, true
	case *autoscalingv1.HorizontalPodAutoscaler:
		v2, err := autoscalingv1.ToV2(o)
		if err != nil {
			return nil, nil, false
		}
		return v2, func() {
			if v1, err := autoscalingv1.FromV2(v2); err == nil {
				*o = *v1
			}
		}, true
	}
	panic("registry: horizontalpodautoscalers strategy got " + obj.GetTypeMeta().Kind)
}

func (hpaStrategy) Default(obj metav1.Object) {
	switch o := obj.(type) {
	case *autoscalingv1.HorizontalPodAutoscaler:
		autoscalingv1.DefaultHorizontalPodAutoscaler(o)
	case *autoscalingv2.HorizontalPodAutoscaler:
		autoscalingv2.DefaultHorizontalPodAutoscaler(o)
	}
}

func (hpaStrategy) PrepareForCreate(obj metav1.Object) {
	hpa, writeBack, ok := asV2(obj)
	if !ok {
		return
	}
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{}
	hpa.Generation = 1
	writeBack()
}

func (hpaStrategy) PrepareForUpdate(obj, old metav1.Object) {
	hpa, writeBack, ok := asV2(obj)
	oldHPA, _, oldOK := asV2(old)
	if !ok || !oldOK {
		return
	}
	hpa.Status = oldHPA.Status
	hpa.Generation = oldHPA.Generation
	if specChanged(hpa.Spec, oldHPA.Spec) {
		hpa.Generation++
	}
	writeBack()
}

func (hpaStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	hpa, writeBack, ok := asV2(obj)
	oldHPA, _, oldOK := asV2(old)
	if !ok || !oldOK {
		return
	}
	hpa.Spec = oldHPA.Spec
	hpa.Generation = oldHPA.Generation
	writeBack()
}

// annotationsInvalid is the error for v1 round-trip annotations that are not valid JSON.
func annotationsInvalid(obj metav1.Object) validation.ErrorList {
	return validation.ErrorList{validation.Invalid(validation.NewPath("metadata", "annotations"),
		obj.GetObjectMeta().Annotations, "autoscaling/v2 data in the annotations cannot be decoded")}
}

func (hpaStrategy) Validate(obj metav1.Object) validation.ErrorList {
	hpa, _, ok := asV2(obj)
	if !ok {
		return annotationsInvalid(obj)
	}
	return validation.ValidateHorizontalPodAutoscaler(hpa)
}

func (hpaStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	hpa, _, ok := asV2(obj)
	oldHPA, _, oldOK := asV2(old)
	if !ok || !oldOK {
		return annotationsInvalid(obj)
	}
	return validation.ValidateHorizontalPodAutoscalerUpdate(hpa, oldHPA)
}

func (hpaStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	hpa, _, ok := asV2(obj)
	oldHPA, _, oldOK := asV2(old)
	if !ok || !oldOK {
		return annotationsInvalid(obj)
	}
	return validation.ValidateHorizontalPodAutoscalerStatusUpdate(hpa, oldHPA)
}

func (hpaStrategy) AllowCreateOnUpdate() bool { return false }

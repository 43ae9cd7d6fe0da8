package registry

import (
	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/validation"
)

func deployments() *Resource {
	return &Resource{
		Group: "apps", Version: "v1", Name: "deployments", SingularName: "deployment",
		Kind: "Deployment", ListKind: "DeploymentList", Namespaced: true,
		ShortNames: []string{"deploy"}, Categories: []string{"all"},
		Verbs:    standardVerbs(),
		New:      func() metav1.Object { return &appsv1.Deployment{} },
		Strategy: deploymentStrategy{},
		Status:   true,
		Scale: &ScaleHooks{
			Get: func(obj metav1.Object) (int32, int32, string) {
				d := obj.(*appsv1.Deployment)
				return derefReplicas(d.Spec.Replicas), d.Status.Replicas, selectorString(d.Spec.Selector)
			},
			SetReplicas: func(obj metav1.Object, n int32) { obj.(*appsv1.Deployment).Spec.Replicas = &n },
		},
	}
}

type deploymentStrategy struct{}

func (deploymentStrategy) Default(obj metav1.Object) {
	appsv1.DefaultDeployment(obj.(*appsv1.Deployment))
}

func (deploymentStrategy) PrepareForCreate(obj metav1.Object) {
	d := obj.(*appsv1.Deployment)
	d.Status = appsv1.DeploymentStatus{}
	d.Generation = 1
}

// PrepareForUpdate bumps generation on spec changes and, unlike other kinds, on annotation
// changes too: `kubectl rollout` signals through annotations and waits for the controller
// to observe the new generation.
func (deploymentStrategy) PrepareForUpdate(obj, old metav1.Object) {
	d, oldD := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	d.Status = oldD.Status
	d.Generation = oldD.Generation
	if specChanged(d.Spec, oldD.Spec) || specChanged(d.Annotations, oldD.Annotations) {
		d.Generation++
	}
}

// PrepareForStatusUpdate keeps spec and, for deployments only, the labels.
func (deploymentStrategy) PrepareForStatusUpdate(obj, old metav1.Object) {
	d, oldD := obj.(*appsv1.Deployment), old.(*appsv1.Deployment)
	d.Spec = oldD.Spec
	d.Labels = oldD.Labels
	d.Generation = oldD.Generation
}

func (deploymentStrategy) Validate(obj metav1.Object) validation.ErrorList {
	return validation.ValidateDeployment(obj.(*appsv1.Deployment))
}

func (deploymentStrategy) ValidateUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateDeploymentUpdate(obj.(*appsv1.Deployment), old.(*appsv1.Deployment))
}

func (deploymentStrategy) ValidateStatusUpdate(obj, old metav1.Object) validation.ErrorList {
	return validation.ValidateDeploymentStatusUpdate(obj.(*appsv1.Deployment), old.(*appsv1.Deployment))
}

func (deploymentStrategy) AllowCreateOnUpdate() bool { return false }

package table

import (
	"fmt"
	"strings"
	"time"

	appsv1 "github.com/skiff-k8s/skiff/api/apps/v1"
	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/api/labels"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

func init() {
	register("deployments", deploymentColumns, deploymentRow)
	register("replicasets", replicaSetColumns, replicaSetRow)
}

func deploymentColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Ready", "string", "Ready pods out of the desired number."),
		col("Up-to-date", "string", fieldDoc(appsv1.DeploymentStatus{}, "updatedReplicas", "Pods that run the current pod template.")),
		col("Available", "string", fieldDoc(appsv1.DeploymentStatus{}, "availableReplicas", "Pods ready for at least minReadySeconds.")),
		ageColumn(),
		wide("Containers", "string", "The names of the pod template's containers."),
		wide("Images", "string", "The images of the pod template's containers."),
		wide("Selector", "string", fieldDoc(appsv1.DeploymentSpec{}, "selector", "The label selector of the deployment's pods.")),
	}
}

func deploymentRow(now time.Time, d *appsv1.Deployment) metav1.TableRow {
	names, images := containerCells(d.Spec.Template.Spec.Containers)
	selector := "<invalid>"
	if sel, err := labels.FromLabelSelector(d.Spec.Selector); err == nil {
		selector = sel.String()
	}
	return metav1.TableRow{Cells: []any{
		d.Name,
		fmt.Sprintf("%d/%d", d.Status.ReadyReplicas, deref(d.Spec.Replicas)),
		int64(d.Status.UpdatedReplicas),
		int64(d.Status.AvailableReplicas),
		age(now, d),
		names, images, selector,
	}}
}

func replicaSetColumns() []metav1.TableColumnDefinition {
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Desired", "integer", fieldDoc(appsv1.ReplicaSetSpec{}, "replicas", "The desired number of pods.")),
		col("Current", "integer", fieldDoc(appsv1.ReplicaSetStatus{}, "replicas", "The number of pods that exist.")),
		col("Ready", "integer", fieldDoc(appsv1.ReplicaSetStatus{}, "readyReplicas", "The number of ready pods.")),
		ageColumn(),
		wide("Containers", "string", "The names of the pod template's containers."),
		wide("Images", "string", "The images of the pod template's containers."),
		wide("Selector", "string", fieldDoc(appsv1.ReplicaSetSpec{}, "selector", "The label selector of the replica set's pods.")),
	}
}

func replicaSetRow(now time.Time, rs *appsv1.ReplicaSet) metav1.TableRow {
	names, images := containerCells(rs.Spec.Template.Spec.Containers)
	return metav1.TableRow{Cells: []any{
		rs.Name,
		int64(deref(rs.Spec.Replicas)),
		int64(rs.Status.Replicas),
		int64(rs.Status.ReadyReplicas),
		age(now, rs),
		names, images, labels.FormatLabelSelector(rs.Spec.Selector),
	}}
}

// containerCells are the CONTAINERS and IMAGES cells: names and images, comma-separated.
func containerCells(containers []corev1.Container) (names, images string) {
	n := make([]string, len(containers))
	im := make([]string, len(containers))
	for i, c := range containers {
		n[i], im[i] = c.Name, c.Image
	}
	return strings.Join(n, ","), strings.Join(im, ",")
}

func deref(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}

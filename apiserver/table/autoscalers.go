package table

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	autoscalingv1 "github.com/skiff-k8s/skiff/api/autoscaling/v1"
	autoscalingv2 "github.com/skiff-k8s/skiff/api/autoscaling/v2"
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/api/resource"
)

func init() {
	register("horizontalpodautoscalers", hpaColumns, hpaRow)
	// autoscaling/v1 objects are shown as their v2 form, as upstream prints both from its
	// internal (v2-shaped) type.
	byType[reflect.TypeFor[*autoscalingv1.HorizontalPodAutoscaler]()] = &printer{columns: hpaColumns, row: func(now time.Time, obj metav1.Object) metav1.TableRow {
		v2, err := autoscalingv1.ToV2(obj.(*autoscalingv1.HorizontalPodAutoscaler))
		if err != nil {
			return defaultRow(obj)
		}
		return hpaRow(now, v2)
	}}
}

func hpaColumns() []metav1.TableColumnDefinition {
	spec := autoscalingv2.HorizontalPodAutoscalerSpec{}
	return []metav1.TableColumnDefinition{
		nameColumn(),
		col("Reference", "string", fieldDoc(spec, "scaleTargetRef", "The kind and name of the scaled object.")),
		col("Targets", "string", fieldDoc(spec, "metrics", "Each metric's current value against its target.")),
		col("MinPods", "string", fieldDoc(spec, "minReplicas", "The fewest replicas the autoscaler scales down to.")),
		col("MaxPods", "string", fieldDoc(spec, "maxReplicas", "The most replicas the autoscaler scales up to.")),
		col("Replicas", "string", fieldDoc(autoscalingv2.HorizontalPodAutoscalerStatus{}, "currentReplicas", "The number of replicas the autoscaler last saw.")),
		ageColumn(),
	}
}

func hpaRow(now time.Time, hpa *autoscalingv2.HorizontalPodAutoscaler) metav1.TableRow {
	minPods := "<unset>"
	if hpa.Spec.MinReplicas != nil {
		minPods = fmt.Sprint(*hpa.Spec.MinReplicas)
	}
	return metav1.TableRow{Cells: []any{
		hpa.Name,
		hpa.Spec.ScaleTargetRef.Kind + "/" + hpa.Spec.ScaleTargetRef.Name,
		hpaTargets(hpa.Spec.Metrics, hpa.Status.CurrentMetrics),
		minPods,
		int64(hpa.Spec.MaxReplicas),
		int64(hpa.Status.CurrentReplicas),
		age(now, hpa),
	}}
}

// hpaTargets is the TARGETS cell: "<current>/<target>" per metric, the i-th status read
// against the i-th spec ("<unknown>" until the autoscaler has measured), resources prefixed
// with their name ("cpu: 42%/50%"), averaged object and external values suffixed " (avg)";
// at most two metrics, then " + N more...".
func hpaTargets(specs []autoscalingv2.MetricSpec, statuses []autoscalingv2.MetricStatus) string {
	if len(specs) == 0 {
		return "<none>"
	}
	const shown = 2
	var parts []string
	for i, spec := range specs {
		var st *autoscalingv2.MetricStatus
		if i < len(statuses) {
			st = &statuses[i]
		}
		parts = append(parts, metricTarget(spec, st))
	}
	if len(parts) > shown {
		return fmt.Sprintf("%s + %d more...", strings.Join(parts[:shown], ", "), len(parts)-shown)
	}
	return strings.Join(parts, ", ")
}

// metricTarget renders one metric; st is its status or nil.
func metricTarget(spec autoscalingv2.MetricSpec, st *autoscalingv2.MetricStatus) string {
	const unknown = "<unknown>"
	switch {
	case spec.Type == autoscalingv2.ExternalMetricSourceType && spec.External != nil:
		return valueOrAverage(spec.External.Target, func() *autoscalingv2.MetricValueStatus {
			if st != nil && st.External != nil {
				return &st.External.Current
			}
			return nil
		}())
	case spec.Type == autoscalingv2.ObjectMetricSourceType && spec.Object != nil:
		return valueOrAverage(spec.Object.Target, func() *autoscalingv2.MetricValueStatus {
			if st != nil && st.Object != nil {
				return &st.Object.Current
			}
			return nil
		}())
	case spec.Type == autoscalingv2.PodsMetricSourceType && spec.Pods != nil:
		current := unknown
		if st != nil && st.Pods != nil {
			current = quantityString(st.Pods.Current.AverageValue)
		}
		return current + "/" + quantityString(spec.Pods.Target.AverageValue)
	case spec.Type == autoscalingv2.ResourceMetricSourceType && spec.Resource != nil:
		var cur *autoscalingv2.MetricValueStatus
		if st != nil && st.Resource != nil {
			cur = &st.Resource.Current
		}
		return string(spec.Resource.Name) + ": " + resourceTarget(spec.Resource.Target, cur)
	case spec.Type == autoscalingv2.ContainerResourceMetricSourceType && spec.ContainerResource != nil:
		var cur *autoscalingv2.MetricValueStatus
		if st != nil && st.ContainerResource != nil {
			cur = &st.ContainerResource.Current
		}
		return string(spec.ContainerResource.Name) + ": " + resourceTarget(spec.ContainerResource.Target, cur)
	}
	// An unknown type (or one missing its source, which validation refuses).
	return "<unknown type>"
}

// valueOrAverage renders an object or external metric: an average value target as
// "<cur>/<target> (avg)", otherwise a plain value.
func valueOrAverage(target autoscalingv2.MetricTarget, cur *autoscalingv2.MetricValueStatus) string {
	current := "<unknown>"
	if target.AverageValue != nil {
		if cur != nil && cur.AverageValue != nil {
			current = quantityString(cur.AverageValue)
		}
		return fmt.Sprintf("%s/%s (avg)", current, quantityString(target.AverageValue))
	}
	if cur != nil {
		current = quantityString(cur.Value)
	}
	return current + "/" + quantityString(target.Value)
}

// resourceTarget renders a (container) resource metric: an average value, or a utilization
// in percent ("<auto>" without a target utilization).
func resourceTarget(target autoscalingv2.MetricTarget, cur *autoscalingv2.MetricValueStatus) string {
	current := "<unknown>"
	if target.AverageValue != nil {
		if cur != nil {
			current = quantityString(cur.AverageValue)
		}
		return current + "/" + quantityString(target.AverageValue)
	}
	if cur != nil && cur.AverageUtilization != nil {
		current = fmt.Sprintf("%d%%", *cur.AverageUtilization)
	}
	want := "<auto>"
	if target.AverageUtilization != nil {
		want = fmt.Sprintf("%d%%", *target.AverageUtilization)
	}
	return current + "/" + want
}

// quantityString is a quantity's canonical form; upstream prints a missing one as "<nil>".
func quantityString(q *resource.Quantity) string {
	if q == nil {
		return "<nil>"
	}
	return q.String()
}

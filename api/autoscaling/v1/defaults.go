package v1

// DefaultHorizontalPodAutoscaler defaults minReplicas to one. (The 80% CPU target of an
// autoscaler without one is applied by ToV2, where upstream applies it.)
func DefaultHorizontalPodAutoscaler(hpa *HorizontalPodAutoscaler) {
	if hpa.Spec.MinReplicas == nil {
		hpa.Spec.MinReplicas = ptrTo(int32(1))
	}
}

// DefaultScale exists so every kind has a defaulter; upstream defines none for Scale.
func DefaultScale(*Scale) {}

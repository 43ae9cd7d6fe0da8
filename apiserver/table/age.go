package table

import (
	"fmt"
	"time"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// humanDuration renders a duration as kubectl's AGE column: about two significant units,
// coarser as it grows ("45s", "3m2s", "12m", "5h4m", "20h", "3d4h", "30d", "2y5d", "9y").
// The thresholds are upstream's (apimachinery's duration.HumanDuration); a slightly negative
// duration (clock skew up to a second) is "0s", a more negative one "<invalid>".
func humanDuration(d time.Duration) string {
	seconds := int(d.Seconds())
	switch {
	case seconds < -1:
		return "<invalid>"
	case seconds < 0:
		return "0s"
	case seconds < 2*60:
		return fmt.Sprintf("%ds", seconds)
	}
	minutes := int(d / time.Minute)
	if minutes < 10 {
		return withRemainder(minutes, "m", int(d/time.Second)%60, "s")
	}
	if minutes < 3*60 {
		return fmt.Sprintf("%dm", minutes)
	}
	hours := int(d / time.Hour)
	switch {
	case hours < 8:
		return withRemainder(hours, "h", minutes%60, "m")
	case hours < 48:
		return fmt.Sprintf("%dh", hours)
	case hours < 8*24:
		return withRemainder(hours/24, "d", hours%24, "h")
	case hours < 2*365*24:
		return fmt.Sprintf("%dd", hours/24)
	case hours < 8*365*24:
		return withRemainder(hours/24/365, "y", (hours/24)%365, "d")
	}
	return fmt.Sprintf("%dy", hours/24/365)
}

// withRemainder is "3m2s", or "3m" when the smaller unit is zero.
func withRemainder(big int, bigUnit string, small int, smallUnit string) string {
	if small == 0 {
		return fmt.Sprintf("%d%s", big, bigUnit)
	}
	return fmt.Sprintf("%d%s%d%s", big, bigUnit, small, smallUnit)
}

// since is the age of a timestamp at now, "<unknown>" when it is unset.
func since(now time.Time, t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return humanDuration(now.Sub(t.Time))
}

// sinceMicro is since for MicroTime.
func sinceMicro(now time.Time, t metav1.MicroTime) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return humanDuration(now.Sub(t.Time))
}

// age is an object's AGE cell.
func age(now time.Time, obj metav1.Object) string {
	return since(now, obj.GetObjectMeta().CreationTimestamp)
}

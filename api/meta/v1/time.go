package v1

import (
	"encoding/json"
	"time"
)

// Time is a timestamp serialized as RFC 3339 in UTC with second precision, and as null
// when zero, exactly like upstream's metav1.Time.
type Time struct {
	time.Time
}

// Now returns the current time truncated to what the wire format keeps.
func Now() Time { return Time{time.Now().UTC().Truncate(time.Second)} }

// NewTime wraps a time.Time.
func NewTime(t time.Time) Time { return Time{t} }

// IsZero treats a nil pointer as zero too.
func (t *Time) IsZero() bool { return t == nil || t.Time.IsZero() }

func (t Time) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(time.RFC3339) + `"`), nil
}

func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	pt, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return err
	}
	t.Time = pt.Local()
	return nil
}

// MicroTime is a timestamp with microsecond precision (events, leases).
type MicroTime struct {
	time.Time
}

// RFC3339Micro is the wire format of MicroTime.
const RFC3339Micro = "2006-01-02T15:04:05.000000Z07:00"

// NowMicro returns the current time as a MicroTime.
func NowMicro() MicroTime { return MicroTime{time.Now().UTC().Truncate(time.Microsecond)} }

func (t *MicroTime) IsZero() bool { return t == nil || t.Time.IsZero() }

func (t MicroTime) MarshalJSON() ([]byte, error) {
	if t.Time.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(RFC3339Micro) + `"`), nil
}

func (t *MicroTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	pt, err := time.Parse(RFC3339Micro, s)
	if err != nil {
		pt, err = time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return err
		}
	}
	t.Time = pt.Local()
	return nil
}

// Duration is a time.Duration serialized as a Go duration string ("1h0m0s").
type Duration struct {
	time.Duration
}

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.Duration.String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	pd, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	d.Duration = pd
	return nil
}

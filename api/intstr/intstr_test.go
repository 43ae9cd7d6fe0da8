package intstr

import (
	"encoding/json"
	"testing"
)

func TestJSON(t *testing.T) {
	type holder struct {
		V IntOrString  `json:"v"`
		P *IntOrString `json:"p,omitempty"`
	}
	for _, tc := range []struct {
		in   string
		want holder
	}{
		{`{"v":80}`, holder{V: FromInt32(80)}},
		{`{"v":"http"}`, holder{V: FromString("http")}},
		{`{"v":"25%","p":1}`, holder{V: FromString("25%"), P: &IntOrString{IntVal: 1}}},
		{`{"v":"8080"}`, holder{V: FromString("8080")}},
	} {
		var h holder
		if err := json.Unmarshal([]byte(tc.in), &h); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if h.V != tc.want.V || (h.P == nil) != (tc.want.P == nil) || (h.P != nil && *h.P != *tc.want.P) {
			t.Errorf("%s: got %+v", tc.in, h)
		}
		out, err := json.Marshal(h)
		if err != nil || string(out) != tc.in {
			t.Errorf("%s: marshal back = %s, %v", tc.in, out, err)
		}
	}
	var v IntOrString
	if err := json.Unmarshal([]byte(`1.5`), &v); err == nil {
		t.Error("1.5 accepted as IntOrString")
	}
	if _, err := json.Marshal(IntOrString{Type: 7}); err == nil {
		t.Error("marshal of impossible type succeeded")
	}
}

func TestGetScaledValueFromIntOrPercent(t *testing.T) {
	for _, tc := range []struct {
		v       *IntOrString
		total   int
		roundUp bool
		want    int
		wantErr string
	}{
		{ptr(FromInt32(3)), 10, false, 3, ""},
		{ptr(FromString("25%")), 10, true, 3, ""},
		{ptr(FromString("25%")), 10, false, 2, ""},
		{ptr(FromString("25%")), 4, true, 1, ""},
		{ptr(FromString("100%")), 7, false, 7, ""},
		{ptr(FromString("0%")), 7, true, 0, ""},
		{ptr(FromString("33%")), 3, true, 1, ""},
		{ptr(FromString("10")), 10, true, 0, "invalid value for IntOrString: invalid type: string is not a percentage"},
		{ptr(FromString("a%")), 10, true, 0, `invalid value for IntOrString: invalid value "a%": strconv.Atoi: parsing "a": invalid syntax`},
		{nil, 10, true, 0, "nil value for IntOrString"},
	} {
		got, err := GetScaledValueFromIntOrPercent(tc.v, tc.total, tc.roundUp)
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%v: error %v, want %q", tc.v, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%v of %d (up=%v) = %d, %v; want %d", tc.v, tc.total, tc.roundUp, got, err, tc.want)
		}
	}
}

func TestParseAndString(t *testing.T) {
	if v := Parse("8080"); v.Type != Int || v.IntVal != 8080 || v.String() != "8080" {
		t.Errorf("Parse(8080) = %+v", v)
	}
	if v := Parse("http"); v.Type != String || v.String() != "http" {
		t.Errorf("Parse(http) = %+v", v)
	}
}

func ptr(v IntOrString) *IntOrString { return &v }

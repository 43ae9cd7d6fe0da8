package names

import (
	"reflect"
	"strings"
	"testing"
)

func TestIsDNS1123Label(t *testing.T) {
	valid := []string{"a", "ab", "abc", "a1", "a-1", "a--1--2--b", "0", "01", "1-2", strings.Repeat("a", 63)}
	for _, v := range valid {
		if errs := IsDNS1123Label(v); errs != nil {
			t.Errorf("IsDNS1123Label(%q) = %v, want valid", v, errs)
		}
	}
	cases := []struct {
		value string
		want  []string
	}{
		{"", []string{"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"}},
		{"a.b", []string{"must not contain dots"}},
		{"A", []string{"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"}},
		{strings.Repeat("a", 64), []string{"must be no more than 63 characters"}},
	}
	for _, c := range cases {
		if got := IsDNS1123Label(c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IsDNS1123Label(%q) =\n %q\nwant\n %q", c.value, got, c.want)
		}
	}
}

func TestIsDNS1123Subdomain(t *testing.T) {
	valid := []string{"a", "a.b", "a-1.b-2", "example.com", "0.0", strings.Repeat("a", 253)}
	for _, v := range valid {
		if errs := IsDNS1123Subdomain(v); errs != nil {
			t.Errorf("IsDNS1123Subdomain(%q) = %v, want valid", v, errs)
		}
	}
	regexMsg := "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	cases := []struct {
		value string
		want  []string
	}{
		{"My_Pod", []string{regexMsg}},
		{"a..b", []string{regexMsg}},
		{".a", []string{regexMsg}},
		{strings.Repeat("a", 254), []string{"must be no more than 253 characters"}},
		{strings.Repeat("A", 254), []string{"must be no more than 253 characters", regexMsg}},
	}
	for _, c := range cases {
		if got := IsDNS1123Subdomain(c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IsDNS1123Subdomain(%q) =\n %q\nwant\n %q", c.value, got, c.want)
		}
	}
}

func TestIsDNS1035Label(t *testing.T) {
	if errs := IsDNS1035Label("my-svc"); errs != nil {
		t.Errorf("my-svc: %v", errs)
	}
	want := []string{"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"}
	if got := IsDNS1035Label("1abc"); !reflect.DeepEqual(got, want) {
		t.Errorf("1abc: %q", got)
	}
}

func TestIsQualifiedName(t *testing.T) {
	valid := []string{"simple", "now-with-dashes", "1-starts-with-num", "1234", "simple/simple",
		"now-with-dashes/simple", "example.com/Now-with_dashes.and.dots", "a", "A", "a_b",
		strings.Repeat("a", 63), strings.Repeat("a", 253) + "/" + strings.Repeat("b", 63)}
	for _, v := range valid {
		if errs := IsQualifiedName(v); errs != nil {
			t.Errorf("IsQualifiedName(%q) = %v, want valid", v, errs)
		}
	}
	nameMsg := "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
	cases := []struct {
		value string
		want  []string
	}{
		{"", []string{"name part must be non-empty", nameMsg}},
		{"a b", []string{nameMsg}},
		{"-a", []string{nameMsg}},
		{"/a", []string{"prefix part must be non-empty"}},
		{"a/", []string{"name part must be non-empty", nameMsg}},
		{"Example.com/a", []string{"prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"}},
		{strings.Repeat("a", 64), []string{"name part must be no more than 63 bytes"}},
		{strings.Repeat("a", 254) + "/a", []string{"prefix part must be no more than 253 bytes"}},
		{"a/b/c", []string{"a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}},
	}
	for _, c := range cases {
		if got := IsQualifiedName(c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IsQualifiedName(%q) =\n %q\nwant\n %q", c.value, got, c.want)
		}
	}
	if got := IsPrefixedQualifiedName("key"); !reflect.DeepEqual(got, []string{"must include a prefix (e.g. 'example.com/key')"}) {
		t.Errorf("IsPrefixedQualifiedName(key) = %q", got)
	}
}

func TestIsLabelValue(t *testing.T) {
	for _, v := range []string{"", "a", "A", "a-b_c.d", "1", strings.Repeat("a", 63)} {
		if errs := IsLabelValue(v); errs != nil {
			t.Errorf("IsLabelValue(%q) = %v, want valid", v, errs)
		}
	}
	msg := "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
	cases := []struct {
		value string
		want  []string
	}{
		{"-a", []string{msg}},
		{"a b", []string{msg}},
		{"a/b", []string{msg}},
		{strings.Repeat("a", 64), []string{"must be no more than 63 bytes"}},
	}
	for _, c := range cases {
		if got := IsLabelValue(c.value); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IsLabelValue(%q) =\n %q\nwant\n %q", c.value, got, c.want)
		}
	}
}

func TestNameFuncsWithPrefix(t *testing.T) {
	if errs := NameIsDNSSubdomain("web-", true); errs != nil {
		t.Errorf("generateName prefix web- should be valid: %v", errs)
	}
	if errs := NameIsDNSSubdomain("web-", false); errs == nil {
		t.Errorf("name web- should be invalid")
	}
	if errs := NameIsDNSLabel("ns-", true); errs != nil {
		t.Errorf("ns- prefix: %v", errs)
	}
	if errs := NameIsDNS1035Label("svc-", true); errs != nil {
		t.Errorf("svc- prefix: %v", errs)
	}
	if errs := NameIsDNSSubdomain("-", true); errs == nil {
		t.Errorf("a lone dash is never valid")
	}
}

func TestPathSegment(t *testing.T) {
	cases := []struct {
		name string
		want []string
	}{
		{"ok", nil},
		{".", []string{"may not be '.'"}},
		{"..", []string{"may not be '..'"}},
		{"a/b%c", []string{"may not contain '/'", "may not contain '%'"}},
	}
	for _, c := range cases {
		if got := IsPathSegmentName(c.name); !reflect.DeepEqual(got, c.want) {
			t.Errorf("IsPathSegmentName(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if got := IsPathSegmentPrefix(".."); got != nil {
		t.Errorf("prefix .. = %q", got)
	}
}

func TestIdentifiers(t *testing.T) {
	if IsCIdentifier("_a1") != nil || IsCIdentifier("1a") == nil {
		t.Errorf("IsCIdentifier")
	}
	if IsEnvVarName("MY_VAR.1") != nil || IsEnvVarName("1VAR") == nil {
		t.Errorf("IsEnvVarName")
	}
	if got := IsEnvVarName(".."); !reflect.DeepEqual(got, []string{"must not be '..'"}) {
		t.Errorf("IsEnvVarName(..) = %q", got)
	}
	if IsConfigMapKey("key.name") != nil || IsConfigMapKey("a/b") == nil {
		t.Errorf("IsConfigMapKey")
	}
	if got := IsConfigMapKey("..data"); !reflect.DeepEqual(got, []string{"must not start with '..'"}) {
		t.Errorf("IsConfigMapKey(..data) = %q", got)
	}
	if IsValidPortName("http") != nil {
		t.Errorf("http is a port name")
	}
	want := []string{"must be no more than 15 characters", "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)", "must not contain consecutive hyphens", "must not begin or end with a hyphen"}
	if got := IsValidPortName("-Abcdefghijklm--"); !reflect.DeepEqual(got, want) {
		t.Errorf("IsValidPortName = %q", got)
	}
	if got := IsValidPortName("123"); !reflect.DeepEqual(got, []string{"must contain at least one letter (a-z)"}) {
		t.Errorf("IsValidPortName(123) = %q", got)
	}
}

package names

import (
	"regexp"
	"strings"
)

// Qualified names ("prefix/name" or "name") are label keys, annotation keys, finalizer names
// and many other keys. Their name part is at most 63 characters from this expression.
const (
	qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
	qualifiedNameMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"

	labelValueFmt = "(" + qualifiedNameFmt + ")?"
	labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)

var (
	qualifiedNameRE = regexp.MustCompile("^" + qualifiedNameFmt + "$")
	labelValueRE    = regexp.MustCompile("^" + labelValueFmt + "$")
)

// IsQualifiedName checks a label key (and every other "qualified name"): an optional DNS-1123
// subdomain prefix and '/', then a name of at most 63 alphanumerics, '-', '_' or '.', starting
// and ending alphanumeric. Upstream measures these limits in "bytes", unlike object names.
func IsQualifiedName(value string) []string {
	var errs []string
	parts := strings.Split(value, "/")
	var name string
	switch len(parts) {
	case 1:
		name = parts[0]
	case 2:
		prefix := parts[0]
		name = parts[1]
		if prefix == "" {
			errs = append(errs, "prefix part "+EmptyError())
		} else {
			for _, msg := range isSubdomain(prefix, "bytes") {
				errs = append(errs, "prefix part "+msg)
			}
		}
	default:
		return []string{"a valid label key " +
			RegexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc") +
			" with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"}
	}
	if name == "" {
		errs = append(errs, "name part "+EmptyError())
	} else if len(name) > QualifiedNameMaxLength {
		errs = append(errs, "name part "+maxLen(QualifiedNameMaxLength, "bytes"))
	}
	if !qualifiedNameRE.MatchString(name) {
		errs = append(errs, "name part "+RegexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc"))
	}
	return errs
}

// IsPrefixedQualifiedName is IsQualifiedName that also requires the "prefix/" part.
func IsPrefixedQualifiedName(value string) []string {
	if errs := IsQualifiedName(value); len(errs) > 0 {
		return errs
	}
	if !strings.Contains(value, "/") {
		return []string{"must include a prefix (e.g. 'example.com/key')"}
	}
	return nil
}

// IsLabelValue checks a label value: empty, or at most 63 alphanumerics, '-', '_' or '.',
// starting and ending alphanumeric.
func IsLabelValue(value string) []string {
	var errs []string
	if len(value) > LabelValueMaxLength {
		errs = append(errs, maxLen(LabelValueMaxLength, "bytes"))
	}
	if !labelValueRE.MatchString(value) {
		errs = append(errs, RegexError(labelValueMsg, labelValueFmt, "MyValue", "my_value", "12345"))
	}
	return errs
}

const (
	cIdentifierFmt   = "[A-Za-z_][A-Za-z0-9_]*"
	cIdentifierMsg   = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'"
	envVarNameFmt    = "[-._a-zA-Z][-._a-zA-Z0-9]*"
	envVarNameMsg    = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"
	configMapKeyFmt  = "[-._a-zA-Z0-9]+"
	configMapKeyMsg  = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
	portNameMaxLen   = 15
	portNameCharsMsg = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
)

var (
	cIdentifierRE  = regexp.MustCompile("^" + cIdentifierFmt + "$")
	envVarNameRE   = regexp.MustCompile("^" + envVarNameFmt + "$")
	configMapKeyRE = regexp.MustCompile("^" + configMapKeyFmt + "$")
	portNameRE     = regexp.MustCompile("^[-a-z0-9]+$")
	oneLetterRE    = regexp.MustCompile("[a-z]")
)

// IsCIdentifier checks a C identifier (no length limit).
func IsCIdentifier(value string) []string {
	if !cIdentifierRE.MatchString(value) {
		return []string{RegexError(cIdentifierMsg, cIdentifierFmt, "my_name", "MY_NAME", "MyName")}
	}
	return nil
}

// IsEnvVarName checks a container environment variable name.
func IsEnvVarName(value string) []string {
	var errs []string
	if !envVarNameRE.MatchString(value) {
		errs = append(errs, RegexError(envVarNameMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"))
	}
	return append(errs, dotPrefixErrors(value)...)
}

// IsConfigMapKey checks a key of a ConfigMap's or Secret's data: it becomes a file name when
// mounted, hence the ban on "." and "..".
func IsConfigMapKey(value string) []string {
	var errs []string
	if len(value) > DNS1123SubdomainMaxLength {
		errs = append(errs, MaxLenError(DNS1123SubdomainMaxLength))
	}
	if !configMapKeyRE.MatchString(value) {
		errs = append(errs, RegexError(configMapKeyMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"))
	}
	return append(errs, dotPrefixErrors(value)...)
}

// dotPrefixErrors rejects values that would name the current or parent directory.
func dotPrefixErrors(value string) []string {
	switch {
	case value == ".":
		return []string{"must not be '.'"}
	case value == "..":
		return []string{"must not be '..'"}
	case strings.HasPrefix(value, ".."):
		return []string{"must not start with '..'"}
	}
	return nil
}

// IsValidPortName checks a named port (an IANA_SVC_NAME): at most 15 lower-case
// alphanumerics or '-', at least one letter, no "--", not starting or ending with '-'.
func IsValidPortName(port string) []string {
	var errs []string
	if len(port) > portNameMaxLen {
		errs = append(errs, MaxLenError(portNameMaxLen))
	}
	if !portNameRE.MatchString(port) {
		errs = append(errs, portNameCharsMsg)
	}
	if !oneLetterRE.MatchString(port) {
		errs = append(errs, "must contain at least one letter (a-z)")
	}
	if strings.Contains(port, "--") {
		errs = append(errs, "must not contain consecutive hyphens")
	}
	if len(port) > 0 && (port[0] == '-' || port[len(port)-1] == '-') {
		errs = append(errs, "must not begin or end with a hyphen")
	}
	return errs
}

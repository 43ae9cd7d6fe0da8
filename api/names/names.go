package names

import (
	"fmt"
	"regexp"
	"strings"
)

// Maximum lengths upstream enforces.
const (
	DNS1123LabelMaxLength     = 63
	DNS1123SubdomainMaxLength = 253
	DNS1035LabelMaxLength     = 63
	QualifiedNameMaxLength    = 63 // the name part of a qualified name
	LabelValueMaxLength       = 63
)

const (
	dns1123LabelFmt     = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
	dns1123SubdomainFmt = dns1123LabelFmt + "(\\." + dns1123LabelFmt + ")*"
	dns1035LabelFmt     = "[a-z]([-a-z0-9]*[a-z0-9])?"
	wildcardFmt         = "\\*\\." + dns1123SubdomainFmt

	dns1123LabelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
	dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
	dns1035LabelMsg     = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
	wildcardMsg         = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character"
)

var (
	dns1123LabelRE     = regexp.MustCompile("^" + dns1123LabelFmt + "$")
	dns1123SubdomainRE = regexp.MustCompile("^" + dns1123SubdomainFmt + "$")
	dns1035LabelRE     = regexp.MustCompile("^" + dns1035LabelFmt + "$")
	wildcardRE         = regexp.MustCompile("^" + wildcardFmt + "$")
)

// IsDNS1123Label checks a DNS (RFC 1123) label: at most 63 lower-case alphanumerics or '-',
// starting and ending alphanumeric. Namespace names and most short names use it.
func IsDNS1123Label(value string) []string {
	var errs []string
	if len(value) > DNS1123LabelMaxLength {
		errs = append(errs, MaxLenError(DNS1123LabelMaxLength))
	}
	if !dns1123LabelRE.MatchString(value) {
		if dns1123SubdomainRE.MatchString(value) {
			// Only dots separate a valid subdomain from a valid label: say so plainly.
			errs = append(errs, "must not contain dots")
		} else {
			errs = append(errs, RegexError(dns1123LabelMsg, dns1123LabelFmt, "my-name", "123-abc"))
		}
	}
	return errs
}

// IsDNS1123Subdomain checks a DNS (RFC 1123) subdomain: dot-separated labels, at most 253
// characters. Most object names (pods, deployments, config maps...) use it.
func IsDNS1123Subdomain(value string) []string {
	return isSubdomain(value, "characters")
}

// isSubdomain is IsDNS1123Subdomain with the length unit as a parameter: upstream words the
// same limit "characters" for object names but "bytes" for label key prefixes, and clients see
// both sentences.
func isSubdomain(value, unit string) []string {
	var errs []string
	if len(value) > DNS1123SubdomainMaxLength {
		errs = append(errs, maxLen(DNS1123SubdomainMaxLength, unit))
	}
	if !dns1123SubdomainRE.MatchString(value) {
		errs = append(errs, RegexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"))
	}
	return errs
}

// IsDNS1035Label checks a DNS (RFC 1035) label: like a DNS-1123 label but starting with a
// letter. Service names use it, because they become DNS names and environment variables.
func IsDNS1035Label(value string) []string {
	var errs []string
	if len(value) > DNS1035LabelMaxLength {
		errs = append(errs, MaxLenError(DNS1035LabelMaxLength))
	}
	if !dns1035LabelRE.MatchString(value) {
		errs = append(errs, RegexError(dns1035LabelMsg, dns1035LabelFmt, "my-name", "abc-123"))
	}
	return errs
}

// IsWildcardDNS1123Subdomain checks "*." followed by a DNS-1123 subdomain (RFC 1034 4.3.3).
func IsWildcardDNS1123Subdomain(value string) []string {
	var errs []string
	if len(value) > DNS1123SubdomainMaxLength {
		errs = append(errs, MaxLenError(DNS1123SubdomainMaxLength))
	}
	if !wildcardRE.MatchString(value) {
		errs = append(errs, RegexError(wildcardMsg, wildcardFmt, "*.example.com"))
	}
	return errs
}

// ValidateNameFunc checks an object name. prefix is true when the value is a generateName
// prefix, which will get random characters appended and so may end in '-'.
type ValidateNameFunc func(name string, prefix bool) []string

// NameIsDNSSubdomain is the ValidateNameFunc of kinds whose names are DNS-1123 subdomains.
func NameIsDNSSubdomain(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return IsDNS1123Subdomain(name)
}

// NameIsDNSLabel is the ValidateNameFunc of kinds whose names are DNS-1123 labels
// (namespaces, for example).
func NameIsDNSLabel(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return IsDNS1123Label(name)
}

// NameIsDNS1035Label is the ValidateNameFunc of kinds whose names are DNS-1035 labels
// (services).
func NameIsDNS1035Label(name string, prefix bool) []string {
	if prefix {
		name = maskTrailingDash(name)
	}
	return IsDNS1035Label(name)
}

// maskTrailingDash makes a generateName prefix checkable as a whole name: a trailing '-' is
// fine because random characters follow it, so it is replaced by a letter. Upstream replaces
// the last two characters by one "a" (shortening the value by one); Skiff does the same so
// that the length check agrees with upstream's at the boundary.
func maskTrailingDash(name string) string {
	if len(name) > 1 && strings.HasSuffix(name, "-") {
		return name[:len(name)-2] + "a"
	}
	return name
}

// IsPathSegmentName checks that a name can be one segment of a REST path or storage key:
// not "." or "..", and without '/' or '%'. Every object name must pass it.
func IsPathSegmentName(name string) []string {
	switch name {
	case ".", "..":
		return []string{fmt.Sprintf("may not be '%s'", name)}
	}
	return IsPathSegmentPrefix(name)
}

// IsPathSegmentPrefix is IsPathSegmentName for generateName prefixes: "." or ".." are fine
// there because something will be appended.
func IsPathSegmentPrefix(name string) []string {
	var errs []string
	for _, bad := range []string{"/", "%"} {
		if strings.Contains(name, bad) {
			errs = append(errs, fmt.Sprintf("may not contain '%s'", bad))
		}
	}
	return errs
}

// MaxLenError explains a "too long" failure of a DNS-style name.
func MaxLenError(length int) string {
	return maxLen(length, "characters")
}

func maxLen(length int, unit string) string {
	return fmt.Sprintf("must be no more than %d %s", length, unit)
}

// EmptyError explains a "must not be empty" failure.
func EmptyError() string {
	return "must be non-empty"
}

// RegexError explains a regular-expression failure: the rule in words, some valid examples,
// and the expression itself.
func RegexError(msg, re string, examples ...string) string {
	if len(examples) == 0 {
		return msg + " (regex used for validation is '" + re + "')"
	}
	var b strings.Builder
	b.WriteString(msg)
	b.WriteString(" (e.g. ")
	for i, ex := range examples {
		if i > 0 {
			b.WriteString(" or ")
		}
		b.WriteString("'" + ex + "', ")
	}
	b.WriteString("regex used for validation is '" + re + "')")
	return b.String()
}

package validation

import (
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/skiff-k8s/skiff/api/names"
)

// This file holds the value formats that only validation needs (port numbers, percentages,
// HTTP header names, IP addresses); object-name and key formats live in package names.

// inclusiveRangeMsg explains a number outside [lo, hi].
func inclusiveRangeMsg(lo, hi int64) string {
	return fmt.Sprintf("must be between %d and %d, inclusive", lo, hi)
}

// isValidPortNum checks a TCP/UDP/SCTP port number.
func isValidPortNum(port int) []string {
	if port >= 1 && port <= 65535 {
		return nil
	}
	return []string{inclusiveRangeMsg(1, 65535)}
}

const (
	percentFmt          = "[0-9]+%"
	httpHeaderNameFmt   = "[-A-Za-z0-9]+"
	relaxedEnvVarNamMsg = "a valid environment variable name must consist only of printable ASCII characters other than '='"
)

const dns1123SubdomainWithUnderscoreFmt = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*"

var (
	dnsSubdomainWithUnderscoreRE = regexp.MustCompile("^" + dns1123SubdomainWithUnderscoreFmt + "$")
	percentRE                    = regexp.MustCompile("^" + percentFmt + "$")
	httpHeaderNameRE             = regexp.MustCompile("^" + httpHeaderNameFmt + "$")
)

// isDNS1123SubdomainWithUnderscore checks a DNS search domain, where labels may contain and
// start with '_'.
func isDNS1123SubdomainWithUnderscore(s string) []string {
	var errs []string
	if len(s) > names.DNS1123SubdomainMaxLength {
		errs = append(errs, names.MaxLenError(names.DNS1123SubdomainMaxLength))
	}
	if !dnsSubdomainWithUnderscoreRE.MatchString(s) {
		errs = append(errs, names.RegexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character",
			dns1123SubdomainWithUnderscoreFmt, "example.com"))
	}
	return errs
}

// isValidPercent checks a percentage string such as "25%".
func isValidPercent(s string) []string {
	if percentRE.MatchString(s) {
		return nil
	}
	return []string{names.RegexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, "1%", "93%")}
}

// isHTTPHeaderName checks the name of an HTTP header a probe sends.
func isHTTPHeaderName(s string) []string {
	if httpHeaderNameRE.MatchString(s) {
		return nil
	}
	return []string{names.RegexError("a valid HTTP header must consist of alphanumeric characters or '-'", httpHeaderNameFmt, "X-Header-Name")}
}

// isRelaxedEnvVarName checks an environment variable name under the rules upstream enforces
// since RelaxedEnvironmentVariableValidation went GA: any printable ASCII except '='.
func isRelaxedEnvVarName(s string) []string {
	var errs []string
	if s == "" {
		errs = append(errs, "environment variable name "+names.EmptyError())
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || r == '=' {
			errs = append(errs, relaxedEnvVarNamMsg)
			break
		}
	}
	return errs
}

// parseIPSloppy parses an IP address the way Kubernetes always has for its older fields:
// like net.ParseIP, but tolerating leading zeros in IPv4 octets ("010.0.0.1").
func parseIPSloppy(s string) net.IP {
	if ip := net.ParseIP(s); ip != nil {
		return ip
	}
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return nil
	}
	for i, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return nil
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > 255 {
			return nil
		}
		parts[i] = strconv.Itoa(n)
	}
	return net.ParseIP(strings.Join(parts, "."))
}

// validateLegacyIP checks an IP address in one of the fields that predate strict IP
// validation (clusterIPs, externalIPs, endpoint addresses, host aliases). Upstream now also
// rejects leading zeros and IPv4-mapped IPv6 forms there (StrictIPCIDRValidation, on by
// default), except for values already stored in the old object.
func validateLegacyIP(path *Path, value string, oldValues []string) ErrorList {
	for _, old := range oldValues {
		if old == value {
			return nil
		}
	}
	if parseIPSloppy(value) == nil {
		return ErrorList{Invalid(path, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")}
	}
	var errs ErrorList
	addr, err := netip.ParseAddr(value)
	if err != nil {
		errs = append(errs, Invalid(path, value, "must not have leading 0s"))
	}
	if addr.Is4In6() {
		errs = append(errs, Invalid(path, value, "must not be an IPv4-mapped IPv6 address"))
	}
	return errs
}

// validateLegacyCIDR is validateLegacyIP for CIDR values (pod CIDRs, load balancer source
// ranges).
func validateLegacyCIDR(path *Path, value string, oldValues []string) ErrorList {
	for _, old := range oldValues {
		if old == value {
			return nil
		}
	}
	ipPart, bits, ok := strings.Cut(value, "/")
	if !ok || parseIPSloppy(ipPart) == nil || bits == "" || strings.Trim(bits, "0123456789") != "" {
		return ErrorList{Invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")}
	}
	n, err := strconv.Atoi(bits)
	max := 128
	if parseIPSloppy(ipPart).To4() != nil && !strings.Contains(ipPart, ":") {
		max = 32
	}
	if err != nil || n > max {
		return ErrorList{Invalid(path, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")}
	}
	prefix, err := netip.ParsePrefix(value)
	switch {
	case err != nil:
		return ErrorList{Invalid(path, value, "must not have leading 0s in IP or prefix length")}
	case prefix.Addr().Is4In6():
		return ErrorList{Invalid(path, value, "must not have an IPv4-mapped IPv6 address")}
	case prefix.Addr() != prefix.Masked().Addr():
		return ErrorList{Invalid(path, value, "must not have bits set beyond the prefix length")}
	}
	return nil
}

// isIPv6 reports whether s parses as an IPv6 (not IPv4) address.
func isIPv6(s string) bool {
	ip := parseIPSloppy(s)
	return ip != nil && ip.To4() == nil
}

// validateEndpointIP rejects addresses that cannot be a destination for service traffic:
// unspecified, loopback and link-local ones.
func validateEndpointIP(value string, path *Path) ErrorList {
	ip := parseIPSloppy(value)
	if ip == nil {
		return ErrorList{Invalid(path, value, "must be a valid IP address")}
	}
	var errs ErrorList
	if ip.IsUnspecified() {
		errs = append(errs, Invalid(path, value, fmt.Sprintf("may not be unspecified (%v)", value)))
	}
	if ip.IsLoopback() {
		errs = append(errs, Invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if ip.IsLinkLocalUnicast() {
		errs = append(errs, Invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if ip.IsLinkLocalMulticast() {
		errs = append(errs, Invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return errs
}

// validateDNS1123Label and friends turn a names check into field errors at path.
func validateDNS1123Label(value string, path *Path) ErrorList {
	return messagesAt(path, value, names.IsDNS1123Label(value))
}

func validateDNS1123Subdomain(value string, path *Path) ErrorList {
	return messagesAt(path, value, names.IsDNS1123Subdomain(value))
}

func validateQualifiedName(value string, path *Path) ErrorList {
	return messagesAt(path, value, names.IsQualifiedName(value))
}

// messagesAt makes one Invalid error per message.
func messagesAt(path *Path, value any, msgs []string) ErrorList {
	var errs ErrorList
	for _, msg := range msgs {
		errs = append(errs, Invalid(path, value, msg))
	}
	return errs
}

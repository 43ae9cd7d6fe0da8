// Package names checks the string formats Kubernetes uses for object names and keys: DNS-1123
// labels and subdomains, DNS-1035 labels, qualified names (label and annotation keys), label
// values, path segments and a few identifier formats.
//
// Promise: every check is pure and returns nil for a valid value, or the list of problems
// worded exactly as upstream's k8s.io/apimachinery words them. Clients, tests and humans match
// on those sentences (for example "a lowercase RFC 1123 subdomain must consist of ..."), so the
// texts, regular expressions and examples quoted in them are part of the API.
package names

// Package labels selects objects by their labels: it parses label selectors in upstream's
// string syntax ("app=web,tier in (front,back),!canary"), converts the API's
// metav1.LabelSelector, matches label sets and renders selectors back to strings.
//
// Promise: Parse accepts exactly what upstream's labels.Parse accepts, with the same error
// messages; a parsed selector prints (String) in upstream's canonical form, requirements
// sorted by key and set values sorted, so printing and re-parsing gives an equal selector.
// Everything here is pure: no I/O, no globals that change.
package labels

// Package patch applies the three patch formats a PATCH request can carry, chosen by its
// Content-Type:
//
//   - application/json-patch+json: JSONPatch, RFC 6902 operations (add, remove, replace,
//     move, copy, test) on JSON pointers;
//   - application/merge-patch+json: MergePatch, RFC 7386 (objects merge, null deletes,
//     everything else replaces);
//   - application/strategic-merge-patch+json: StrategicMergePatch, Kubernetes' merge patch
//     whose lists merge by key according to the kind's Go struct tags, with the $patch,
//     $retainKeys, $setElementOrder and $deleteFromPrimitiveList directives kubectl sends.
//
// Promise: the functions are pure (JSON bytes in, JSON bytes out) and follow upstream's
// implementations (the JSON patch library upstream uses, and k8s.io/apimachinery's
// strategicpatch): same results, same list orders, same error texts. Every failure is an
// *Error carrying the HTTP status upstream answers with (400, 413, 422 or 500), so the
// handler needs no knowledge of the formats. Numbers pass through with their exact digits.
// Untrusted input cannot make them panic, and JSON patches are bounded in operations and in
// the bytes their copies add.
//
// Where upstream depends on Go's random map order (a patch whose keys conflict) Skiff picks
// one fixed order; where upstream fails on fields the Go type lacks, Skiff merges them as a
// JSON merge patch would (the kind's decoder drops them anyway).
package patch

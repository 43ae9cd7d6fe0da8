// Package resource holds Quantity, the fixed-point number Kubernetes uses for CPU, memory and
// every other resource amount ("100m", "1.5", "128Mi", "2e3").
//
// Promise: a Quantity parses every string upstream's k8s.io/apimachinery accepts, rejects the
// ones it rejects (with the same error texts), keeps the same value (rounded up to 1n like
// upstream) and serializes to the same text. That text is the "canonical form":
//
//   - no precision is lost and no fractional digits are written,
//   - the suffix (or exponent) is as large as possible, in the format the value was written
//     in (binary "Ki..Ei", decimal "n..E", or "eN"),
//   - binary amounts that are not whole numbers, or are smaller than 1024, are written in
//     decimal,
//   - a string that upstream considers already canonical when parsing is echoed back as
//     written (so "+1Ki" or "1.500" come back unchanged, as they do upstream).
//
// Examples: "1000m" -> "1", "0.5" -> "500m", "1024Mi" -> "1Gi", "1.5Gi" -> "1536Mi",
// "1536Mi" -> "1536Mi", "0.9Gi" -> "966367641600m". Faithful to v1.37 down to its bug:
// "1000E" (beyond the largest suffix) serializes as "1".
//
// A Quantity is a value type whose internal number is never mutated in place (methods that
// change a Quantity replace the number), so a plain struct copy is already a deep copy.
package resource

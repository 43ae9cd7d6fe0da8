// Package test holds Skiff's conformance-style tests: independent clients (k8s.io/client-go
// and the real kubectl) checking a Skiff control plane that each test starts itself. It is
// its own Go module so that upstream's libraries never become dependencies of the product.
package test

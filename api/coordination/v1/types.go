// Package v1 (imported as coordinationv1) holds Lease, the lightweight object used for node
// heartbeats (kube-node-lease) and leader election.
//
// Promise: field names, omitempty rules and time formats (MicroTime) are upstream's
// k8s.io/api/coordination/v1.
package v1

//go:generate go run ../../internal/gendeepcopy

import (
	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Lease is a time-bound claim held by one identity.
type Lease struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              LeaseSpec `json:"spec,omitempty"`
}

// LeaseList is a list of leases.
type LeaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Lease `json:"items"`
}

// LeaseSpec is the state of a lease.
type LeaseSpec struct {
	HolderIdentity       *string           `json:"holderIdentity,omitempty"`
	LeaseDurationSeconds *int32            `json:"leaseDurationSeconds,omitempty"`
	AcquireTime          *metav1.MicroTime `json:"acquireTime,omitempty"`
	RenewTime            *metav1.MicroTime `json:"renewTime,omitempty"`
	LeaseTransitions     *int32            `json:"leaseTransitions,omitempty"`
	// Strategy and PreferredHolder belong to coordinated leader election.
	Strategy        *CoordinatedLeaseStrategy `json:"strategy,omitempty"`
	PreferredHolder *string                   `json:"preferredHolder,omitempty"`
}

// CoordinatedLeaseStrategy is how a coordinated leader is picked.
type CoordinatedLeaseStrategy string

// The coordinated lease strategies.
const (
	OldestEmulationVersion CoordinatedLeaseStrategy = "OldestEmulationVersion"
)

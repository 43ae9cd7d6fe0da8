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
	metav1.ObjectMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Spec              LeaseSpec `json:"spec,omitempty" protobuf:"bytes,2,opt,name=spec"`
}

// LeaseList is a list of leases.
type LeaseList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty" protobuf:"bytes,1,opt,name=metadata"`
	Items           []Lease `json:"items" protobuf:"bytes,2,rep,name=items"`
}

// LeaseSpec is the state of a lease.
type LeaseSpec struct {
	HolderIdentity       *string           `json:"holderIdentity,omitempty" protobuf:"bytes,1,opt,name=holderIdentity"`
	LeaseDurationSeconds *int32            `json:"leaseDurationSeconds,omitempty" protobuf:"varint,2,opt,name=leaseDurationSeconds"`
	AcquireTime          *metav1.MicroTime `json:"acquireTime,omitempty" protobuf:"bytes,3,opt,name=acquireTime"`
	RenewTime            *metav1.MicroTime `json:"renewTime,omitempty" protobuf:"bytes,4,opt,name=renewTime"`
	LeaseTransitions     *int32            `json:"leaseTransitions,omitempty" protobuf:"varint,5,opt,name=leaseTransitions"`
	// Strategy and PreferredHolder belong to coordinated leader election.
	Strategy        *CoordinatedLeaseStrategy `json:"strategy,omitempty" protobuf:"bytes,6,opt,name=strategy"`
	PreferredHolder *string                   `json:"preferredHolder,omitempty" protobuf:"bytes,7,opt,name=preferredHolder"`
}

// CoordinatedLeaseStrategy is how a coordinated leader is picked.
type CoordinatedLeaseStrategy string

// The coordinated lease strategies.
const (
	OldestEmulationVersion CoordinatedLeaseStrategy = "OldestEmulationVersion"
)

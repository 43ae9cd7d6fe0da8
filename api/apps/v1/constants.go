package v1

// Labels and annotations shared by the deployment controller, the replica set controller and
// kubectl rollout.
const (
	// DefaultDeploymentUniqueLabelKey is added to a ReplicaSet's selector, template and pods
	// with the hash of the pod template, so ReplicaSets of one Deployment never overlap.
	DefaultDeploymentUniqueLabelKey = "pod-template-hash"
	// ControllerRevisionHashLabelKey is the label StatefulSets and DaemonSets use.
	ControllerRevisionHashLabelKey = "controller-revision-hash"

	// RevisionAnnotation holds the revision number of a Deployment and its ReplicaSets.
	RevisionAnnotation = "deployment.kubernetes.io/revision"
	// RevisionHistoryAnnotation lists older revisions a ReplicaSet was reused for.
	RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history"
	// DesiredReplicasAnnotation is the Deployment's replicas when the ReplicaSet was scaled.
	DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
	// MaxReplicasAnnotation is replicas + maxSurge when the ReplicaSet was scaled.
	MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
	// DeprecatedRollbackTo is the annotation extensions/v1beta1 rollbacks used.
	DeprecatedRollbackTo = "deprecated.deployment.rollback.to"
	// DeprecatedTemplateGeneration is the annotation DaemonSets used for template generations.
	DeprecatedTemplateGeneration = "deprecated.daemonset.template.generation"
	// ChangeCauseAnnotation is the change cause kubectl rollout history shows.
	ChangeCauseAnnotation = "kubernetes.io/change-cause"
)

// Reasons of Deployment conditions and events.
const (
	// Progressing reasons.
	NewReplicaSetReason     = "NewReplicaSetCreated"
	FoundNewRSReason        = "FoundNewReplicaSet"
	NewRSAvailableReason    = "NewReplicaSetAvailable"
	ReplicaSetUpdatedReason = "ReplicaSetUpdated"
	TimedOutReason          = "ProgressDeadlineExceeded"
	PausedDeployReason      = "DeploymentPaused"
	ResumedDeployReason     = "DeploymentResumed"
	FailedRSCreateReason    = "ReplicaSetCreateError"
	// Available reasons.
	MinimumReplicasAvailable   = "MinimumReplicasAvailable"
	MinimumReplicasUnavailable = "MinimumReplicasUnavailable"
	// Events.
	RollbackRevisionNotFound  = "DeploymentRollbackRevisionNotFound"
	RollbackTemplateUnchanged = "DeploymentRollbackTemplateUnchanged"
	RollbackDone              = "DeploymentRollback"
	ScalingReplicaSetReason   = "ScalingReplicaSet"
	SelectingAllReason        = "SelectingAll"
)

// Package scheduler is Skiff's kube-scheduler: it watches pods that have no node yet and
// binds each one to the node that suits it best.
//
// Placement is a pipeline, in the spirit of HashiCorp Nomad's scheduler. For one pod:
//
//  1. Filters (plugins.go, in order) drop every node the pod cannot run on: cordoned, not
//     ready, untolerated taints, node affinity and nodeSelector, host ports, not enough
//     cpu, memory or pods left, DoNotSchedule topology spread constraints, and required
//     pod affinity and anti-affinity. The first filter that rejects a node names the reason.
//  2. Scores rank the nodes that are left, each on 0..100, then weighted as upstream's
//     default profile: TaintToleration 3, NodeAffinity 2, PodTopologySpread 2,
//     InterPodAffinity 2, NodeResourcesFit (LeastAllocated) 1,
//     NodeResourcesBalancedAllocation 1.
//  3. The highest total wins; ties are broken at random so equal nodes share the load.
//
// The pipeline is pure: framework.go runs it over a Snapshot of NodeInfos and returns a node
// name or a *FitError (fiterror.go) whose message reads like upstream's ("0/3 nodes are
// available: 1 Insufficient cpu, 2 node(s) had untolerated taint(s). ..."). One file per
// concern holds the plugins: taints.go (cordon, readiness, taints), nodeaffinity.go,
// nodeports.go, noderesources.go, podtopologyspread.go, interpodaffinity.go; resources.go
// computes what a pod requests. Their tests are YAML cases in testdata/. Everything around the pipeline is I/O:
//
//   - cache.go keeps the cluster as the scheduler sees it: nodes and the pods counted on
//     them, including pods it has *assumed* onto a node between its bind call and the watch
//     event confirming it, so a burst of pods does not over-commit one node. An assumption
//     that is never confirmed expires.
//   - queue.go orders pending pods (priority, then age) and holds the ones that fit nowhere
//     until the cluster changes, with per-pod backoff (1 s doubling to 10 s) and a flush
//     of anything left waiting for 5 minutes, as upstream.
//   - eventhandlers.go feeds both from informers: nodes and assigned pods into the cache,
//     pending pods into the queue, and cluster changes wake the pods waiting for them.
//   - bind.go runs one attempt (scheduleOne), posts pods/binding, records events and sets
//     the PodScheduled condition; scheduler.go wires it all with leader election, metrics
//     (metrics.go) and /healthz.
//
// Promises:
//   - A pod is bound at most once by this scheduler; with --leader-elect only the leader
//     schedules, so two schedulers never bind the same pod twice.
//   - A pod that fits nowhere gets PodScheduled=False reason Unschedulable, a Warning
//     FailedScheduling event, and is retried when nodes or pods change, never in a hot loop.
//   - A bound pod gets a Normal Scheduled event "Successfully assigned NS/POD to NODE".
//
// Not implemented (upstream has them): preemption (a pod that could fit only by evicting
// lower-priority pods stays pending), volume plugins, image locality, dynamic resource
// allocation, extenders, and scheduler profiles other than the one named in Config.
package scheduler

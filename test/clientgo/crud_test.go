package clientgo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
)

// object is what every typed client's items are.
type object interface {
	metav1.Object
	runtime.Object
}

// crudClient is the part of a typed client (PodInterface, DeploymentInterface, ...) the
// generic CRUD walk uses; every generated client has these methods.
type crudClient[T object, L runtime.Object] interface {
	Create(context.Context, T, metav1.CreateOptions) (T, error)
	Update(context.Context, T, metav1.UpdateOptions) (T, error)
	Get(context.Context, string, metav1.GetOptions) (T, error)
	List(context.Context, metav1.ListOptions) (L, error)
	Delete(context.Context, string, metav1.DeleteOptions) error
}

// crudCase is one kind for the CRUD walk.
type crudCase[T object, L runtime.Object] struct {
	// group and resource name the kind as upstream's messages and Status details do.
	group, resource string
	client          crudClient[T, L]
	// newObject returns a valid object to create under name.
	newObject func(name string) T
	// checkCreated checks the defaults the server filled in (nil: none checked).
	checkCreated func(t *testing.T, created T)
	// finalized kinds (namespaces) are not gone right after a delete: they wait for their
	// finalizers in phase Terminating.
	finalized bool
}

// qualified is "pods" or "deployments.apps": how upstream names a resource in messages.
func (c crudCase[T, L]) qualified() string {
	if c.group == "" {
		return c.resource
	}
	return c.resource + "." + c.group
}

// TestCRUD walks every served kind through create, get, list (with selectors), update,
// the common errors and delete, with the typed clients.
func TestCRUD(t *testing.T) {
	crudAllKinds(t, clientset(t))
}

// crudAllKinds is TestCRUD with the given clients.
func crudAllKinds(t *testing.T, cs *kubernetes.Clientset) {
	ns := newNamespace(t, cs)
	// Cluster-scoped objects share the server with other tests: the namespace name makes
	// theirs unique.
	uniq := func(name string) string { return ns + "-" + name }

	t.Run("Namespace", func(t *testing.T) {
		testCRUD(t, uniq, crudCase[*corev1.Namespace, *corev1.NamespaceList]{
			resource: "namespaces", client: cs.CoreV1().Namespaces(), finalized: true,
			newObject: func(name string) *corev1.Namespace {
				return &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
			},
			checkCreated: func(t *testing.T, n *corev1.Namespace) {
				expectEqual(t, "status.phase", n.Status.Phase, corev1.NamespaceActive)
				expectEqual(t, "spec.finalizers", fmt.Sprint(n.Spec.Finalizers), "[kubernetes]")
				expectEqual(t, "label kubernetes.io/metadata.name", n.Labels["kubernetes.io/metadata.name"], n.Name)
			},
		})
	})
	t.Run("Node", func(t *testing.T) {
		testCRUD(t, uniq, crudCase[*corev1.Node, *corev1.NodeList]{
			resource: "nodes", client: cs.CoreV1().Nodes(),
			newObject: func(name string) *corev1.Node {
				return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}}
			},
		})
	})
	t.Run("Pod", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.Pod, *corev1.PodList]{
			resource: "pods", client: cs.CoreV1().Pods(ns),
			newObject:    func(name string) *corev1.Pod { return simplePod(name, nil) },
			checkCreated: checkPodDefaults,
		})
	})
	t.Run("Service", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.Service, *corev1.ServiceList]{
			resource: "services", client: cs.CoreV1().Services(ns),
			newObject: func(name string) *corev1.Service {
				return &corev1.Service{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: corev1.ServiceSpec{
						Selector: map[string]string{"app": name},
						Ports:    []corev1.ServicePort{{Port: 80}},
					},
				}
			},
			checkCreated: func(t *testing.T, s *corev1.Service) {
				expectEqual(t, "spec.type", s.Spec.Type, corev1.ServiceTypeClusterIP)
				if s.Spec.ClusterIP == "" || s.Spec.ClusterIP == corev1.ClusterIPNone {
					t.Errorf("spec.clusterIP = %q, want an allocated address", s.Spec.ClusterIP)
				}
				expectEqual(t, "spec.clusterIPs", fmt.Sprint(s.Spec.ClusterIPs), fmt.Sprint([]string{s.Spec.ClusterIP}))
				expectEqual(t, "spec.sessionAffinity", s.Spec.SessionAffinity, corev1.ServiceAffinityNone)
				expectEqual(t, "spec.ports[0].protocol", s.Spec.Ports[0].Protocol, corev1.ProtocolTCP)
				expectEqual(t, "spec.ports[0].targetPort", s.Spec.Ports[0].TargetPort, intstr.FromInt32(80))
				expectEqual(t, "spec.ipFamilies", fmt.Sprint(s.Spec.IPFamilies), "[IPv4]")
				expectEqual(t, "spec.ipFamilyPolicy", ptr.Deref(s.Spec.IPFamilyPolicy, ""), corev1.IPFamilyPolicySingleStack)
				expectEqual(t, "spec.internalTrafficPolicy", ptr.Deref(s.Spec.InternalTrafficPolicy, ""), corev1.ServiceInternalTrafficPolicyCluster)
			},
		})
	})
	t.Run("Endpoints", func(t *testing.T) {
		// Other names than the services': a full control plane makes endpoints for those.
		testCRUD(t, func(n string) string { return "ep-" + n }, crudCase[*corev1.Endpoints, *corev1.EndpointsList]{
			resource: "endpoints", client: cs.CoreV1().Endpoints(ns),
			newObject: func(name string) *corev1.Endpoints {
				return &corev1.Endpoints{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Subsets: []corev1.EndpointSubset{{
						Addresses: []corev1.EndpointAddress{{IP: "10.1.2.3"}},
						Ports:     []corev1.EndpointPort{{Port: 8080}},
					}},
				}
			},
			checkCreated: func(t *testing.T, e *corev1.Endpoints) {
				expectEqual(t, "subsets[0].ports[0].protocol", e.Subsets[0].Ports[0].Protocol, corev1.ProtocolTCP)
			},
		})
	})
	t.Run("Event", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.Event, *corev1.EventList]{
			resource: "events", client: cs.CoreV1().Events(ns),
			newObject: func(name string) *corev1.Event { return simpleEvent(ns, name, "some-pod") },
		})
	})
	t.Run("ConfigMap", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.ConfigMap, *corev1.ConfigMapList]{
			resource: "configmaps", client: cs.CoreV1().ConfigMaps(ns),
			newObject: func(name string) *corev1.ConfigMap {
				return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name}, Data: map[string]string{"k": "v"}}
			},
		})
	})
	t.Run("Secret", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.Secret, *corev1.SecretList]{
			resource: "secrets", client: cs.CoreV1().Secrets(ns),
			newObject: func(name string) *corev1.Secret {
				return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name}, StringData: map[string]string{"password": "s3cret"}}
			},
			checkCreated: func(t *testing.T, s *corev1.Secret) {
				expectEqual(t, "type", s.Type, corev1.SecretTypeOpaque)
				// stringData is write-only: it is merged into data and never stored.
				expectEqual(t, "data.password", string(s.Data["password"]), "s3cret")
				expectEqual(t, "len(stringData)", len(s.StringData), 0)
			},
		})
	})
	t.Run("ServiceAccount", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*corev1.ServiceAccount, *corev1.ServiceAccountList]{
			resource: "serviceaccounts", client: cs.CoreV1().ServiceAccounts(ns),
			newObject: func(name string) *corev1.ServiceAccount {
				return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name}}
			},
		})
	})
	t.Run("ReplicaSet", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*appsv1.ReplicaSet, *appsv1.ReplicaSetList]{
			group: "apps", resource: "replicasets", client: cs.AppsV1().ReplicaSets(ns),
			newObject: func(name string) *appsv1.ReplicaSet { return simpleReplicaSet(name, 0) },
			checkCreated: func(t *testing.T, rs *appsv1.ReplicaSet) {
				expectEqual(t, "metadata.generation", rs.Generation, 1)
				expectEqual(t, "spec.template.spec.restartPolicy", rs.Spec.Template.Spec.RestartPolicy, corev1.RestartPolicyAlways)
			},
		})
	})
	t.Run("Deployment", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*appsv1.Deployment, *appsv1.DeploymentList]{
			group: "apps", resource: "deployments", client: cs.AppsV1().Deployments(ns),
			newObject: func(name string) *appsv1.Deployment {
				d := simpleDeployment(name)
				d.Spec.Replicas = nil
				return d
			},
			checkCreated: checkDeploymentDefaults,
		})
	})
	t.Run("HorizontalPodAutoscaler v2", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*autoscalingv2.HorizontalPodAutoscaler, *autoscalingv2.HorizontalPodAutoscalerList]{
			group: "autoscaling", resource: "horizontalpodautoscalers", client: cs.AutoscalingV2().HorizontalPodAutoscalers(ns),
			newObject: func(name string) *autoscalingv2.HorizontalPodAutoscaler {
				return &autoscalingv2.HorizontalPodAutoscaler{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
						ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
						MaxReplicas:    5,
					},
				}
			},
			checkCreated: func(t *testing.T, h *autoscalingv2.HorizontalPodAutoscaler) {
				expectEqual(t, "spec.minReplicas", ptr.Deref(h.Spec.MinReplicas, 0), 1)
				// Without metrics, autoscaling/v2 defaults to 80% average CPU utilization.
				if len(h.Spec.Metrics) != 1 || h.Spec.Metrics[0].Resource == nil ||
					h.Spec.Metrics[0].Resource.Name != corev1.ResourceCPU ||
					ptr.Deref(h.Spec.Metrics[0].Resource.Target.AverageUtilization, 0) != 80 {
					t.Errorf("spec.metrics = %+v, want the default 80%% CPU utilization target", h.Spec.Metrics)
				}
			},
		})
	})
	t.Run("HorizontalPodAutoscaler v1", func(t *testing.T) {
		// Both versions are one resource: other names than the v2 walk's.
		testCRUD(t, func(n string) string { return "v1-" + n }, crudCase[*autoscalingv1.HorizontalPodAutoscaler, *autoscalingv1.HorizontalPodAutoscalerList]{
			group: "autoscaling", resource: "horizontalpodautoscalers", client: cs.AutoscalingV1().HorizontalPodAutoscalers(ns),
			newObject: func(name string) *autoscalingv1.HorizontalPodAutoscaler {
				return &autoscalingv1.HorizontalPodAutoscaler{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: autoscalingv1.HorizontalPodAutoscalerSpec{
						ScaleTargetRef:                 autoscalingv1.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
						MaxReplicas:                    5,
						TargetCPUUtilizationPercentage: ptr.To[int32](60),
					},
				}
			},
			checkCreated: func(t *testing.T, h *autoscalingv1.HorizontalPodAutoscaler) {
				expectEqual(t, "spec.minReplicas", ptr.Deref(h.Spec.MinReplicas, 0), 1)
				expectEqual(t, "spec.targetCPUUtilizationPercentage", ptr.Deref(h.Spec.TargetCPUUtilizationPercentage, 0), 60)
			},
		})
	})
	t.Run("Lease", func(t *testing.T) {
		testCRUD(t, nil, crudCase[*coordinationv1.Lease, *coordinationv1.LeaseList]{
			group: "coordination.k8s.io", resource: "leases", client: cs.CoordinationV1().Leases(ns),
			newObject: func(name string) *coordinationv1.Lease {
				return &coordinationv1.Lease{
					ObjectMeta: metav1.ObjectMeta{Name: name},
					Spec: coordinationv1.LeaseSpec{
						HolderIdentity:       ptr.To("holder-1"),
						LeaseDurationSeconds: ptr.To[int32](15),
						RenewTime:            &metav1.MicroTime{Time: time.Now()},
					},
				}
			},
			checkCreated: func(t *testing.T, l *coordinationv1.Lease) {
				expectEqual(t, "spec.holderIdentity", ptr.Deref(l.Spec.HolderIdentity, ""), "holder-1")
				if l.Spec.RenewTime == nil || time.Since(l.Spec.RenewTime.Time) > time.Minute {
					t.Errorf("spec.renewTime = %v, want the time sent (microsecond precision)", l.Spec.RenewTime)
				}
			},
		})
	})
}

// testCRUD is the walk itself. rename, when set, turns the test's short names into unique
// ones (for cluster-scoped kinds).
func testCRUD[T object, L runtime.Object](t *testing.T, rename func(string) string, c crudCase[T, L]) {
	ctx := ctxFor(t)
	name := func(n string) string {
		if rename != nil {
			return rename(n)
		}
		return n
	}
	a := name("a")
	obj := c.newObject(a)
	obj.SetLabels(map[string]string{"crud": "yes", "which": "a"})

	created, err := c.client.Create(ctx, obj, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create %s %s: %v", c.resource, a, err)
	}
	if created.GetName() != a || created.GetUID() == "" || created.GetResourceVersion() == "" || created.GetCreationTimestamp().Time.IsZero() {
		t.Errorf("created object's metadata: name %q uid %q resourceVersion %q creationTimestamp %v; want the name and all three set",
			created.GetName(), created.GetUID(), created.GetResourceVersion(), created.GetCreationTimestamp())
	}
	if c.checkCreated != nil {
		c.checkCreated(t, created)
	}

	t.Run("create twice is AlreadyExists", func(t *testing.T) {
		again := c.newObject(a)
		_, err := c.client.Create(ctx, again, metav1.CreateOptions{})
		if !apierrors.IsAlreadyExists(err) {
			t.Fatalf("second create: %v, want AlreadyExists", err)
		}
		st := statusOf(t, err)
		expectEqual(t, "message", st.Message, fmt.Sprintf("%s %q already exists", c.qualified(), a))
		checkDetails(t, st, c.group, c.resource, a)
	})

	t.Run("get", func(t *testing.T) {
		got, err := c.client.Get(ctx, a, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		expectEqual(t, "uid", got.GetUID(), created.GetUID())
		// On a full control plane, controllers may have written the object meanwhile.
		if !external {
			expectEqual(t, "resourceVersion", got.GetResourceVersion(), created.GetResourceVersion())
		}
		expectEqual(t, "labels", fmt.Sprint(got.GetLabels()), fmt.Sprint(created.GetLabels()))
	})

	t.Run("get missing is NotFound", func(t *testing.T) {
		_, err := c.client.Get(ctx, "nope", metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Fatalf("get nope: %v, want NotFound", err)
		}
		st := statusOf(t, err)
		expectEqual(t, "message", st.Message, fmt.Sprintf("%s \"nope\" not found", c.qualified()))
		expectEqual(t, "code", st.Code, 404)
		checkDetails(t, st, c.group, c.resource, "nope")
	})

	t.Run("list with selectors", func(t *testing.T) {
		b := c.newObject(name("b"))
		b.SetLabels(map[string]string{"crud": "yes", "which": "b"})
		if _, err := c.client.Create(ctx, b, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create b: %v", err)
		}
		for _, tc := range []struct {
			opts      metav1.ListOptions
			want, not []string
		}{
			{metav1.ListOptions{}, []string{a, name("b")}, nil},
			{metav1.ListOptions{LabelSelector: "crud=yes,which=a"}, []string{a}, []string{name("b")}},
			{metav1.ListOptions{LabelSelector: "which in (a,b),crud"}, []string{a, name("b")}, nil},
			{metav1.ListOptions{LabelSelector: "which notin (a)"}, []string{name("b")}, []string{a}},
			{metav1.ListOptions{LabelSelector: "!crud"}, nil, []string{a, name("b")}},
			{metav1.ListOptions{FieldSelector: "metadata.name=" + a}, []string{a}, []string{name("b")}},
			{metav1.ListOptions{FieldSelector: "metadata.name!=" + a}, []string{name("b")}, []string{a}},
		} {
			list, err := c.client.List(ctx, tc.opts)
			if err != nil {
				t.Errorf("list %+v: %v", tc.opts, err)
				continue
			}
			names, rv := listNames(t, list)
			if rv == "" {
				t.Errorf("list %+v: metadata.resourceVersion is empty", tc.opts)
			}
			for _, n := range tc.want {
				if !slices.Contains(names, n) {
					t.Errorf("list %+v = %v, want it to hold %s", tc.opts, names, n)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(names, n) {
					t.Errorf("list %+v = %v, want it without %s", tc.opts, names, n)
				}
			}
			if tc.opts.FieldSelector == "metadata.name="+a && len(names) != 1 {
				t.Errorf("list %+v = %v, want exactly %s", tc.opts, names, a)
			}
		}
		if err := c.client.Delete(ctx, name("b"), metav1.DeleteOptions{}); err != nil {
			t.Errorf("delete b: %v", err)
		}
	})

	t.Run("update and stale update", func(t *testing.T) {
		var updated T
		// A controller of a full control plane may write the object meanwhile: retry those.
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			cur, err := c.client.Get(ctx, a, metav1.GetOptions{})
			if err != nil {
				return err
			}
			labels := cur.GetLabels()
			labels["updated"] = "yes"
			cur.SetLabels(labels)
			updated, err = c.client.Update(ctx, cur, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		if updated.GetLabels()["updated"] != "yes" {
			t.Errorf("updated labels = %v, want updated=yes", updated.GetLabels())
		}
		if updated.GetResourceVersion() == created.GetResourceVersion() {
			t.Errorf("resourceVersion did not change on update: %s", updated.GetResourceVersion())
		}
		if updated.GetUID() != created.GetUID() || !updated.GetCreationTimestamp().Time.Equal(created.GetCreationTimestamp().Time) {
			t.Errorf("update changed uid or creationTimestamp: %s %v -> %s %v", created.GetUID(), created.GetCreationTimestamp(), updated.GetUID(), updated.GetCreationTimestamp())
		}

		stale := created.DeepCopyObject().(T)
		stale.SetLabels(map[string]string{"stale": "yes"})
		_, err = c.client.Update(ctx, stale, metav1.UpdateOptions{})
		if !apierrors.IsConflict(err) {
			t.Fatalf("update with resourceVersion %s (stale): %v, want Conflict", created.GetResourceVersion(), err)
		}
		st := statusOf(t, err)
		expectEqual(t, "message", st.Message, fmt.Sprintf(
			"Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again", c.qualified(), a))
		checkDetails(t, st, c.group, c.resource, a)
	})

	t.Run("delete", func(t *testing.T) {
		if err := c.client.Delete(ctx, a, metav1.DeleteOptions{}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		got, err := c.client.Get(ctx, a, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
		case err != nil:
			t.Fatalf("get after delete: %v", err)
		case !c.finalized:
			t.Fatalf("get after delete found the object (deletionTimestamp %v), want NotFound", got.GetDeletionTimestamp())
		case got.GetDeletionTimestamp() == nil:
			t.Fatalf("get after delete: no deletionTimestamp on an object waiting for its finalizers")
		}
		if !c.finalized {
			err = c.client.Delete(ctx, a, metav1.DeleteOptions{})
			if !apierrors.IsNotFound(err) {
				t.Fatalf("second delete: %v, want NotFound", err)
			}
		}
	})
}

// checkDetails checks the details of a Status about one object.
func checkDetails(t *testing.T, st metav1.Status, group, resource, name string) {
	t.Helper()
	if st.Details == nil {
		t.Errorf("status has no details, want name %q group %q kind %q", name, group, resource)
		return
	}
	expectEqual(t, "details.name", st.Details.Name, name)
	expectEqual(t, "details.group", st.Details.Group, group)
	expectEqual(t, "details.kind", st.Details.Kind, resource)
}

// listNames returns the names of a typed list's items and the list's resourceVersion.
func listNames(t testing.TB, list runtime.Object) ([]string, string) {
	t.Helper()
	items, err := meta.ExtractList(list)
	if err != nil {
		t.Fatalf("extract list items: %v", err)
	}
	var names []string
	for _, it := range items {
		m, err := meta.Accessor(it)
		if err != nil {
			t.Fatalf("item metadata: %v", err)
		}
		names = append(names, m.GetName())
	}
	lm, err := meta.ListAccessor(list)
	if err != nil {
		t.Fatalf("list metadata: %v", err)
	}
	return names, lm.GetResourceVersion()
}

func expectEqual[V comparable](t testing.TB, what string, got, want V) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func checkPodDefaults(t *testing.T, p *corev1.Pod) {
	s := p.Spec
	expectEqual(t, "spec.restartPolicy", s.RestartPolicy, corev1.RestartPolicyAlways)
	expectEqual(t, "spec.dnsPolicy", s.DNSPolicy, corev1.DNSClusterFirst)
	expectEqual(t, "spec.terminationGracePeriodSeconds", ptr.Deref(s.TerminationGracePeriodSeconds, -1), 30)
	expectEqual(t, "spec.enableServiceLinks", ptr.Deref(s.EnableServiceLinks, false), true)
	if s.SecurityContext == nil {
		t.Errorf("spec.securityContext is missing, want {}")
	}
	c := s.Containers[0]
	expectEqual(t, "containers[0].terminationMessagePath", c.TerminationMessagePath, "/dev/termination-log")
	expectEqual(t, "containers[0].terminationMessagePolicy", c.TerminationMessagePolicy, corev1.TerminationMessageReadFile)
	// The image has a tag other than latest: IfNotPresent.
	expectEqual(t, "containers[0].imagePullPolicy", c.ImagePullPolicy, corev1.PullIfNotPresent)
	expectEqual(t, "status.phase", p.Status.Phase, corev1.PodPending)
	expectEqual(t, "status.qosClass", p.Status.QOSClass, corev1.PodQOSBestEffort)
}

func checkDeploymentDefaults(t *testing.T, d *appsv1.Deployment) {
	expectEqual(t, "metadata.generation", d.Generation, 1)
	expectEqual(t, "spec.replicas", ptr.Deref(d.Spec.Replicas, -1), 1)
	expectEqual(t, "spec.strategy.type", d.Spec.Strategy.Type, appsv1.RollingUpdateDeploymentStrategyType)
	if ru := d.Spec.Strategy.RollingUpdate; ru == nil || ru.MaxSurge == nil || ru.MaxUnavailable == nil ||
		ru.MaxSurge.String() != "25%" || ru.MaxUnavailable.String() != "25%" {
		t.Errorf("spec.strategy.rollingUpdate = %+v, want maxSurge and maxUnavailable 25%%", ru)
	}
	expectEqual(t, "spec.revisionHistoryLimit", ptr.Deref(d.Spec.RevisionHistoryLimit, -1), 10)
	expectEqual(t, "spec.progressDeadlineSeconds", ptr.Deref(d.Spec.ProgressDeadlineSeconds, -1), 600)
	expectEqual(t, "spec.template.spec.dnsPolicy", d.Spec.Template.Spec.DNSPolicy, corev1.DNSClusterFirst)
	expectEqual(t, "spec.template.spec.containers[0].imagePullPolicy", d.Spec.Template.Spec.Containers[0].ImagePullPolicy, corev1.PullIfNotPresent)
}

func simpleEvent(ns, name, podName string) *corev1.Event {
	now := metav1.NewTime(time.Now())
	return &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: name},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: podName, APIVersion: "v1"},
		Reason:         "Testing",
		Message:        "an event made by the client-go tests",
		Type:           corev1.EventTypeNormal,
		Source:         corev1.EventSource{Component: "skiff-clientgo-test"},
		FirstTimestamp: now,
		LastTimestamp:  now,
		Count:          1,
	}
}

// podTemplate is the template of the test's ReplicaSets and Deployments: pods no scheduler
// takes, so that a full control plane's controllers leave them alone once made.
func podTemplate(labels map[string]string, containers ...corev1.Container) corev1.PodTemplateSpec {
	if len(containers) == 0 {
		containers = []corev1.Container{{Name: "app", Image: "registry.k8s.io/pause:3.10"}}
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels},
		Spec:       corev1.PodSpec{SchedulerName: unscheduled, Containers: containers},
	}
}

func simpleReplicaSet(name string, replicas int32) *appsv1.ReplicaSet {
	labels := map[string]string{"app": name}
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels),
		},
	}
}

func simpleDeployment(name string, containers ...corev1.Container) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](0),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: podTemplate(labels, containers...),
		},
	}
}

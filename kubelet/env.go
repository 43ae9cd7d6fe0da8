package kubelet

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
	"github.com/skiff-k8s/skiff/client/rest"
	"github.com/skiff-k8s/skiff/kubelet/fieldpath"
)

// envVar is one resolved environment variable.
type envVar struct{ Name, Value string }

// podAddresses are what status.podIP(s) / status.hostIP(s) field references read.
type podAddresses struct {
	HostIPs []string
	PodIPs  []string
}

func first(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[0]
}

// containerEnv resolves a container's environment as upstream's kubelet does:
//  1. the Service variables (FOO_SERVICE_HOST, FOO_PORT ...) of the pod's namespace when
//     enableServiceLinks is on, and always those of the "kubernetes" Service in default;
//  2. envFrom sources, in order, with their prefix;
//  3. env entries, in order: literal values with $(VAR) references expanded from what is
//     defined so far (services included), or valueFrom fieldRef, resourceFieldRef,
//     configMapKeyRef and secretKeyRef.
//
// Later definitions override earlier ones of the same name. Missing ConfigMaps, Secrets or
// keys fail (CreateContainerConfigError) unless optional.
func (k *Kubelet) containerEnv(ctx context.Context, pod *corev1.Pod, c *corev1.Container, addrs podAddresses) ([]envVar, error) {
	var order []string
	values := map[string]string{}
	set := func(name, value string) {
		if _, ok := values[name]; !ok {
			order = append(order, name)
		}
		values[name] = value
	}

	for _, v := range k.serviceEnv(pod) {
		set(v.Name, v.Value)
	}

	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, err := k.volumes.ConfigMap(ctx, pod.Namespace, from.ConfigMapRef.Name)
			if rest.IsNotFound(err) {
				if isTrue(from.ConfigMapRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("configmap %q not found", from.ConfigMapRef.Name)
			}
			if err != nil {
				return nil, err
			}
			for _, key := range sortedKeys(cm.Data) {
				if validEnvName(from.Prefix + key) {
					set(from.Prefix+key, cm.Data[key])
				}
			}
		case from.SecretRef != nil:
			s, err := k.volumes.Secret(ctx, pod.Namespace, from.SecretRef.Name)
			if rest.IsNotFound(err) {
				if isTrue(from.SecretRef.Optional) {
					continue
				}
				return nil, fmt.Errorf("secret %q not found", from.SecretRef.Name)
			}
			if err != nil {
				return nil, err
			}
			keys := make([]string, 0, len(s.Data))
			for key := range s.Data {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			for _, key := range keys {
				if validEnvName(from.Prefix + key) {
					set(from.Prefix+key, string(s.Data[key]))
				}
			}
		}
	}

	for _, e := range c.Env {
		if e.ValueFrom == nil {
			set(e.Name, expand(e.Value, func(name string) (string, bool) {
				v, ok := values[name]
				return v, ok
			}))
			continue
		}
		v, skip, err := k.envValueFrom(ctx, pod, c, e.ValueFrom, addrs)
		if err != nil {
			return nil, err
		}
		if !skip {
			set(e.Name, v)
		}
	}

	out := make([]envVar, 0, len(order))
	for _, name := range order {
		out = append(out, envVar{Name: name, Value: values[name]})
	}
	return out, nil
}

// envValueFrom resolves one valueFrom; skip is true for an optional source that is absent.
func (k *Kubelet) envValueFrom(ctx context.Context, pod *corev1.Pod, c *corev1.Container, from *corev1.EnvVarSource, addrs podAddresses) (value string, skip bool, err error) {
	switch {
	case from.FieldRef != nil:
		v, err := fieldpath.EnvField(pod, from.FieldRef.FieldPath, first(addrs.HostIPs), first(addrs.PodIPs), addrs.HostIPs, addrs.PodIPs)
		return v, false, err
	case from.ResourceFieldRef != nil:
		target := c
		if name := from.ResourceFieldRef.ContainerName; name != "" && name != c.Name {
			if target = findContainerSpec(pod, name); target == nil {
				return "", false, fmt.Errorf("resourceFieldRef: container %q not found in pod", name)
			}
		}
		v, err := fieldpath.ContainerResource(target, from.ResourceFieldRef, k.node.Allocatable())
		return v, false, err
	case from.ConfigMapKeyRef != nil:
		ref := from.ConfigMapKeyRef
		cm, err := k.volumes.ConfigMap(ctx, pod.Namespace, ref.Name)
		if rest.IsNotFound(err) {
			if isTrue(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("configmap %q not found", ref.Name)
		}
		if err != nil {
			return "", false, err
		}
		v, ok := cm.Data[ref.Key]
		if !ok {
			if b, okb := cm.BinaryData[ref.Key]; okb {
				return string(b), false, nil
			}
			if isTrue(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("couldn't find key %v in ConfigMap %v/%v", ref.Key, pod.Namespace, ref.Name)
		}
		return v, false, nil
	case from.SecretKeyRef != nil:
		ref := from.SecretKeyRef
		s, err := k.volumes.Secret(ctx, pod.Namespace, ref.Name)
		if rest.IsNotFound(err) {
			if isTrue(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("secret %q not found", ref.Name)
		}
		if err != nil {
			return "", false, err
		}
		v, ok := s.Data[ref.Key]
		if !ok {
			if isTrue(ref.Optional) {
				return "", true, nil
			}
			return "", false, fmt.Errorf("couldn't find key %v in Secret %v/%v", ref.Key, pod.Namespace, ref.Name)
		}
		return string(v), false, nil
	case from.FileKeyRef != nil:
		return "", false, fmt.Errorf("env valueFrom.fileKeyRef is not implemented")
	}
	return "", false, fmt.Errorf("env valueFrom has no source")
}

// serviceEnv renders the Service link variables a container sees.
func (k *Kubelet) serviceEnv(pod *corev1.Pod) []envVar {
	if k.services == nil {
		return nil
	}
	links := pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks
	var svcs []*corev1.Service
	seen := map[string]bool{}
	for _, s := range k.services() {
		switch {
		case s.Namespace == corev1.NamespaceDefault && s.Name == "kubernetes":
			// The API server's own Service is always visible, as upstream's kubelet does.
		case links && s.Namespace == pod.Namespace:
		default:
			continue
		}
		if seen[s.Name] && s.Namespace != pod.Namespace {
			continue
		}
		seen[s.Name] = true
		svcs = append(svcs, s)
	}
	sort.SliceStable(svcs, func(i, j int) bool { return svcs[i].Name < svcs[j].Name })
	var out []envVar
	for _, s := range svcs {
		out = append(out, serviceLinkVars(s)...)
	}
	return out
}

// serviceLinkVars are upstream's (Docker-link style) variables for one Service.
func serviceLinkVars(s *corev1.Service) []envVar {
	ip := s.Spec.ClusterIP
	if ip == "" || ip == "None" || len(s.Spec.Ports) == 0 {
		return nil
	}
	name := envName(s.Name)
	out := []envVar{
		{name + "_SERVICE_HOST", ip},
		{name + "_SERVICE_PORT", strconv.Itoa(int(s.Spec.Ports[0].Port))},
	}
	for _, p := range s.Spec.Ports {
		if p.Name != "" {
			out = append(out, envVar{name + "_SERVICE_PORT_" + envName(p.Name), strconv.Itoa(int(p.Port))})
		}
	}
	proto := func(p corev1.ServicePort) string {
		if p.Protocol == "" {
			return "tcp"
		}
		return strings.ToLower(string(p.Protocol))
	}
	first := s.Spec.Ports[0]
	out = append(out, envVar{name + "_PORT", fmt.Sprintf("%s://%s", proto(first), net.JoinHostPort(ip, strconv.Itoa(int(first.Port))))})
	for _, p := range s.Spec.Ports {
		prefix := fmt.Sprintf("%s_PORT_%d_%s", name, p.Port, strings.ToUpper(proto(p)))
		out = append(out,
			envVar{prefix, fmt.Sprintf("%s://%s", proto(p), net.JoinHostPort(ip, strconv.Itoa(int(p.Port))))},
			envVar{prefix + "_PROTO", proto(p)},
			envVar{prefix + "_PORT", strconv.Itoa(int(p.Port))},
			envVar{prefix + "_ADDR", ip},
		)
	}
	return out
}

func envName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }

// validEnvName: any printable ASCII but '=' (upstream's relaxed rule).
func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < ' ' || r > '~' || r == '=' {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func isTrue(b *bool) bool { return b != nil && *b }

// expand replaces $(NAME) with NAME's value when lookup knows it, leaves unknown
// references as written, and turns the escape $$ into a single $ — upstream's rules for
// command, args, env values and subPathExpr.
func expand(s string, lookup func(string) (string, bool)) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		switch next := s[i+1]; next {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			name := s[i+2 : i+2+end]
			if v, ok := lookup(name); ok && name != "" {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}

func findContainerSpec(pod *corev1.Pod, name string) *corev1.Container {
	for _, list := range [][]corev1.Container{pod.Spec.Containers, pod.Spec.InitContainers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}

package manager

import (
	"context"
	"fmt"
	"slices"
	"strings"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
	"github.com/skiff-k8s/skiff/client"
	"github.com/skiff-k8s/skiff/client/cache"
	"github.com/skiff-k8s/skiff/client/events"
	"github.com/skiff-k8s/skiff/controllers/deployment"
	"github.com/skiff-k8s/skiff/controllers/endpoints"
	"github.com/skiff-k8s/skiff/controllers/garbagecollector"
	"github.com/skiff-k8s/skiff/controllers/namespace"
	"github.com/skiff-k8s/skiff/controllers/nodelifecycle"
	"github.com/skiff-k8s/skiff/controllers/replicaset"
	"github.com/skiff-k8s/skiff/controllers/serviceaccount"
)

// runner is what every controller offers the manager.
type runner interface {
	Run(ctx context.Context, workers int)
}

// controllerContext is what a controller is built from: the process's one clientset and
// informer factory, a recorder for its events, and the configuration.
type controllerContext struct {
	clientset *client.Clientset
	factory   *cache.SharedInformerFactory
	discover  func(context.Context) ([]metav1.APIResourceList, error)
	cfg       *Config
	// recorder returns an event recorder reporting as component.
	recorder func(component string) events.EventRecorder
}

// controllerDef describes one controller: its name (upstream's, as --controllers takes
// it), the older short names accepted too, the name of its work queue in metrics
// (upstream's), its default number of workers, and how to build it.
type controllerDef struct {
	name    string
	aliases []string
	queue   string
	workers int
	build   func(cc *controllerContext) runner
}

// allControllers lists the controllers this manager runs, in start order. Each is on by
// default (--controllers=*).
var allControllers = []controllerDef{
	{name: "serviceaccount-controller", queue: "serviceaccount", aliases: []string{"serviceaccount"}, workers: 1,
		build: func(cc *controllerContext) runner {
			return serviceaccount.NewController(cc.clientset, cc.factory)
		}},
	{name: "endpoints-controller", queue: "endpoint", aliases: []string{"endpoints", "endpoint"}, workers: 5,
		build: func(cc *controllerContext) runner {
			return endpoints.NewController(cc.clientset, cc.factory, cc.recorder("endpoint-controller"))
		}},
	{name: "replicaset-controller", queue: "replicaset", aliases: []string{"replicaset"}, workers: 5,
		build: func(cc *controllerContext) runner {
			return replicaset.NewController(cc.clientset, cc.factory, cc.recorder("replicaset-controller"))
		}},
	{name: "deployment-controller", queue: "deployment", aliases: []string{"deployment"}, workers: 5,
		build: func(cc *controllerContext) runner {
			return deployment.NewController(cc.clientset, cc.factory, cc.recorder("deployment-controller"))
		}},
	{name: "namespace-controller", queue: "namespace", aliases: []string{"namespace"}, workers: 10,
		build: func(cc *controllerContext) runner {
			return namespace.NewController(cc.clientset, cc.factory, cc.discover)
		}},
	{name: "garbage-collector-controller", queue: "garbage_collector_attempt_to_delete", aliases: []string{"garbagecollector"}, workers: 20,
		build: func(cc *controllerContext) runner {
			return garbagecollector.NewController(cc.clientset, cc.discover)
		}},
	{name: "node-lifecycle-controller", queue: "node_lifecycle_controller", aliases: []string{"nodelifecycle"}, workers: 8,
		build: func(cc *controllerContext) runner {
			return nodelifecycle.NewController(cc.clientset, cc.factory, cc.recorder("node-controller"), cc.cfg.NodeLifecycle)
		}},
	{name: "taint-eviction-controller", queue: "noexec_taint_pod", workers: 8,
		build: func(cc *controllerContext) runner {
			return nodelifecycle.NewTaintEvictionController(cc.clientset, cc.factory, cc.recorder("taint-eviction-controller"))
		}},
}

// KnownControllers lists the names --controllers accepts (upstream's names first, then the
// short aliases).
func KnownControllers() []string {
	var names, aliases []string
	for _, d := range allControllers {
		names = append(names, d.name)
		aliases = append(aliases, d.aliases...)
	}
	return append(names, aliases...)
}

// canonicalName maps a name or alias to the controller's name.
func canonicalName(name string) (string, bool) {
	for _, d := range allControllers {
		if d.name == name || slices.Contains(d.aliases, name) {
			return d.name, true
		}
	}
	return "", false
}

// enabledControllers applies --controllers as upstream does: a controller named (or
// aliased) is on, "-name" turns it off, "*" turns on every controller not named otherwise;
// the first mention of a controller wins. An empty list means "*". Unknown names are an
// error.
func enabledControllers(selection []string) ([]controllerDef, error) {
	if len(selection) == 0 {
		selection = []string{"*"}
	}
	star := false
	choice := map[string]bool{}
	for _, raw := range selection {
		item := strings.TrimSpace(raw)
		switch {
		case item == "*":
			star = true
			continue
		case item == "":
			continue
		}
		on := !strings.HasPrefix(item, "-")
		name, ok := canonicalName(strings.TrimPrefix(item, "-"))
		if !ok {
			return nil, fmt.Errorf("%q is not in the list of known controllers (%s)", strings.TrimPrefix(item, "-"), strings.Join(KnownControllers(), ", "))
		}
		if _, decided := choice[name]; !decided {
			choice[name] = on
		}
	}
	var out []controllerDef
	for _, d := range allControllers {
		on, decided := choice[d.name]
		if (decided && on) || (!decided && star) {
			out = append(out, d)
		}
	}
	return out, nil
}

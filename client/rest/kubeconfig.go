package rest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// kubeconfig is the subset of the kubeconfig file format (kind: Config, apiVersion: v1)
// Skiff understands. Field names are the file's, so real kubeconfigs load unchanged.
type kubeconfig struct {
	CurrentContext string         `json:"current-context"`
	Clusters       []namedCluster `json:"clusters"`
	Users          []namedUser    `json:"users"`
	Contexts       []namedContext `json:"contexts"`
}

type namedCluster struct {
	Name    string `json:"name"`
	Cluster struct {
		Server                   string `json:"server"`
		TLSServerName            string `json:"tls-server-name"`
		InsecureSkipTLSVerify    bool   `json:"insecure-skip-tls-verify"`
		CertificateAuthority     string `json:"certificate-authority"`
		CertificateAuthorityData []byte `json:"certificate-authority-data"`
		ProxyURL                 string `json:"proxy-url"`
	} `json:"cluster"`
	// dir is the directory of the file this entry came from, for relative paths.
	dir string
}

type namedUser struct {
	Name string `json:"name"`
	User struct {
		ClientCertificate     string `json:"client-certificate"`
		ClientCertificateData []byte `json:"client-certificate-data"`
		ClientKey             string `json:"client-key"`
		ClientKeyData         []byte `json:"client-key-data"`
		Token                 string `json:"token"`
		TokenFile             string `json:"tokenFile"`
		Username              string `json:"username"`
		Password              string `json:"password"`
		// Exec and AuthProvider are recognized only to refuse them loudly.
		Exec         any `json:"exec"`
		AuthProvider any `json:"auth-provider"`
	} `json:"user"`
	dir string
}

type namedContext struct {
	Name    string `json:"name"`
	Context struct {
		Cluster   string `json:"cluster"`
		User      string `json:"user"`
		Namespace string `json:"namespace"`
	} `json:"context"`
}

// LoadKubeconfig loads the current context of the kubeconfig kubectl would use: the file
// named by path (the --kubeconfig flag) if not empty; otherwise the files listed in
// $KUBECONFIG, merged; otherwise ~/.kube/config.
func LoadKubeconfig(path string) (*Config, error) {
	return LoadKubeconfigContext(path, "")
}

// LoadKubeconfigContext is LoadKubeconfig with the context chosen by name (the --context
// flag) instead of the file's current-context, when contextName is not empty.
func LoadKubeconfigContext(path, contextName string) (*Config, error) {
	files, explicit := kubeconfigFiles(path)
	merged, err := loadMerged(files, explicit)
	if err != nil {
		return nil, err
	}
	return merged.resolve(contextName, strings.Join(files, string(filepath.ListSeparator)))
}

// kubeconfigFiles applies kubectl's precedence. explicit reports that the files were named
// by the user, so a missing one is an error rather than silently skipped.
func kubeconfigFiles(path string) (files []string, explicit bool) {
	if path != "" {
		return []string{path}, true
	}
	if env := os.Getenv("KUBECONFIG"); env != "" {
		for _, f := range filepath.SplitList(env) {
			if f != "" {
				files = append(files, f)
			}
		}
		return files, false
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return nil, false
	}
	return []string{filepath.Join(home, ".kube", "config")}, false
}

// loadMerged reads the files in order and merges them the way kubectl does: the first file
// to define a cluster, user or context name wins that name, and the first non-empty
// current-context wins.
func loadMerged(files []string, explicit bool) (*kubeconfig, error) {
	merged := &kubeconfig{}
	seen := map[string]bool{}
	found := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) && !explicit {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load kubeconfig: %w", err)
		}
		found = true
		var kc kubeconfig
		if err := yaml.Unmarshal(data, &kc); err != nil {
			return nil, fmt.Errorf("load kubeconfig %s: %w", f, err)
		}
		dir := filepath.Dir(f)
		if merged.CurrentContext == "" {
			merged.CurrentContext = kc.CurrentContext
		}
		for _, c := range kc.Clusters {
			if !seen["cluster/"+c.Name] {
				seen["cluster/"+c.Name] = true
				c.dir = dir
				merged.Clusters = append(merged.Clusters, c)
			}
		}
		for _, u := range kc.Users {
			if !seen["user/"+u.Name] {
				seen["user/"+u.Name] = true
				u.dir = dir
				merged.Users = append(merged.Users, u)
			}
		}
		for _, c := range kc.Contexts {
			if !seen["context/"+c.Name] {
				seen["context/"+c.Name] = true
				merged.Contexts = append(merged.Contexts, c)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("load kubeconfig: none of %q exists", files)
	}
	return merged, nil
}

// resolve turns one context of the merged kubeconfig into a Config.
func (kc *kubeconfig) resolve(contextName, source string) (*Config, error) {
	if contextName == "" {
		contextName = kc.CurrentContext
	}
	if contextName == "" {
		return nil, fmt.Errorf("kubeconfig %s: current-context is not set", source)
	}
	var ctx *namedContext
	for i := range kc.Contexts {
		if kc.Contexts[i].Name == contextName {
			ctx = &kc.Contexts[i]
		}
	}
	if ctx == nil {
		return nil, fmt.Errorf("kubeconfig %s: context %q does not exist", source, contextName)
	}
	var cluster *namedCluster
	for i := range kc.Clusters {
		if kc.Clusters[i].Name == ctx.Context.Cluster {
			cluster = &kc.Clusters[i]
		}
	}
	if cluster == nil {
		return nil, fmt.Errorf("kubeconfig %s: context %q names cluster %q, which does not exist", source, contextName, ctx.Context.Cluster)
	}
	c := cluster.Cluster
	if c.Server == "" {
		return nil, fmt.Errorf("kubeconfig %s: cluster %q has no server", source, cluster.Name)
	}
	if c.ProxyURL != "" {
		return nil, fmt.Errorf("kubeconfig %s: cluster %q: proxy-url is not implemented", source, cluster.Name)
	}
	cfg := &Config{
		Host:       c.Server,
		ServerName: c.TLSServerName,
		Insecure:   c.InsecureSkipTLSVerify,
		CAData:     c.CertificateAuthorityData,
		CAFile:     resolvePath(cluster.dir, c.CertificateAuthority),
		Namespace:  ctx.Context.Namespace,
	}
	if ctx.Context.User == "" {
		return cfg, nil
	}
	var user *namedUser
	for i := range kc.Users {
		if kc.Users[i].Name == ctx.Context.User {
			user = &kc.Users[i]
		}
	}
	if user == nil {
		return nil, fmt.Errorf("kubeconfig %s: context %q names user %q, which does not exist", source, contextName, ctx.Context.User)
	}
	u := user.User
	if u.Exec != nil || u.AuthProvider != nil {
		return nil, fmt.Errorf("kubeconfig %s: user %q: exec and auth-provider credential plugins are not implemented", source, user.Name)
	}
	cfg.CertData = u.ClientCertificateData
	cfg.CertFile = resolvePath(user.dir, u.ClientCertificate)
	cfg.KeyData = u.ClientKeyData
	cfg.KeyFile = resolvePath(user.dir, u.ClientKey)
	cfg.BearerToken = u.Token
	cfg.BearerTokenFile = resolvePath(user.dir, u.TokenFile)
	cfg.Username = u.Username
	cfg.Password = u.Password
	return cfg, nil
}

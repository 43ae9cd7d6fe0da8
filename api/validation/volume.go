package validation

import (
	"path"
	"path/filepath"
	"strings"

	corev1 "github.com/skiff-k8s/skiff/api/core/v1"
)

const fileModeMsg = "must be a number between 0 and 0777 (octal), both inclusive"

var supportedHostPathTypes = []string{"", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"}

// validateVolumes checks a pod's volumes (unique DNS-label names, exactly one source each) and
// returns the valid ones by name, for checking the containers' mounts against.
func validateVolumes(vols []corev1.Volume, p *Path) (map[string]corev1.VolumeSource, ErrorList) {
	var errs ErrorList
	byName := map[string]corev1.VolumeSource{}
	for i := range vols {
		v := &vols[i]
		vp := p.Index(i)
		el := validateVolumeSource(&v.VolumeSource, vp)
		if v.Name == "" {
			el = append(el, Required(vp.Child("name"), ""))
		} else {
			el = append(el, validateDNS1123Label(v.Name, vp.Child("name"))...)
		}
		if _, dup := byName[v.Name]; dup {
			el = append(el, Duplicate(vp.Child("name"), v.Name))
		}
		if len(el) == 0 {
			byName[v.Name] = v.VolumeSource
		} else {
			errs = append(errs, el...)
		}
	}
	return byName, errs
}

// validateVolumeSource requires exactly one source; the second and later ones are forbidden
// and not checked further. Sources are visited in upstream's order, so the same one is
// reported. Skiff checks the contents of the sources it can actually mount (and a few simple
// network ones); the cloud and legacy plugins are only counted.
func validateVolumeSource(src *corev1.VolumeSource, p *Path) ErrorList {
	var errs ErrorList
	n := 0
	// name is where a forbidden second source is reported; upstream spells a few of them
	// differently from the field ("cephFS", "downwarAPI").
	one := func(set bool, name string, check func(*Path) ErrorList) {
		if !set {
			return
		}
		if n > 0 {
			errs = append(errs, Forbidden(p.Child(name), "may not specify more than 1 volume type"))
			return
		}
		n++
		if check != nil {
			errs = append(errs, check(p)...)
		}
	}
	one(src.EmptyDir != nil, "emptyDir", func(p *Path) ErrorList {
		if src.EmptyDir.SizeLimit != nil && src.EmptyDir.SizeLimit.Sign() < 0 {
			return ErrorList{Forbidden(p.Child("emptyDir", "sizeLimit"), "SizeLimit field must be a valid resource quantity")}
		}
		return nil
	})
	one(src.HostPath != nil, "hostPath", func(p *Path) ErrorList { return validateHostPathSource(src.HostPath, p.Child("hostPath")) })
	one(src.GitRepo != nil, "gitRepo", func(p *Path) ErrorList {
		var errs ErrorList
		if src.GitRepo.Repository == "" {
			errs = append(errs, Required(p.Child("gitRepo", "repository"), ""))
		}
		return append(errs, validateLocalDescendingPath(src.GitRepo.Directory, p.Child("gitRepo", "directory"))...)
	})
	one(src.GCEPersistentDisk != nil, "gcePersistentDisk", nil)
	one(src.AWSElasticBlockStore != nil, "awsElasticBlockStore", nil)
	one(src.Secret != nil, "secret", func(p *Path) ErrorList {
		fp := p.Child("secret")
		var errs ErrorList
		if src.Secret.SecretName == "" {
			errs = append(errs, Required(fp.Child("secretName"), ""))
		}
		errs = append(errs, validateFileMode(src.Secret.DefaultMode, fp.Child("defaultMode"))...)
		for i := range src.Secret.Items {
			errs = append(errs, validateKeyToPath(&src.Secret.Items[i], fp.Child("items").Index(i))...)
		}
		return errs
	})
	one(src.NFS != nil, "nfs", func(p *Path) ErrorList {
		fp := p.Child("nfs")
		var errs ErrorList
		if src.NFS.Server == "" {
			errs = append(errs, Required(fp.Child("server"), ""))
		}
		if src.NFS.Path == "" {
			errs = append(errs, Required(fp.Child("path"), ""))
		}
		if !path.IsAbs(src.NFS.Path) {
			errs = append(errs, Invalid(fp.Child("path"), src.NFS.Path, "must be an absolute path"))
		}
		return errs
	})
	one(src.ISCSI != nil, "iscsi", nil)
	one(src.Glusterfs != nil, "glusterfs", nil)
	one(src.Flocker != nil, "flocker", nil)
	one(src.PersistentVolumeClaim != nil, "persistentVolumeClaim", func(p *Path) ErrorList {
		if src.PersistentVolumeClaim.ClaimName == "" {
			return ErrorList{Required(p.Child("persistentVolumeClaim", "claimName"), "")}
		}
		return nil
	})
	one(src.RBD != nil, "rbd", nil)
	one(src.Cinder != nil, "cinder", nil)
	one(src.CephFS != nil, "cephFS", nil)
	one(src.Quobyte != nil, "quobyte", nil)
	one(src.DownwardAPI != nil, "downwarAPI", func(p *Path) ErrorList {
		fp := p.Child("downwardAPI")
		errs := validateFileMode(src.DownwardAPI.DefaultMode, fp.Child("defaultMode"))
		for i := range src.DownwardAPI.Items {
			errs = append(errs, validateDownwardAPIFile(&src.DownwardAPI.Items[i], fp)...)
		}
		return errs
	})
	one(src.FC != nil, "fc", nil)
	one(src.FlexVolume != nil, "flexVolume", nil)
	one(src.ConfigMap != nil, "configMap", func(p *Path) ErrorList {
		fp := p.Child("configMap")
		var errs ErrorList
		if src.ConfigMap.Name == "" {
			errs = append(errs, Required(fp.Child("name"), ""))
		}
		errs = append(errs, validateFileMode(src.ConfigMap.DefaultMode, fp.Child("defaultMode"))...)
		for i := range src.ConfigMap.Items {
			errs = append(errs, validateKeyToPath(&src.ConfigMap.Items[i], fp.Child("items").Index(i))...)
		}
		return errs
	})
	one(src.AzureFile != nil, "azureFile", nil)
	one(src.VsphereVolume != nil, "vsphereVolume", nil)
	one(src.PhotonPersistentDisk != nil, "photonPersistentDisk", nil)
	one(src.PortworxVolume != nil, "portworxVolume", nil)
	one(src.AzureDisk != nil, "azureDisk", nil)
	one(src.StorageOS != nil, "storageos", nil)
	one(src.Projected != nil, "projected", func(p *Path) ErrorList { return validateProjectedSource(src.Projected, p.Child("projected")) })
	one(src.ScaleIO != nil, "scaleIO", nil)
	one(src.CSI != nil, "csi", func(p *Path) ErrorList {
		if src.CSI.Driver == "" {
			return ErrorList{Required(p.Child("csi", "driver"), "")}
		}
		return nil
	})
	one(src.Ephemeral != nil, "ephemeral", func(p *Path) ErrorList {
		if src.Ephemeral.VolumeClaimTemplate == nil {
			return ErrorList{Required(p.Child("ephemeral", "volumeClaimTemplate"), "")}
		}
		return nil
	})
	one(src.Image != nil, "image", func(p *Path) ErrorList {
		fp := p.Child("image")
		var errs ErrorList
		if src.Image.Reference == "" {
			errs = append(errs, Required(fp.Child("reference"), ""))
		}
		switch pol := string(src.Image.PullPolicy); pol {
		case "Always", "IfNotPresent", "Never":
		case "":
			errs = append(errs, Required(fp.Child("pullPolicy"), ""))
		default:
			errs = append(errs, NotSupported(fp.Child("pullPolicy"), pol, supportedPullPolicies))
		}
		return errs
	})
	if n == 0 {
		errs = append(errs, Required(p, "must specify a volume type"))
	}
	return errs
}

func validateHostPathSource(hp *corev1.HostPathVolumeSource, p *Path) ErrorList {
	if hp.Path == "" {
		return ErrorList{Required(p.Child("path"), "")}
	}
	errs := validatePathNoBacksteps(hp.Path, p.Child("path"))
	if hp.Type != nil && !contains(supportedHostPathTypes, string(*hp.Type)) {
		errs = append(errs, NotSupported(p.Child("type"), string(*hp.Type), supportedHostPathTypes))
	}
	return errs
}

// validateProjectedSource checks the sources of a projected volume and that no two of them
// write the same file.
func validateProjectedSource(proj *corev1.ProjectedVolumeSource, p *Path) ErrorList {
	errs := validateFileMode(proj.DefaultMode, p.Child("defaultMode"))
	paths := map[string]bool{}
	claim := func(file string, value any) {
		if file == "" {
			return
		}
		if paths[file] {
			errs = append(errs, Invalid(p, value, "conflicting duplicate paths"))
		}
		paths[file] = true
	}
	for i, s := range proj.Sources {
		sp := p.Child("sources").Index(i)
		n := 0
		if s.Secret != nil {
			n++
			if s.Secret.Name == "" {
				errs = append(errs, Required(sp.Child("secret", "name"), ""))
			}
			for j := range s.Secret.Items {
				errs = append(errs, validateKeyToPath(&s.Secret.Items[j], sp.Child("secret", "items").Index(j))...)
				claim(s.Secret.Items[j].Path, s.Secret.Name)
			}
		}
		if s.ConfigMap != nil {
			n++
			if s.ConfigMap.Name == "" {
				errs = append(errs, Required(sp.Child("configMap", "name"), ""))
			}
			for j := range s.ConfigMap.Items {
				errs = append(errs, validateKeyToPath(&s.ConfigMap.Items[j], sp.Child("configMap", "items").Index(j))...)
				claim(s.ConfigMap.Items[j].Path, s.ConfigMap.Name)
			}
		}
		if s.DownwardAPI != nil {
			n++
			for j := range s.DownwardAPI.Items {
				errs = append(errs, validateDownwardAPIFile(&s.DownwardAPI.Items[j], sp.Child("downwardAPI"))...)
				claim(s.DownwardAPI.Items[j].Path, s.DownwardAPI.Items[j].Path)
			}
		}
		if s.ServiceAccountToken != nil {
			n++
			tp := sp.Child("serviceAccountToken")
			if exp := s.ServiceAccountToken.ExpirationSeconds; exp == nil {
				errs = append(errs, Required(tp.Child("expirationSeconds"), ""))
			} else {
				if *exp < 10*60 {
					errs = append(errs, Invalid(tp.Child("expirationSeconds"), *exp, "may not specify a duration less than 10 minutes"))
				}
				if *exp > 1<<32 {
					errs = append(errs, Invalid(tp.Child("expirationSeconds"), *exp, "may not specify a duration larger than 2^32 seconds"))
				}
			}
			// Upstream reports the token's path at the volume's level.
			if s.ServiceAccountToken.Path == "" {
				errs = append(errs, Required(p.Child("path"), ""))
			} else {
				errs = append(errs, validateLocalNonReservedPath(s.ServiceAccountToken.Path, p.Child("path"))...)
			}
		}
		if n > 1 {
			errs = append(errs, Forbidden(sp, "may not specify more than 1 volume type per source"))
		}
	}
	return errs
}

// validateDownwardAPIFile checks one file of a downwardAPI volume: a relative path and exactly
// one of fieldRef and resourceFieldRef.
func validateDownwardAPIFile(f *corev1.DownwardAPIVolumeFile, p *Path) ErrorList {
	var errs ErrorList
	if f.Path == "" {
		errs = append(errs, Required(p.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(f.Path, p.Child("path"))...)
	switch {
	case f.FieldRef != nil:
		errs = append(errs, validateObjectFieldSelector(f.FieldRef, volumeFieldPaths, p.Child("fieldRef"))...)
		if f.ResourceFieldRef != nil {
			errs = append(errs, Invalid(p, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"))
		}
	case f.ResourceFieldRef != nil:
		errs = append(errs, validateResourceFieldSelector(f.ResourceFieldRef, true, p.Child("resourceFieldRef"))...)
	default:
		errs = append(errs, Required(p, "one of fieldRef and resourceFieldRef is required"))
	}
	return append(errs, validateFileMode(f.Mode, p.Child("mode"))...)
}

// validateKeyToPath checks one key projected into a file.
func validateKeyToPath(kp *corev1.KeyToPath, p *Path) ErrorList {
	var errs ErrorList
	if kp.Key == "" {
		errs = append(errs, Required(p.Child("key"), ""))
	}
	if kp.Path == "" {
		errs = append(errs, Required(p.Child("path"), ""))
	}
	errs = append(errs, validateLocalNonReservedPath(kp.Path, p.Child("path"))...)
	return append(errs, validateFileMode(kp.Mode, p.Child("mode"))...)
}

// validateFileMode checks a permission mode is within 0-0777.
func validateFileMode(mode *int32, p *Path) ErrorList {
	if mode != nil && (*mode > 0777 || *mode < 0) {
		return ErrorList{Invalid(p, *mode, fileModeMsg)}
	}
	return nil
}

// validateLocalNonReservedPath requires a relative path that stays inside the volume.
func validateLocalNonReservedPath(target string, p *Path) ErrorList {
	errs := validateLocalDescendingPath(target, p)
	// A path starting ".." but not "../" would hide the volume's own "..data" bookkeeping.
	if strings.HasPrefix(target, "..") && !strings.HasPrefix(target, "../") {
		errs = append(errs, Invalid(p, target, "must not start with '..'"))
	}
	return errs
}

// validateLocalDescendingPath requires a relative path without ".." elements.
func validateLocalDescendingPath(target string, p *Path) ErrorList {
	var errs ErrorList
	if path.IsAbs(target) {
		errs = append(errs, Invalid(p, target, "must be a relative path"))
	}
	return append(errs, validatePathNoBacksteps(target, p)...)
}

// validatePathNoBacksteps refuses any ".." element, which could escape the intended directory.
func validatePathNoBacksteps(target string, p *Path) ErrorList {
	for _, part := range strings.Split(filepath.ToSlash(target), "/") {
		if part == ".." {
			return ErrorList{Invalid(p, target, "must not contain '..'")}
		}
	}
	return nil
}

// validateVolumeMounts checks a container's mounts refer to the pod's volumes, at distinct
// paths, with sub-paths that stay inside the volume.
func validateVolumeMounts(c *corev1.Container, vols map[string]corev1.VolumeSource, p *Path) ErrorList {
	var errs ErrorList
	mountPoints := map[string]bool{}
	for i, m := range c.VolumeMounts {
		mp := p.Index(i)
		if m.Name == "" {
			errs = append(errs, Required(mp.Child("name"), ""))
		}
		if _, ok := vols[m.Name]; !ok {
			errs = append(errs, NotFound(mp.Child("name"), m.Name))
		}
		if m.MountPath == "" {
			errs = append(errs, Required(mp.Child("mountPath"), ""))
		}
		if mountPoints[m.MountPath] {
			errs = append(errs, Invalid(mp.Child("mountPath"), m.MountPath, "must be unique"))
		}
		mountPoints[m.MountPath] = true
		// Upstream reports sub-path problems at the list's path, not the entry's.
		if m.SubPath != "" {
			errs = append(errs, validateLocalDescendingPath(m.SubPath, p.Child("subPath"))...)
		}
		if m.SubPathExpr != "" {
			if m.SubPath != "" {
				errs = append(errs, Invalid(mp.Child("subPathExpr"), m.SubPathExpr, "subPathExpr and subPath are mutually exclusive"))
			}
			errs = append(errs, validateLocalDescendingPath(m.SubPathExpr, p.Child("subPathExpr"))...)
		}
		if m.MountPropagation != nil {
			errs = append(errs, validateMountPropagation(string(*m.MountPropagation), c, p.Child("mountPropagation"))...)
		}
	}
	return errs
}

// validateMountPropagation checks the propagation mode; Bidirectional lets the container
// mount things on the host, so only privileged containers may ask for it.
func validateMountPropagation(mode string, c *corev1.Container, p *Path) ErrorList {
	var errs ErrorList
	supported := []string{"Bidirectional", "HostToContainer", "None"}
	if !contains(supported, mode) {
		errs = append(errs, NotSupported(p, mode, supported))
	}
	privileged := c.SecurityContext != nil && c.SecurityContext.Privileged != nil && *c.SecurityContext.Privileged
	if mode == "Bidirectional" && !privileged {
		errs = append(errs, Forbidden(p, "Bidirectional mount propagation is available only to privileged containers"))
	}
	return errs
}

package v1

import (
	"regexp"
	"strings"
)

// The grammar of container image references ("registry:5000/team/app:1.2@sha256:..."), as
// the Docker distribution library defines it, with the digest algorithms upstream links in
// (sha256, sha512). Only as much is implemented as defaulting needs: is the reference valid,
// and which tag does it name.
var (
	imageDomainRE   = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	imagePathRE     = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	imageTagRE      = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	imageDigestRE   = regexp.MustCompile(`^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$`)
	imageHexIDRE    = regexp.MustCompile(`^[a-f0-9]{64}$`)
	maxImageNameLen = 255
)

// imageTag returns the tag an image reference names ("latest" when it names neither a tag
// nor a digest), or ok=false for an invalid reference.
func imageTag(image string) (tag string, ok bool) {
	rest, digest, hasDigest := strings.Cut(image, "@")
	if hasDigest && !imageDigestRE.MatchString(digest) {
		return "", false
	}
	name := rest
	// A tag follows the last colon after the last slash (a colon before it is a port).
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		name, tag = rest[:i], rest[i+1:]
		if !imageTagRE.MatchString(tag) {
			return "", false
		}
	}
	if name == "" || len(name) > maxImageNameLen {
		return "", false
	}
	components := strings.Split(name, "/")
	if len(components) > 1 && (strings.ContainsAny(components[0], ".:") || components[0] == "localhost" || strings.ToLower(components[0]) != components[0]) {
		if !imageDomainRE.MatchString(components[0]) {
			return "", false
		}
		components = components[1:]
	}
	for _, c := range components {
		if !imagePathRE.MatchString(c) {
			return "", false
		}
	}
	if len(components) == 1 && imageHexIDRE.MatchString(components[0]) {
		return "", false
	}
	if tag == "" && !hasDigest {
		tag = "latest"
	}
	return tag, true
}

// defaultPullPolicy is Always for images tagged (or defaulting to) "latest", IfNotPresent
// otherwise, including for references that do not parse.
func defaultPullPolicy(image string) PullPolicy {
	if tag, ok := imageTag(image); ok && tag == "latest" {
		return PullAlways
	}
	return PullIfNotPresent
}

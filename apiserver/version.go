package apiserver

import (
	"encoding/json"
	"net/http"
	"runtime"
	"runtime/debug"
)

// The Kubernetes version Skiff reports. kubectl warns when client and server minor
// versions are more than one apart; 1.33 keeps kubectl 1.32 to 1.34 quiet.
const (
	versionMajor = "1"
	versionMinor = "33"
	gitVersion   = "v1.33.0-skiff"
)

// versionInfo is upstream's /version document.
type versionInfo struct {
	Major                 string `json:"major"`
	Minor                 string `json:"minor"`
	EmulationMajor        string `json:"emulationMajor,omitempty"`
	EmulationMinor        string `json:"emulationMinor,omitempty"`
	MinCompatibilityMajor string `json:"minCompatibilityMajor,omitempty"`
	MinCompatibilityMinor string `json:"minCompatibilityMinor,omitempty"`
	GitVersion            string `json:"gitVersion"`
	GitCommit             string `json:"gitCommit"`
	GitTreeState          string `json:"gitTreeState"`
	BuildDate             string `json:"buildDate"`
	GoVersion             string `json:"goVersion"`
	Compiler              string `json:"compiler"`
	Platform              string `json:"platform"`
}

// currentVersion fills the build fields from what the Go toolchain recorded.
func currentVersion() versionInfo {
	v := versionInfo{
		Major: versionMajor, Minor: versionMinor,
		EmulationMajor: versionMajor, EmulationMinor: versionMinor,
		MinCompatibilityMajor: versionMajor, MinCompatibilityMinor: "32",
		GitVersion: gitVersion, GitCommit: "unknown", GitTreeState: "clean",
		BuildDate: "1970-01-01T00:00:00Z", GoVersion: runtime.Version(), Compiler: runtime.Compiler,
		Platform: runtime.GOOS + "/" + runtime.GOARCH,
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				v.GitCommit = s.Value
			case "vcs.time":
				v.BuildDate = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					v.GitTreeState = "dirty"
				}
			}
		}
	}
	return v
}

var versionJSON, _ = json.MarshalIndent(currentVersion(), "", "  ")

func serveVersion(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(versionJSON)
}

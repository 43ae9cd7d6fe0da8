package cri

import (
	"bytes"
	"io"
	"os"
	"strings"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
)

// Limits on termination messages (upstream's).
const (
	maxTerminationMessage     = 4 * 1024
	maxTerminationLogMessage  = 2 * 1024
	maxTerminationLogMsgLines = 80
)

// terminationMessage reads what an exited container left for its termination message: the
// file mounted at its terminationMessagePath, or, with policy FallbackToLogsOnError and a
// failure exit, the tail of its log.
func terminationMessage(st *runtimeapi.ContainerStatus) string {
	path := st.Annotations[AnnotationTerminationMsgPath]
	msg := ""
	if path != "" {
		for _, m := range st.Mounts {
			if m.ContainerPath == path {
				msg = readHead(m.HostPath, maxTerminationMessage)
				break
			}
		}
	}
	fallback := st.Annotations[AnnotationTerminationMsgPolicy] == "FallbackToLogsOnError" && st.ExitCode != 0 && st.Reason != "ContainerCannotRun"
	if msg == "" && fallback && st.LogPath != "" {
		msg = logTail(st.LogPath)
	}
	return msg
}

func readHead(path string, limit int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, limit))
	return string(b)
}

// logTail returns the last lines of a CRI-format log ("<time> <stream> <tag> <text>"), text
// only, bounded as upstream bounds it.
func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > maxTerminationLogMsgLines {
		lines = lines[len(lines)-maxTerminationLogMsgLines:]
	}
	var b strings.Builder
	for _, l := range lines {
		parts := bytes.SplitN(l, []byte(" "), 4)
		if len(parts) < 4 {
			continue
		}
		b.Write(parts[3])
		if string(parts[2]) != "P" {
			b.WriteByte('\n')
		}
	}
	s := b.String()
	if len(s) > maxTerminationLogMessage {
		s = s[len(s)-maxTerminationLogMessage:]
	}
	return s
}

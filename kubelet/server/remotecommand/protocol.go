// Package remotecommand is Kubernetes' remote command protocol, the one behind kubectl
// exec, attach and cp: a client's stdin, stdout, stderr and terminal size travel to a
// process in a container over one upgraded HTTP connection, and the outcome (success, an
// exit code, or an error) comes back on an "error" channel.
//
// Two transports carry the same channels:
//   - WebSocket (wschannel): v5.channel.k8s.io (kubectl 1.30+, with half-close of stdin),
//     v4.channel.k8s.io and the original channel.k8s.io, binary or base64;
//   - SPDY/3.1 (spdy): one stream per channel, named by a "streamType" header, with the
//     subprotocol in X-Stream-Protocol-Version: v4.channel.k8s.io (kubectl 1.27-1.29),
//     v3 (no exit codes) and v2 (no terminal resizing).
//
// Accept serves the protocol to a client (the kubelet answering kubectl through the
// apiserver); Stream speaks it as a client over SPDY (the kubelet reaching the container
// runtime's streaming server, as upstream's kubelet and apiserver do).
//
// The outcome, as upstream writes it: protocols v4 and v5 send a meta/v1 Status ("Success",
// or "Failure" with reason NonZeroExitCode and the exit code as an ExitCode cause); older
// protocols send the error text, and nothing on success.
package remotecommand

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	metav1 "github.com/skiff-k8s/skiff/api/meta/v1"
)

// Subprotocol names.
const (
	ProtocolV5 = "v5.channel.k8s.io"
	ProtocolV4 = "v4.channel.k8s.io"
	ProtocolV3 = "v3.channel.k8s.io"
	ProtocolV2 = "v2.channel.k8s.io"
	ProtocolV1 = "channel.k8s.io"
)

// Stream types (the "streamType" header of SPDY streams) and WebSocket channel numbers.
const (
	StreamTypeStdin  = "stdin"
	StreamTypeStdout = "stdout"
	StreamTypeStderr = "stderr"
	StreamTypeError  = "error"
	StreamTypeResize = "resize"
	// HeaderStreamType is the SPDY stream header naming the stream's role.
	HeaderStreamType = "streamType"

	ChannelStdin  byte = 0
	ChannelStdout byte = 1
	ChannelStderr byte = 2
	ChannelError  byte = 3
	ChannelResize byte = 4
)

// Status reasons of the error channel.
const (
	ReasonNonZeroExitCode = "NonZeroExitCode"
	CauseTypeExitCode     = "ExitCode"
)

// Options say which streams a session has: the stdin, stdout, stderr and tty query
// parameters of an exec or attach request.
type Options struct {
	Stdin, Stdout, Stderr, TTY bool
}

// The kubelet's query parameters of exec and attach (upstream's names; the apiserver
// translates PodExecOptions' stdin/stdout/stderr into them).
const (
	ParamStdin   = "input"
	ParamStdout  = "output"
	ParamStderr  = "error"
	ParamTTY     = "tty"
	ParamCommand = "command"
)

// OptionsFromQuery reads the streams of a kubelet exec or attach URL, where each enabled
// flag is "1". A terminal has no separate stderr (it is merged into stdout), so tty drops
// stderr, as upstream does.
func OptionsFromQuery(q url.Values) (Options, error) {
	on := func(name string) bool { return q.Get(name) == "1" }
	o := Options{Stdin: on(ParamStdin), Stdout: on(ParamStdout), Stderr: on(ParamStderr), TTY: on(ParamTTY)}
	if o.TTY && o.Stderr {
		o.Stderr = false
	}
	if !o.Stdin && !o.Stdout && !o.Stderr {
		return o, errors.New("you must specify at least 1 of stdin, stdout, stderr")
	}
	return o, nil
}

// Query adds o's flags to the query parameters of a kubelet exec or attach URL.
func (o Options) Query(q url.Values) {
	for name, on := range map[string]bool{ParamStdin: o.Stdin, ParamStdout: o.Stdout, ParamStderr: o.Stderr, ParamTTY: o.TTY} {
		if on {
			q.Set(name, "1")
		}
	}
}

// TerminalSize is one resize event (JSON {"Width":80,"Height":24} on the resize channel).
type TerminalSize struct {
	Width  uint16
	Height uint16
}

// ExitError is a command that ran and exited with a non-zero code.
type ExitError struct {
	Code int
	// Message is the runtime's description ("error executing command [sh -c exit 3],
	// exit code 3").
	Message string
}

func (e *ExitError) Error() string {
	return fmt.Sprintf("command terminated with non-zero exit code: %s", e.Message)
}

// StatusError is a failure the other side reported as a Status.
type StatusError struct {
	Status metav1.Status
}

func (e *StatusError) Error() string { return e.Status.Message }

// SuccessStatus is the v4 answer of a command that exited 0.
func SuccessStatus() metav1.Status { return metav1.Status{Status: metav1.StatusSuccess} }

// ExitStatus is the v4 answer of a command that exited with code.
func ExitStatus(e *ExitError) metav1.Status {
	return metav1.Status{
		Status:  metav1.StatusFailure,
		Reason:  ReasonNonZeroExitCode,
		Message: e.Error(),
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: CauseTypeExitCode, Message: strconv.Itoa(e.Code)}}},
	}
}

// InternalErrorStatus is the v4 answer when the session itself failed (the command could
// not be started, the runtime went away).
func InternalErrorStatus(err error) metav1.Status {
	return metav1.Status{
		Status:  metav1.StatusFailure,
		Code:    500,
		Reason:  metav1.StatusReasonInternalError,
		Message: fmt.Sprintf("Internal error occurred: %v", err),
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Message: err.Error()}}},
	}
}

// StatusFor turns a session's outcome into the Status to report: nil is success, an
// *ExitError a non-zero exit, a *StatusError itself, anything else an internal error.
func StatusFor(err error) metav1.Status {
	var exit *ExitError
	var se *StatusError
	switch {
	case err == nil:
		return SuccessStatus()
	case errors.As(err, &exit):
		return ExitStatus(exit)
	case errors.As(err, &se):
		return se.Status
	default:
		return InternalErrorStatus(err)
	}
}

// ErrorFromStatus reads what a v4 server reported: nil for success, *ExitError for a
// non-zero exit code, *StatusError otherwise.
func ErrorFromStatus(raw []byte) error {
	var st metav1.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("error stream protocol error: %v in %q", err, string(raw))
	}
	if st.Status == metav1.StatusSuccess {
		return nil
	}
	if st.Reason == ReasonNonZeroExitCode && st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Type != CauseTypeExitCode {
				continue
			}
			code, err := strconv.Atoi(c.Message)
			if err != nil {
				return fmt.Errorf("error stream protocol error: invalid exit code value %q", c.Message)
			}
			return &ExitError{Code: code, Message: trimExitPrefix(st.Message)}
		}
	}
	return &StatusError{Status: st}
}

// trimExitPrefix recovers the runtime's own text from a v4 exit message, so relaying a
// Status does not repeat the prefix.
func trimExitPrefix(msg string) string {
	const prefix = "command terminated with non-zero exit code: "
	if len(msg) >= len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

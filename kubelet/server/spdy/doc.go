// Package spdy is a small implementation of SPDY/3.1 framing and stream multiplexing:
// exactly what Kubernetes' streaming protocols need. kubectl (before 1.30 for exec and
// attach, before 1.31 for port-forward) upgrades an HTTP request to "SPDY/3.1" and then
// opens one SPDY stream per channel (stdin, stdout, stderr, error, resize; or a data and an
// error stream per forwarded connection), telling them apart by a "streamType" header.
// Container runtimes' streaming servers (containerd's CRI plugin) speak the same protocol,
// so the kubelet uses this package on both sides: as a server towards kubectl and as a
// client towards the runtime.
//
// What it promises:
//   - Frames are encoded as the SPDY/3 draft specifies (control and data frames, header
//     blocks compressed with zlib and the SPDY/3 dictionary, one compression context per
//     direction for the life of the connection), so it interoperates with moby/spdystream,
//     the implementation client-go uses.
//   - Streams are full duplex and half-closable: Close sends FIN, and Read returns io.EOF
//     once the peer has sent FIN, reset the stream (as spdystream's readers see it:
//     Kubernetes' servers reset their streams right after writing the outcome), or the
//     connection ended; data that arrived before stays readable.
//   - Every stream a peer opens is answered with SYN_REPLY before the accept callback sees
//     it, so data written on an accepted stream never overtakes its reply.
//   - PINGs from the peer are echoed; SETTINGS and WINDOW_UPDATE are read and ignored.
//
// What it leaves out: flow control (like spdystream, which never sends WINDOW_UPDATE, it
// ignores windows; a stream's unread data is bounded instead, and reading stalls until the
// stream's reader catches up), server push, priorities, and TLS (callers bring their own
// net.Conn).
package spdy

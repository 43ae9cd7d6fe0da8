package storage

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// etcd (server and client) logs through zap. newEtcdLogger returns a zap
// logger that hands etcd's warnings and errors to log/slog instead, so they
// look like the rest of Skiff's log, tagged component=etcd; etcd's info
// chatter (dozens of lines per start) is dropped.
func newEtcdLogger() *zap.Logger {
	return zap.New(slogCore{min: zapcore.WarnLevel})
}

// slogCore is a zapcore.Core that writes to slog.Default().
type slogCore struct {
	min    zapcore.Level
	fields []zapcore.Field // context added with zap's With
}

func (c slogCore) Enabled(level zapcore.Level) bool { return level >= c.min }

func (c slogCore) With(fields []zapcore.Field) zapcore.Core {
	return slogCore{min: c.min, fields: append(slices.Clip(c.fields), fields...)}
}

func (c slogCore) Check(entry zapcore.Entry, checked *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(entry.Level) {
		return checked.AddCore(entry, c)
	}
	return checked
}

func (c slogCore) Write(entry zapcore.Entry, fields []zapcore.Field) error {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range c.fields {
		f.AddTo(enc)
	}
	for _, f := range fields {
		f.AddTo(enc)
	}
	level := slog.LevelWarn
	if entry.Level >= zapcore.ErrorLevel {
		level = slog.LevelError
	}
	if expectedEtcdWarning(entry.Message, enc.Fields) {
		level = slog.LevelDebug
	}
	logger := slog.Default()
	ctx := context.Background()
	if !logger.Enabled(ctx, level) {
		return nil
	}
	attrs := make([]slog.Attr, 0, len(enc.Fields)+1)
	attrs = append(attrs, slog.String("component", "etcd"))
	keys := make([]string, 0, len(enc.Fields))
	for k := range enc.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		attrs = append(attrs, slog.Any(k, enc.Fields[k]))
	}
	logger.LogAttrs(ctx, level, entry.Message, attrs...)
	return nil
}

func (c slogCore) Sync() error { return nil }

// expectedEtcdWarning recognizes warnings that say nothing in Skiff's setup,
// and demotes them to debug so they do not alarm anyone on every start.
func expectedEtcdWarning(msg string, fields map[string]any) bool {
	switch msg {
	case "Running http and grpc server on single port. This is not recommended for production.",
		// Embedded etcd serves no port at all.
		"simple token is not cryptographically signed",
		// Skiff does not use etcd's authentication.
		"retrying of unary invoker failed":
		// The client reports every failed call, including the compacted
		// and future revisions the apiserver handles as a matter of course;
		// the error reaches the caller anyway.
		return true
	case "failed to apply request":
		// Compacting to a revision that is already compacted (or not yet
		// written) fails in etcd's apply loop; Compact reports it to its
		// caller, and RunCompactor treats "already compacted" as done.
		err, _ := fields["error"].(string)
		return strings.HasPrefix(err, "mvcc: required revision")
	case "failed to update cluster version":
		// Stopping a member moments after it started cancels this.
		err, _ := fields["error"].(string)
		return strings.Contains(err, "request cancelled")
	case "failed to update storage version", "Failed to detect schema version":
		// A just-created data dir has no raft term recorded until the first
		// commit; etcd retries shortly and succeeds.
		err, _ := fields["error"].(string)
		return strings.Contains(err, "missing term information")
	}
	return false
}

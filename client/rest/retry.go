package rest

import (
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"
)

// Backoff between retries: 200ms, 400ms, 800ms ... capped at 5s, each with up to 20% jitter
// so that many clients knocked off by one server restart do not come back in lockstep.
const (
	retryBaseDelay = 200 * time.Millisecond
	retryMaxDelay  = 5 * time.Second
	// retryAfterCap bounds how long a server's Retry-After can park a request.
	retryAfterCap = 30 * time.Second
)

// retryPolicy decides whether a failed attempt is tried again and after how long. It is a
// pure function of the attempt's outcome, so its table test covers every branch.
type retryPolicy struct {
	maxRetries int
	base, max  time.Duration
}

// decide looks at one attempt (a response, or a transport error) and answers whether to
// retry and how long to wait first.
func (p retryPolicy) decide(attempt int, method string, resp *http.Response, err error) (time.Duration, bool) {
	if attempt >= p.maxRetries {
		return 0, false
	}
	idempotent := method == http.MethodGet || method == http.MethodHead ||
		method == http.MethodPut || method == http.MethodDelete
	if err != nil {
		switch {
		case isConnectionRefused(err):
			// Nothing reached the server: safe for every method.
			return p.backoff(attempt), true
		case idempotent && isTransient(err):
			return p.backoff(attempt), true
		}
		return 0, false
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests:
		// The server rejected the request before processing it (priority and fairness or
		// max-inflight limits): safe for every method.
		return p.serverWait(attempt, resp), true
	case code >= 500 && idempotent:
		// 501 Not Implemented is an answer, not a hiccup.
		if code == http.StatusNotImplemented {
			return 0, false
		}
		return p.serverWait(attempt, resp), true
	}
	return 0, false
}

// backoff is the exponential delay of an attempt, with jitter.
func (p retryPolicy) backoff(attempt int) time.Duration {
	d := p.base << attempt
	if d > p.max || d <= 0 {
		d = p.max
	}
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// serverWait honours a Retry-After header (seconds) when the server sent one.
func (p retryPolicy) serverWait(attempt int, resp *http.Response) time.Duration {
	if s := resp.Header.Get("Retry-After"); s != "" {
		if secs, err := strconv.Atoi(s); err == nil && secs >= 0 {
			d := time.Duration(secs) * time.Second
			if d > retryAfterCap {
				d = retryAfterCap
			}
			if d > 0 {
				return d
			}
		}
	}
	return p.backoff(attempt)
}

// isConnectionRefused reports that the TCP connection was never established, so the request
// provably did not reach the server.
func isConnectionRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED)
}

// isTransient reports transport failures that a repeat may cure: the connection was reset or
// closed under us (server restart, idle connection reaped), or a network timeout.
func isTransient(err error) bool {
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

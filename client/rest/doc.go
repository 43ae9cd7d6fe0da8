// Package rest is the HTTP layer every Skiff component uses to reach the API server.
//
// It turns a kubeconfig (or the in-cluster service account) into a Config, and a Config into
// a Client that speaks JSON to the server: it builds resource URLs, authenticates (client
// certificate or bearer token), names the component in the User-Agent, and decodes every
// error response into a *metav1.Status, so callers test errors with IsNotFound, IsConflict,
// IsAlreadyExists, IsGone, IsInvalid ... exactly as they would with upstream's apierrors.
//
// Promises:
//   - One Client is safe for concurrent use by many goroutines and shares one pooled
//     keep-alive transport (HTTP/2 over TLS), so a controller manager running dozens of
//     workers opens a handful of connections, not one per request.
//   - Transient failures are retried with exponential backoff: connection refused or reset,
//     429 and 5xx answers. A request that may have changed state (POST, PATCH) is retried only
//     when it provably never reached the server (the connection was refused) or the server
//     said it did not process it (429 with Retry-After), so a retry never creates twice.
//   - An error answer is returned as the *metav1.Status the server sent (or one synthesized
//     from the HTTP code when the body was not a Status), unwrapped, so its message reads
//     exactly like upstream's (`pods "web-0" not found`); callers add their own context and
//     the Is* helpers still work through fmt.Errorf("...: %w") wrapping. Transport failures
//     name the method and URL.
package rest

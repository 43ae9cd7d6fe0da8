package handlers

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A continue token lets a client read a long list in pages that all come from one
// snapshot: it carries the etcd revision of the first page and the key to resume at,
// relative to the list's prefix (so a token cannot reach outside the resource). It is
// base64 of JSON, like upstream's, so clients treat it as opaque either way.
type continueToken struct {
	APIVersion string `json:"v"`
	// Revision is the snapshot's revision; -1 marks an "inconsistent" token handed out
	// after the snapshot was compacted, which continues at the latest revision.
	Revision int64  `json:"rv"`
	StartKey string `json:"start"`
}

const continueTokenVersion = "meta.k8s.io/v1"

func encodeContinue(prefix, nextKey string, rev int64) string {
	b, _ := json.Marshal(continueToken{APIVersion: continueTokenVersion, Revision: rev, StartKey: strings.TrimPrefix(nextKey, prefix)})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeContinue returns the full start key and revision of a token.
func decodeContinue(token, prefix string) (startKey string, rev int64, err error) {
	data, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", 0, fmt.Errorf("continue key is not valid: %v", err)
	}
	var t continueToken
	if err := json.Unmarshal(data, &t); err != nil {
		return "", 0, fmt.Errorf("continue key is not valid: %v", err)
	}
	if t.APIVersion != continueTokenVersion {
		return "", 0, fmt.Errorf("continue key is not valid: incorrect encoded start resourceVersion (version %s)", t.APIVersion)
	}
	if t.Revision == 0 || t.Revision < -1 {
		return "", 0, errors.New("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
	}
	if t.StartKey == "" || strings.Contains(t.StartKey, "..") || strings.HasPrefix(t.StartKey, "/") {
		return "", 0, errors.New("continue key is not valid: key must not be empty or escape the list")
	}
	return prefix + t.StartKey, t.Revision, nil
}

// expiredContinueMessage is upstream's explanation when a continue token's snapshot has
// been compacted away.
const expiredContinueMessage = "The provided continue parameter is too old to display a consistent list result. " +
	"You can start a new list without the continue parameter, or use the continue token in this response to retrieve " +
	"the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that " +
	"were created, modified, or deleted between the time the first chunk was returned and now may show up in the list."

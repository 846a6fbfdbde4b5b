package jobspec

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// specHash computes App.SpecHash: the sha256 of the canonical JSON encoding of the normalized model. The
// encoding excludes source ranges, variables, the sensitivity list and the hash itself (their fields are tagged
// json:"-"); maps are encoded with sorted keys, so the hash does not depend on formatting, comments, attribute
// order or how a value was written (literal, variable, local or function call).
func specHash(app *App) string {
	b, err := json.Marshal(app)
	if err != nil {
		// Every model field is a plain JSON value and patches are valid JSON; this cannot happen.
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

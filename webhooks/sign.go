package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// Standard Webhooks (https://www.standardwebhooks.com, "Signature
// scheme"): the secret is "whsec_" + base64 of the key; the signature of a
// delivery is "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." +
// body)), sent in webhook-signature beside webhook-id and
// webhook-timestamp (unix seconds).

// SecretPrefix starts every webhook secret.
const SecretPrefix = "whsec_"

// NewSecret returns a new secret: SecretPrefix + base64 of 32 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// secretKey decodes a secret's key.
func secretKey(secret string) ([]byte, error) {
	k, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, errors.New("webhook secret: no whsec_ prefix")
	}
	return base64.StdEncoding.DecodeString(k)
}

// Sign returns the webhook-signature value of body sent as id at ts.
func Sign(secret, id string, ts int64, body []byte) (string, error) {
	key, err := secretKey(secret)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(ts, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify reports whether one of the space-separated signatures in sigs
// is body's, sent as id at ts, under secret (what a receiver does).
func Verify(secret, id string, ts int64, body []byte, sigs string) bool {
	want, err := Sign(secret, id, ts, body)
	if err != nil {
		return false
	}
	for _, s := range strings.Fields(sigs) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

package outbound

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/deskgate/deskgate/store"
)

// DKIM key files in the data directory (PKCS #8 PEM, mode 0600). The PEM
// block's "Selector" header names the key's selector.
const (
	RSAKeyFile     = "dkim-rsa.pem"
	Ed25519KeyFile = "dkim-ed25519.pem"
)

// Key is one DKIM signing key and its selector.
type Key struct {
	// Selector is "dg<yyyymmdd>r" (RSA) or "dg<yyyymmdd>e" (Ed25519),
	// dated when the key was generated, so a new key (after deleting the
	// file) gets a new selector and DNS can carry both during a rollover.
	Selector string
	Signer   crypto.Signer
}

// Algorithm returns the DKIM k= tag of the key: "rsa" or "ed25519".
func (k Key) Algorithm() string {
	if _, ok := k.Signer.Public().(ed25519.PublicKey); ok {
		return "ed25519"
	}
	return "rsa"
}

// TXT returns the DNS TXT record value of the key (RFC 6376 §3.6.1;
// RFC 8463 §4.2: an Ed25519 p= is the raw 32-byte public key).
func (k Key) TXT() (string, error) {
	var pub []byte
	switch p := k.Signer.Public().(type) {
	case ed25519.PublicKey:
		pub = p
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return "", fmt.Errorf("marshal public key: %w", err)
		}
		pub = der
	default:
		return "", fmt.Errorf("unsupported key type %T", p)
	}
	return "v=DKIM1; k=" + k.Algorithm() + "; p=" + base64.StdEncoding.EncodeToString(pub), nil
}

// ZoneLine returns the key's record in zone-file syntax for domain:
// `<selector>._domainkey.<domain>. TXT "…" "…"`, the value split into
// quoted strings of at most 255 characters (RFC 1035 §3.3.14 character
// strings; RFC 6376 §3.6.2.2 concatenates them).
func (k Key) ZoneLine(domain string) (string, error) {
	v, err := k.TXT()
	if err != nil {
		return "", err
	}
	var parts []string
	for len(v) > 255 {
		parts = append(parts, `"`+v[:255]+`"`)
		v = v[255:]
	}
	parts = append(parts, `"`+v+`"`)
	return fmt.Sprintf("%s._domainkey.%s. TXT %s", k.Selector, strings.TrimSuffix(domain, "."), strings.Join(parts, " ")), nil
}

// LoadOrCreateKeys returns the RSA-2048 and Ed25519 keys in dir, generating
// each one that is absent (written atomically, mode 0600). now dates the
// selectors of new keys.
func LoadOrCreateKeys(dir string, now time.Time) ([]Key, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("dkim keys: %w", err)
	}
	return LoadOrCreateKeysIn(context.Background(), store.FileSecrets(dir), now)
}

// LoadOrCreateKeysIn returns the RSA-2048 and Ed25519 keys kept in sec
// (under RSAKeyFile and Ed25519KeyFile), generating each one that is
// absent. now dates the selectors of new keys.
func LoadOrCreateKeysIn(ctx context.Context, sec store.Secrets, now time.Time) ([]Key, error) {
	date := now.UTC().Format("20060102")
	rsaKey, err := loadOrCreateKey(ctx, sec, RSAKeyFile, "dg"+date+"r", func() (crypto.Signer, error) {
		return rsa.GenerateKey(rand.Reader, 2048)
	})
	if err != nil {
		return nil, err
	}
	edKey, err := loadOrCreateKey(ctx, sec, Ed25519KeyFile, "dg"+date+"e", func() (crypto.Signer, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	})
	if err != nil {
		return nil, err
	}
	return []Key{rsaKey, edKey}, nil
}

func loadOrCreateKey(ctx context.Context, sec store.Secrets, name, selector string, gen func() (crypto.Signer, error)) (Key, error) {
	data, err := sec.LoadOrCreate(ctx, name, func() ([]byte, error) {
		s, err := gen()
		if err != nil {
			return nil, fmt.Errorf("generate %s: %w", name, err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(s)
		if err != nil {
			return nil, fmt.Errorf("marshal %s: %w", name, err)
		}
		block := &pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Selector": selector}, Bytes: der}
		return pem.EncodeToMemory(block), nil
	})
	if err != nil {
		return Key{}, err
	}
	return parseKey(name, data)
}

func parseKey(path string, data []byte) (Key, error) {
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" {
		return Key{}, fmt.Errorf("%s: not a PEM private key", path)
	}
	sel := block.Headers["Selector"]
	if sel == "" {
		return Key{}, fmt.Errorf("%s: no Selector header", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return Key{}, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return Key{}, fmt.Errorf("%s: key type %T cannot sign", path, k)
	}
	return Key{Selector: sel, Signer: s}, nil
}

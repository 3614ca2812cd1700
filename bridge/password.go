package bridge

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Passwords are stored as argon2id strings in the PHC format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), RFC 9106. argon2id is
// memory-hard: each guess costs m KiB of memory as well as time, which
// makes GPU and ASIC cracking of a stolen store expensive. The parameters
// travel with each hash, so raising them later still verifies old ones.

// Argon2Params are argon2id's cost parameters (RFC 9106 §4).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultArgon2 is OWASP's recommended minimum for argon2id (19 MiB, 2
// passes, 1 lane): about 30 ms on one core here.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinPasswordLen and MaxPasswordLen bound a new password, in bytes.
	MinPasswordLen = 8
	MaxPasswordLen = 1024
)

// Bounds on parameters read back from a stored hash, so a damaged or
// planted record cannot make one verification take gigabytes.
const (
	maxMemory = 1 << 20 // 1 GiB
	maxTime   = 16
)

// hashPassword returns the argon2id string of pw with a fresh salt.
func hashPassword(pw string, p Argon2Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

var errBadHash = errors.New("not an argon2id hash")

// verifyPassword reports whether pw matches the argon2id string enc,
// comparing the derived keys in constant time.
func verifyPassword(pw, enc string) (bool, error) {
	parts := strings.Split(enc, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false, errBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, errBadHash
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || p.Threads == 0 {
		return false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// mustDummyHash is the hash verified against for addresses without a
// password: same parameters, so the same cost as a real one.
func mustDummyHash(p Argon2Params) string {
	h, err := hashPassword("deskgate dummy password", p)
	if err != nil {
		panic(err) // crypto/rand failed: nothing works
	}
	return h
}

// withHashSlot runs f while holding one of the bounded hashing slots, so
// a flood of sign-ins cannot make the process allocate m KiB per request.
func (s *Accounts) withHashSlot(ctx context.Context, f func()) error {
	select {
	case s.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return &Error{Kind: KindUnavailable, Message: "request cancelled", Err: ctx.Err()}
	}
	defer func() { <-s.hashSlots }()
	f()
	return nil
}

// checkNewPassword validates a password being set.
func checkNewPassword(pw string) error {
	if len(pw) < MinPasswordLen || len(pw) > MaxPasswordLen {
		return &Error{Kind: KindInvalid, Code: "weak_password", Message: fmt.Sprintf("password: between %d and %d bytes", MinPasswordLen, MaxPasswordLen)}
	}
	return nil
}

package bridge

import (
	"strings"
	"testing"
	"time"
)

func TestArgon2idHashAndVerify(t *testing.T) {
	p := Argon2Params{Memory: 64, Time: 1, Threads: 1}
	h, err := hashPassword("correct horse", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q is not a PHC argon2id string", h)
	}
	h2, _ := hashPassword("correct horse", p)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	if ok, err := verifyPassword("correct horse", h); !ok || err != nil {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, err := verifyPassword("correct horsE", h); ok || err != nil {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	// The default parameters travel with the hash: a hash made with
	// other ones still verifies.
	d, _ := hashPassword("x", DefaultArgon2)
	if ok, _ := verifyPassword("x", d); !ok {
		t.Error("a default-parameter hash does not verify")
	}
	for _, bad := range []string{
		"", "plain", "$2a$10$bcrypt", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=16$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=4194304,t=1,p=1$c2FsdA$aGFzaA", // 4 GiB: refused, not computed
		"$argon2id$v=19$m=64,t=1000,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=0$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA",
	} {
		if ok, err := verifyPassword("x", bad); ok || err == nil {
			t.Errorf("%q: %v %v, want an error", bad, ok, err)
		}
	}
}

func TestClientKeyGroupsIPv6By64(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":               "192.0.2.7",
		"::ffff:192.0.2.7":        "192.0.2.7",
		"2001:db8:1:2:3:4:5:6":    "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1":    "2001:db8:1:2::/64",
		"not an address (opaque)": "not an address (opaque)",
	} {
		if got := clientKey(in); got != want {
			t.Errorf("clientKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInWords(t *testing.T) {
	for d, want := range map[string]string{"1h0m0s": "1 hour", "72h0m0s": "72 hours", "1h30m0s": "1h30m0s"} {
		dur, _ := parseDur(d)
		if got := inWords(dur); got != want {
			t.Errorf("inWords(%s) = %q, want %q", d, got, want)
		}
	}
}

func parseDur(s string) (time.Duration, error) { return time.ParseDuration(s) }

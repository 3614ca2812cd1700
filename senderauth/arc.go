package senderauth

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
)

// ARC (RFC 8617) chain validation. No maintained Go library validates ARC
// chains (go-msgauth has DKIM, DMARC and Authentication-Results; the ARC
// packages found were young single-author modules without users), so
// this is the algorithm of RFC 8617 §5.2 on the canonicalization of RFC
// 6376 §3.4 (canon.go):
//  1. collect the ARC sets; none: arc=none;
//  2. the sets must be numbered 1..N, one ARC-Seal, ARC-Message-Signature
//     and ARC-Authentication-Results each, N at most maxARCSets;
//  3. the newest seal's cv= must not be fail; cv= is none at i=1 and
//     pass above;
//  4. the newest ARC-Message-Signature verifies over the message as a
//     DKIM signature does (its own field with b= empty last);
//  5. every ARC-Seal, newest first, verifies over the ARC fields of sets
//     1..i in order AAR, AMS, AS, relaxed, its own b= empty.
// Any failure is arc=fail; a key lookup that fails temporarily is
// temperror.

// maxARCSets bounds the chain (RFC 8617 §4.2.1 allows 50; each set costs a
// DNS lookup and a signature check).
const maxARCSets = 10

type arcSet struct {
	aar, ams, seal *field
}

// checkARC validates the ARC chain of a mail (its header fields and body)
// and decides ARCTrusted.
func (c *Checker) checkARC(ctx context.Context, body []byte, fields []field, r *Results) {
	res, sealers, err := c.verifyARC(ctx, body, fields)
	r.ARC, r.ARCSealers = res, sealers
	if err != nil {
		c.opts.Log.Debug("arc", "result", res, "err", err)
	}
	if res == Pass && len(sealers) > 0 {
		newest := sealers[len(sealers)-1]
		r.ARCTrusted = slices.ContainsFunc(c.opts.ARCTrusted, func(d string) bool {
			return newest == d || strings.HasSuffix(newest, "."+d)
		})
	}
}

func (c *Checker) verifyARC(ctx context.Context, body []byte, fields []field) (string, []string, error) {
	sets := map[int]*arcSet{}
	n := 0
	for i := range fields {
		f := &fields[i]
		name := strings.ToLower(strings.TrimSpace(f.name))
		if name != "arc-seal" && name != "arc-message-signature" && name != "arc-authentication-results" {
			continue
		}
		inst, err := arcInstance(name, f.value())
		if err != nil {
			return Fail, nil, err
		}
		if inst < 1 || inst > maxARCSets {
			return Fail, nil, fmt.Errorf("ARC instance %d out of range 1..%d", inst, maxARCSets)
		}
		s := sets[inst]
		if s == nil {
			s = &arcSet{}
			sets[inst] = s
		}
		slot := map[string]**field{"arc-seal": &s.seal, "arc-message-signature": &s.ams, "arc-authentication-results": &s.aar}[name]
		if *slot != nil {
			return Fail, nil, fmt.Errorf("two %s fields for i=%d", f.name, inst)
		}
		*slot = f
		n = max(n, inst)
	}
	if len(sets) == 0 {
		return None, nil, nil
	}
	var sealers []string
	for i := 1; i <= n; i++ {
		s := sets[i]
		if s == nil || s.aar == nil || s.ams == nil || s.seal == nil {
			return Fail, nil, fmt.Errorf("ARC set %d incomplete", i)
		}
		t := parseTags(s.seal.value())
		cv := strings.ToLower(t["cv"])
		switch {
		case i == n && cv == "fail":
			return Fail, nil, errors.New("the newest ARC-Seal says cv=fail")
		case i == 1 && cv != "none", i > 1 && cv != "pass":
			return Fail, nil, fmt.Errorf("ARC-Seal i=%d has cv=%s", i, cv)
		}
		sealers = append(sealers, strings.ToLower(t["d"]))
	}
	// The newest message signature (§5.2 step 4).
	if err := c.verifyAMS(ctx, body, fields, sets[n].ams); err != nil {
		return resultOf(err), sealers, fmt.Errorf("ARC-Message-Signature i=%d: %w", n, err)
	}
	// Every seal, newest first (§5.2 step 6).
	for i := n; i >= 1; i-- {
		var data []byte
		for j := 1; j <= i; j++ {
			s := sets[j]
			data = append(data, canonHeader(s.aar.raw, true)...)
			data = append(data, canonHeader(s.ams.raw, true)...)
			if j < i {
				data = append(data, canonHeader(s.seal.raw, true)...)
			}
		}
		seal := canonHeader(withoutB(sets[i].seal.raw), true)
		data = append(data, seal[:len(seal)-2]...)
		if err := c.verifySig(ctx, parseTags(sets[i].seal.value()), data); err != nil {
			return resultOf(err), sealers, fmt.Errorf("ARC-Seal i=%d: %w", i, err)
		}
	}
	return Pass, sealers, nil
}

// arcInstance reads i= of an ARC field (the first tag of an AAR, which is
// otherwise an Authentication-Results value).
func arcInstance(name, v string) (int, error) {
	if name == "arc-authentication-results" {
		v, _, _ = strings.Cut(v, ";")
		v = strings.TrimSpace(v)
		num, ok := strings.CutPrefix(v, "i=")
		if !ok {
			return 0, errors.New("ARC-Authentication-Results without i=")
		}
		return strconv.Atoi(strings.TrimSpace(num))
	}
	t := parseTags(v)
	s, ok := t["i"]
	if !ok {
		return 0, fmt.Errorf("%s without i=", name)
	}
	return strconv.Atoi(s)
}

// verifyAMS checks an ARC-Message-Signature like a DKIM signature (RFC
// 6376 §6.1.3): body hash, then the signature over the listed fields.
func (c *Checker) verifyAMS(ctx context.Context, body []byte, fields []field, ams *field) error {
	t := parseTags(ams.value())
	for _, k := range []string{"a", "b", "bh", "d", "s", "h"} {
		if t[k] == "" {
			return permErr("missing tag " + k + "=")
		}
	}
	hc, bc, _ := strings.Cut(strings.ToLower(t["c"]), "/")
	if hc == "" {
		hc = "simple"
	}
	if bc == "" {
		bc = "simple"
	}
	cb := canonBody(body, bc == "relaxed")
	if l, ok := t["l"]; ok {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			return permErr("bad l=")
		}
		cb = cb[:min(n, len(cb))]
	}
	sum := sha256.Sum256(cb)
	if base64.StdEncoding.EncodeToString(sum[:]) != t["bh"] {
		return errors.New("body hash does not verify")
	}
	// Header fields named in h=, each time the last one not yet used
	// (bottom-up, §5.4.2); a name with no field left signs nothing.
	used := map[int]bool{}
	var data []byte
	for _, name := range strings.Split(t["h"], ":") {
		name = strings.TrimSpace(name)
		for i := len(fields) - 1; i >= 0; i-- {
			if !used[i] && strings.EqualFold(strings.TrimSpace(fields[i].name), name) {
				used[i] = true
				data = append(data, canonHeader(fields[i].raw, hc == "relaxed")...)
				break
			}
		}
	}
	self := canonHeader(withoutB(ams.raw), hc == "relaxed")
	data = append(data, strings.TrimRight(string(self), "\r\n")...)
	return c.verifySig(ctx, t, data)
}

// verifySig checks signature b= of tags over data with the key at
// s._domainkey.d: rsa-sha256 or ed25519-sha256 (RFC 8463).
func (c *Checker) verifySig(ctx context.Context, t map[string]string, data []byte) error {
	sig, err := base64.StdEncoding.DecodeString(t["b"])
	if err != nil {
		return permErr("bad b=")
	}
	if t["s"] == "" || t["d"] == "" {
		return permErr("missing s= or d=")
	}
	txts, err := c.dns.LookupTXT(ctx, t["s"]+"._domainkey."+t["d"])
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && !de.IsNotFound {
			return tempErr(err.Error())
		}
		return permErr("no key: " + err.Error())
	}
	if len(txts) != 1 {
		return permErr(fmt.Sprintf("%d key records", len(txts)))
	}
	kt := parseTags(txts[0])
	keyBytes, err := base64.StdEncoding.DecodeString(kt["p"])
	if err != nil || len(keyBytes) == 0 {
		return permErr("bad or revoked key")
	}
	sum := sha256.Sum256(data)
	switch strings.ToLower(t["a"]) {
	case "rsa-sha256":
		pub, err := x509.ParsePKIXPublicKey(keyBytes)
		if err != nil {
			pub, err = x509.ParsePKCS1PublicKey(keyBytes)
		}
		rk, ok := pub.(*rsa.PublicKey)
		if err != nil || !ok {
			return permErr("not an RSA key")
		}
		if rk.N.BitLen() < 1024 {
			return permErr("RSA key shorter than 1024 bits")
		}
		if err := rsa.VerifyPKCS1v15(rk, crypto.SHA256, sum[:], sig); err != nil {
			return errors.New("signature does not verify")
		}
	case "ed25519-sha256":
		if len(keyBytes) != ed25519.PublicKeySize {
			return permErr("bad Ed25519 key")
		}
		if !ed25519.Verify(ed25519.PublicKey(keyBytes), sum[:], sig) {
			return errors.New("signature does not verify")
		}
	default:
		return permErr("unsupported algorithm " + t["a"])
	}
	return nil
}

type tempErr string

func (e tempErr) Error() string { return string(e) }

type permErr string

func (e permErr) Error() string { return string(e) }

// resultOf maps a verification error to the arc= word: a DNS failure is
// temperror, anything else fail (RFC 8617 §5.2 has no permerror for
// chains: a chain that cannot be validated fails).
func resultOf(err error) string {
	var t tempErr
	if errors.As(err, &t) {
		return TempError
	}
	return Fail
}

package webapi_test

import (
	"slices"
	"testing"

	"github.com/deskgate/deskgate/bridge"
)

// mintToken issues a token for user id with bearer and returns it.
func (e *env) mintToken(id uint64, bearer string) string {
	e.t.Helper()
	var tok struct{ Token string }
	e.must(201, "POST", pathf("/api/v1/users/%d/tokens", id), bearer, nil).decode(e.t, &tok)
	return tok.Token
}

// tokenMinted lists user id's token ids and how each was minted.
func (e *env) tokenMinted(id uint64) map[string]string {
	e.t.Helper()
	var ts []struct{ ID, Minted string }
	e.must(200, "GET", pathf("/api/v1/users/%d/tokens", id), adminToken, nil).decode(e.t, &ts)
	out := map[string]string{}
	for _, t := range ts {
		out[t.ID] = t.Minted
	}
	return out
}

// A password reset ends every session of the user and every API token
// minted from one, also through another such token (a stolen session
// cannot launder a token); the token an admin issued stays and the
// confirmation lists it (issue 20).
func TestPasswordResetEndsSessionMintedTokens(t *testing.T) {
	e := newEnv(t)
	f := e.fixture() // f.agentTok: issued by the admin
	e.must(204, "POST", "/api/v1/auth/password-reset/confirm", "", map[string]string{"token": e.lastLink(bridge.TemplateWelcome, "agent@support.test"), "password": "first password"})
	stolen := e.login("agent@support.test", "first password")
	fromSession := e.mintToken(f.agentID, stolen)
	laundered := e.mintToken(f.agentID, fromSession)
	fromAdminTok := e.mintToken(f.agentID, f.agentTok)
	if m := e.tokenMinted(f.agentID); len(m) != 4 || !slices.Contains(mapValues(m), "session") || !slices.Contains(mapValues(m), "admin") || !slices.Contains(mapValues(m), "token") {
		t.Fatalf("tokens minted %v", m)
	}

	e.must(202, "POST", "/api/v1/auth/password-reset", "", map[string]string{"email": "agent@support.test"})
	var conf struct {
		SessionsEnded int      `json:"sessions_ended"`
		TokensRevoked []string `json:"tokens_revoked"`
		TokensKept    []struct {
			ID, Minted string
		} `json:"tokens_kept"`
	}
	e.must(200, "POST", "/api/v1/auth/password-reset/confirm?details=true", "", map[string]string{"token": e.lastLink(bridge.TemplatePasswordReset, "agent@support.test"), "password": "second password"}).decode(t, &conf)
	for _, tok := range []string{stolen, fromSession, laundered} {
		e.must(401, "GET", "/api/v1/me", tok, nil)
	}
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil)
	e.must(200, "GET", "/api/v1/me", fromAdminTok, nil)
	if conf.SessionsEnded != 1 || len(conf.TokensRevoked) != 2 || len(conf.TokensKept) != 2 {
		t.Fatalf("confirmation %+v", conf)
	}
	for _, k := range conf.TokensKept {
		if k.Minted != "admin" && k.Minted != "token" {
			t.Errorf("kept token %+v", k)
		}
	}
}

// PUT /me/password ends the other sessions and the session-minted tokens,
// but not the caller's own session.
func TestPasswordChangeEndsSessionMintedTokens(t *testing.T) {
	e := newEnv(t)
	f := e.fixture()
	e.must(204, "PUT", "/api/v1/me/password", f.agentTok, map[string]string{"password": "first password"})
	s1 := e.login("agent@support.test", "first password")
	s2 := e.login("agent@support.test", "first password")
	fromS2 := e.mintToken(f.agentID, s2)
	fromS1 := e.mintToken(f.agentID, s1)
	e.must(204, "PUT", "/api/v1/me/password", s1, map[string]string{"current_password": "first password", "password": "second password"})
	e.must(200, "GET", "/api/v1/me", s1, nil)
	e.must(401, "GET", "/api/v1/me", s2, nil)
	e.must(401, "GET", "/api/v1/me", fromS2, nil)
	e.must(401, "GET", "/api/v1/me", fromS1, nil)
	e.must(200, "GET", "/api/v1/me", f.agentTok, nil)
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

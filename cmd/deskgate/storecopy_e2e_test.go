package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/pgstore/pgtest"
	"github.com/deskgate/deskgate/store/storetest"
)

// storeCopyCmd runs `deskgate store copy --to to` on the store env selects.
func storeCopyCmd(t *testing.T, to string, env ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(deskgateBinary(t), "store", "copy", "--to", to)
	cmd.Env = append(append(os.Environ(), "DESKGATE_DOMAINS=support.test"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String() + errOut.String(), err
}

// A populated bbolt installation (conversations, messages from the API and
// by mail, an email queued and deferred, a pending timer, keys) copied to
// PostgreSQL and back to bbolt is the same installation, and serves.
func TestStoreCopyRoundTrip(t *testing.T) {
	url := pgtest.NewSchema(t)
	dir := t.TempDir()
	// A smarthost that refuses connections: emails stay queued (deferred).
	p := startServe(t, dir, "DESKGATE_DATABASE_URL=", "DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST=127.0.0.1:1")
	if err := sendMail(p.smtp, "carol@customer.example", "first@customer.example", "Printer"); err != nil {
		t.Fatal(err)
	}
	_, convs := p.apiList("GET", "/api/v1/conversations", "e2e-admin")
	if len(convs) != 1 {
		t.Fatalf("conversations %v", convs)
	}
	if st, r := p.api("POST", fmt.Sprintf("/api/v1/conversations/%v/messages", convs[0]["id"]), "e2e-admin", map[string]string{"body": "On it."}); st != 201 {
		t.Fatalf("post: %d %v", st, r)
	}
	// Wait for carol's email to be queued and deferred, then start a timer
	// that is still pending when deskgate stops.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.logs.String(), "outbound attempt") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := sendMail(p.smtp, "carol@customer.example", "second@customer.example", "Re: Printer"); err != nil {
		t.Fatal(err)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	bolt1 := func() []store.Record {
		st, err := boltstore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		return storetest.ExportAll(t, st)
	}
	before := bolt1()
	kinds := map[string]int{}
	for _, r := range before {
		kinds[r.Kind]++
	}
	for _, k := range []string{store.RecOutbound, store.RecTimer, store.RecMessage, store.RecMailLog, store.RecToken} {
		if kinds[k] == 0 {
			t.Fatalf("the installation has no %s to copy: %v", k, kinds)
		}
	}

	out, err := storeCopyCmd(t, url, "DESKGATE_DATA_DIR="+dir, "DESKGATE_DATABASE_URL=")
	if err != nil {
		t.Fatalf("copy to PostgreSQL: %v\n%s", err, out)
	}
	if !strings.Contains(out, "timer") || !strings.Contains(out, "secret         3") {
		t.Fatalf("copy output:\n%s", out)
	}
	// A second copy into the now non-empty target is refused.
	if out, err := storeCopyCmd(t, url, "DESKGATE_DATA_DIR="+dir, "DESKGATE_DATABASE_URL="); err == nil || !strings.Contains(out, "not empty") {
		t.Fatalf("copy into a non-empty target: %v\n%s", err, out)
	}
	// And back into a new bbolt directory.
	dir2 := filepath.Join(t.TempDir(), "data")
	if out, err := storeCopyCmd(t, dir2, "DESKGATE_DATA_DIR="+t.TempDir(), "DESKGATE_DATABASE_URL="+url); err != nil {
		t.Fatalf("copy back to bbolt: %v\n%s", err, out)
	}
	st2, err := boltstore.Open(dir2)
	if err != nil {
		t.Fatal(err)
	}
	after := storetest.ExportAll(t, st2)
	st2.Close()
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("bbolt -> PostgreSQL -> bbolt changed the installation: %d records, then %d", len(before), len(after))
	}
	for _, f := range secretNames {
		a, err1 := os.ReadFile(filepath.Join(dir, f))
		b, err2 := os.ReadFile(filepath.Join(dir2, f))
		if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
			t.Fatalf("secret %s not carried over: %v %v", f, err1, err2)
		}
	}
	// The copy serves: the pending timer fires and its email is queued.
	p2 := startServe(t, dir2, "DESKGATE_DATABASE_URL=", "DESKGATE_UNSEEN_DELAY=1s", "DESKGATE_SMARTHOST=127.0.0.1:1", "DESKGATE_BOOTSTRAP_TOKEN=")
	if _, convs2 := p2.apiList("GET", "/api/v1/conversations", "e2e-admin"); len(convs2) != kinds[store.RecConversation] {
		t.Fatalf("conversations after the round trip: %v", convs2)
	}
	// The timer's email is attempted (the copied deferred one is not due).
	deadline = time.Now().Add(30 * time.Second)
	for !strings.Contains(p2.logs.String(), "outbound attempt") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if err := p2.stop(); err != nil {
		t.Fatal(err)
	}
	st3, err := boltstore.Open(dir2)
	if err != nil {
		t.Fatal(err)
	}
	defer st3.Close()
	_ = st3.View(context.Background(), func(tx store.Tx) error {
		if n, err := tx.TimerCount(); err != nil || n != 0 {
			t.Errorf("the copied timer did not fire: %d left (%v)", n, err)
		}
		return nil
	})
}

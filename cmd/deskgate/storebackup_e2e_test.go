package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/store/boltstore"
	"github.com/deskgate/deskgate/store/storetest"
)

// `deskgate store backup FILE` writes a consistent copy of the bbolt
// store while serve runs (through the control socket), and with no
// server running (opening the store itself); the copy opens as a store
// with what was written.
func TestStoreBackupWhileServing(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("bbolt only: PostgreSQL is backed up with pg_dump")
	}
	dir := t.TempDir()
	p := startServe(t, dir)
	if st, _ := p.api("POST", "/api/v1/projects", "e2e-admin", map[string]string{"name": "Backed up"}); st != 201 {
		t.Fatalf("create project: %d", st)
	}
	backup := func(file string) string {
		t.Helper()
		cmd := exec.Command(deskgateBinary(t), "store", "backup", file)
		cmd.Env = append(os.Environ(), "DESKGATE_DATA_DIR="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("store backup: %v\n%s", err, out)
		}
		return string(out)
	}
	live := filepath.Join(t.TempDir(), "live.db")
	out := backup(live)
	if !strings.Contains(out, "from the running server") {
		t.Fatalf("store backup while serving: %s", out)
	}
	if st, _ := p.api("GET", "/api/v1/me", "e2e-admin", nil); st != 200 {
		t.Fatalf("the server after the backup: %d", st)
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	offline := filepath.Join(t.TempDir(), "offline.db")
	if out := backup(offline); !strings.Contains(out, "no server running") {
		t.Fatalf("store backup without a server: %s", out)
	}
	// Each copy is a store holding the admin.
	for _, f := range []string{live, offline} {
		restored := t.TempDir()
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(restored, boltstore.FileName), b, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := boltstore.Open(restored)
		if err != nil {
			t.Fatalf("the backup does not open: %v", err)
		}
		var has bool
		err = st.View(t.Context(), func(tx store.Tx) error { var err error; has, err = tx.HasAdmin(); return err })
		st.Close()
		if err != nil || !has {
			t.Fatalf("the backup lacks the admin: %v", err)
		}
	}
}

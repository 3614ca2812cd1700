package boltstore

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// A damaged store file is refused before bbolt maps it, with an error that
// names the file and what to do (before: a file cut to half its size made
// bbolt die with SIGSEGV, and a zero-length file became an empty store).
func TestOpenRefusesDamagedFile(t *testing.T) {
	src := t.TempDir()
	st, err := Open(src)
	if err != nil {
		t.Fatal(err)
	}
	raw := bytes.Repeat([]byte("x"), 8000)
	for i := 0; i < 200; i++ {
		if err := st.update(func(tx *Tx) error {
			return tx.AddMailLog(&store.MailLogEntry{Direction: store.DirInbound, At: time.Now(), Status: "created"}, raw)
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(filepath.Join(src, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(good) < 64*4096 {
		t.Fatalf("test store only %d bytes", len(good))
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "the file is empty (0 bytes)"},
		{"half", good[:len(good)/2], "it was cut short"},
		{"odd size", good[:len(good)-100], "not a whole number of"},
		{"not bbolt", bytes.Repeat([]byte("hello"), 4096), "not a bbolt database"},
	}
	for _, tc := range cases {
		dir := t.TempDir()
		path := filepath.Join(dir, FileName)
		if err := os.WriteFile(path, tc.data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Open(dir)
		if err == nil {
			st.Close()
			t.Fatalf("%s: opened", tc.name)
		}
		msg := err.Error()
		if !strings.Contains(msg, path) || !strings.Contains(msg, tc.want) || !strings.Contains(msg, "restore the file from a backup") {
			t.Fatalf("%s: %v", tc.name, err)
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, tc.data) {
			t.Fatalf("%s: the file was changed", tc.name)
		}
	}
	// The intact file still opens, with its data.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), good, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err = Open(dir)
	if err != nil {
		t.Fatalf("intact copy: %v", err)
	}
	defer st.Close()
	_ = st.view(func(tx *Tx) error {
		es, err := tx.ListMailLog(store.MailLogQuery{Limit: 500})
		if err != nil || len(es) != 200 {
			t.Fatalf("intact copy: %d entries, %v", len(es), err)
		}
		return nil
	})
}

package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testMailboxes: create, read, overwrite and delete IMAP mailboxes; every
// field survives a reopen; a deleted mailbox can be neither read nor put.
func testMailboxes(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	m := store.Mailbox{Host: "imap.example.com", Port: 993, TLS: store.MailboxTLSImplicit, Username: "help",
		Password: "s3cret", Folder: "INBOX", After: "move:Done", PollInterval: 90 * time.Second, ImportSince: since}
	m2 := store.Mailbox{Host: "127.0.0.1", Port: 143, TLS: store.MailboxTLSNone, Folder: "INBOX", After: "seen"}
	if err := update(s, func(tx store.Tx) error {
		if err := tx.CreateMailbox(&m); err != nil {
			return err
		}
		return tx.CreateMailbox(&m2)
	}); err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m2.ID <= m.ID {
		t.Fatalf("ids %d, %d: want growing non-zero ids", m.ID, m2.ID)
	}
	lease := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := update(s, func(tx store.Tx) error {
		got, err := tx.Mailbox(m.ID)
		if err != nil {
			return err
		}
		got.Started, got.UIDValidity, got.LastUID, got.AfterUID, got.BacklogUID = true, 1700000000, 42, 41, 40
		got.State, got.LastError, got.LeaseNode, got.LeaseUntil = store.MailboxError, "login failed", "node-a", lease
		return tx.PutMailbox(got)
	}); err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		got := must(tx.Mailbox(m.ID))
		if got.Password != "s3cret" || got.PollInterval != 90*time.Second || !got.ImportSince.Equal(since) ||
			got.After != "move:Done" || !got.Started || got.UIDValidity != 1700000000 || got.LastUID != 42 || got.AfterUID != 41 || got.BacklogUID != 40 ||
			got.State != store.MailboxError || got.LeaseNode != "node-a" || !got.LeaseUntil.Equal(lease) {
			t.Fatalf("after reopen: %+v", got)
		}
		all := must(tx.Mailboxes())
		if len(all) != 2 || all[0].ID != m.ID || all[1].ID != m2.ID {
			t.Fatalf("Mailboxes = %+v", all)
		}
		return nil
	})
	if err := update(s, func(tx store.Tx) error { return tx.DeleteMailbox(m.ID) }); err != nil {
		t.Fatal(err)
	}
	err := update(s, func(tx store.Tx) error { return tx.DeleteMailbox(m.ID) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v, want not found", err)
	}
	err = update(s, func(tx store.Tx) error { return tx.PutMailbox(&m) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("put of a deleted mailbox: %v, want not found", err)
	}
	_ = view(s, func(tx store.Tx) error {
		if _, err := tx.Mailbox(m.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted mailbox read: %v", err)
		}
		if all := must(tx.Mailboxes()); len(all) != 1 || all[0].ID != m2.ID {
			t.Fatalf("Mailboxes after delete = %+v", all)
		}
		return nil
	})
}

// testMailboxCheckpointNoLostUpdate: concurrent read-modify-write
// transactions on one mailbox (the checkpoint a fetch advances, the status
// and lease the worker writes) lose no update.
func testMailboxCheckpointNoLostUpdate(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	m := store.Mailbox{Host: "h", Folder: "INBOX"}
	if err := update(s, func(tx store.Tx) error { return tx.CreateMailbox(&m) }); err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if err := update(s, func(tx store.Tx) error {
					got, err := tx.Mailbox(m.ID)
					if err != nil {
						return err
					}
					got.LastUID++
					return tx.PutMailbox(got)
				}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if got := must(tx.Mailbox(m.ID)); got.LastUID != writers*each {
			t.Fatalf("LastUID = %d after %d increments: updates were lost", got.LastUID, writers*each)
		}
		return nil
	})
}

package boltstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/deskgate/deskgate/store"
)

// runGroup commits fns as one group and returns each caller's answer.
func runGroup(s *Store, fns ...func(store.Tx) error) []error {
	group := make([]*commitReq, len(fns))
	for i, fn := range fns {
		group[i] = &commitReq{fn: fn, done: make(chan error, 1)}
	}
	s.writes.commit(group)
	out := make([]error, len(fns))
	for i, r := range group {
		out[i] = <-r.done
	}
	return out
}

// A function that refuses before writing (a 404, a 422) is answered alone:
// the others of its group commit once, without a re-run.
func TestGroupCommitRefusalDoesNotRerunTheGroup(t *testing.T) {
	s, _ := openTemp(t)
	runs := make([]int, 3)
	create := func(i int) func(store.Tx) error {
		return func(tx store.Tx) error {
			runs[i]++
			return tx.CreateCustomer(&store.Customer{Email: fmt.Sprintf("c%d@example.com", i)})
		}
	}
	refuse := func(tx store.Tx) error {
		runs[1]++
		if _, err := tx.Conversation(99); err != nil {
			return err // before any write
		}
		return errors.New("unreachable")
	}
	errs := runGroup(s, create(0), refuse, create(2))
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], store.ErrNotFound) {
		t.Fatalf("answers %v, want nil, not found, nil", errs)
	}
	if runs[0] != 1 || runs[1] != 1 || runs[2] != 1 {
		t.Fatalf("runs %v, want each once", runs)
	}
	err := s.View(context.Background(), func(tx store.Tx) error {
		for _, i := range []int{0, 2} {
			if _, err := tx.CustomerByEmail(fmt.Sprintf("c%d@example.com", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A function that fails after writing spoils the shared transaction: the
// group is rolled back and each function retried alone, so its half-write
// is not committed and the others still are.
func TestGroupCommitFailureAfterWriteRetriesAlone(t *testing.T) {
	s, _ := openTemp(t)
	runs := make([]int, 2)
	good := func(tx store.Tx) error {
		runs[0]++
		return tx.CreateCustomer(&store.Customer{Email: "good@example.com"})
	}
	bad := func(tx store.Tx) error {
		runs[1]++
		if err := tx.CreateCustomer(&store.Customer{Email: "half@example.com"}); err != nil {
			return err
		}
		return errors.New("failed half-way")
	}
	errs := runGroup(s, good, bad)
	if errs[0] != nil || errs[1] == nil {
		t.Fatalf("answers %v", errs)
	}
	if runs[0] != 2 || runs[1] != 2 {
		t.Fatalf("runs %v, want each twice (group, then alone)", runs)
	}
	_ = s.View(context.Background(), func(tx store.Tx) error {
		if _, err := tx.CustomerByEmail("good@example.com"); err != nil {
			t.Errorf("good write lost: %v", err)
		}
		if _, err := tx.CustomerByEmail("half@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("half-write committed: %v", err)
		}
		return nil
	})
}

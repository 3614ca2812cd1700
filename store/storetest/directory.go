package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// testDirectoryEdits: PutUser, PutCustomer and PutTeam re-index the unique
// field (the old one is free again, another's is a conflict), DeleteTeam
// frees the name, and Customers and Items list by id.
func testDirectoryEdits(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	var u1, u2 store.User
	var c1, c2 store.Customer
	var tm store.Team
	var it1, it2 store.Item
	err := update(s, func(tx store.Tx) error {
		u1 = store.User{Email: "a@x.test", Name: "A", Role: store.RoleAgent}
		u2 = store.User{Email: "b@x.test", Name: "B", Role: store.RoleAgent}
		c1 = store.Customer{Email: "c@x.test", Name: "C"}
		c2 = store.Customer{Email: "d@x.test", Name: "D"}
		tm = store.Team{Name: "Ops", UserIDs: []uint64{}}
		for _, err := range []error{tx.CreateUser(&u1), tx.CreateUser(&u2), tx.CreateCustomer(&c1), tx.CreateCustomer(&c2), tx.CreateTeam(&tm)} {
			if err != nil {
				return err
			}
		}
		p := &store.Project{Name: "P"}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it1 = store.Item{ProjectID: p.ID, Title: "one"}
		it2 = store.Item{ProjectID: p.ID, Title: "two"}
		if err := tx.CreateItem(&it1); err != nil {
			return err
		}
		return tx.CreateItem(&it2)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := update(s, func(tx store.Tx) error {
		x := u1
		x.Email = "B@x.test"
		return tx.PutUser(&x)
	}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("PutUser onto another's email: %v", err)
	}
	if err := update(s, func(tx store.Tx) error { x := c1; x.Email = "d@x.test"; return tx.PutCustomer(&x) }); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("PutCustomer onto another's email: %v", err)
	}
	if err := update(s, func(tx store.Tx) error {
		return tx.PutUser(&store.User{ID: 999, Email: "z@x.test", Role: store.RoleAgent})
	}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PutUser of no user: %v", err)
	}
	retired := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	err = update(s, func(tx store.Tx) error {
		u1.Email, u1.Name, u1.Role, u1.RetiredAt = "A2@x.test", "A Two", store.RoleAdmin, retired
		if err := tx.PutUser(&u1); err != nil {
			return err
		}
		c1.Email, c1.Name = "c2@x.test", "C Two"
		if err := tx.PutCustomer(&c1); err != nil {
			return err
		}
		tm.Name, tm.UserIDs = "Operations", []uint64{u2.ID}
		return tx.PutTeam(&tm)
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		if u, err := tx.UserByEmail("a2@x.test"); err != nil || u.ID != u1.ID || u.Name != "A Two" || u.Role != store.RoleAdmin || !u.RetiredAt.Equal(retired) {
			t.Fatalf("user by new email: %+v %v", u, err)
		}
		if _, err := tx.UserByEmail("a@x.test"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old email still finds the user: %v", err)
		}
		if has := must(tx.HasAdmin()); !has {
			t.Fatal("a user made admin by PutUser is not seen by HasAdmin")
		}
		if c, err := tx.CustomerByEmail("C2@x.test"); err != nil || c.ID != c1.ID || c.Name != "C Two" {
			t.Fatalf("customer by new email: %+v %v", c, err)
		}
		cs := must(tx.Customers())
		if len(cs) != 2 || cs[0].ID != c1.ID || cs[1].ID != c2.ID {
			t.Fatalf("customers: %+v", cs)
		}
		its := must(tx.Items())
		if len(its) != 2 || its[0].Title != "one" || its[1].Title != "two" {
			t.Fatalf("items: %+v", its)
		}
		if got := must(tx.Team(tm.ID)); got.Name != "Operations" || len(got.UserIDs) != 1 {
			t.Fatalf("team: %+v", got)
		}
		return nil
	})
	// The old email and the old team name are free again; a deleted team's name too.
	err = update(s, func(tx store.Tx) error {
		if err := tx.CreateUser(&store.User{Email: "a@x.test", Role: store.RoleAgent}); err != nil {
			return err
		}
		if err := tx.CreateTeam(&store.Team{Name: "ops", UserIDs: []uint64{}}); err != nil {
			return err
		}
		return tx.DeleteTeam(tm.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := update(s, func(tx store.Tx) error { return tx.DeleteTeam(tm.ID) }); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting a deleted team: %v", err)
	}
	err = update(s, func(tx store.Tx) error {
		if _, err := tx.Team(tm.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted team still read: %v", err)
		}
		return tx.CreateTeam(&store.Team{Name: "OPERATIONS", UserIDs: []uint64{}})
	})
	if err != nil {
		t.Fatalf("a deleted team's name is not free: %v", err)
	}
}

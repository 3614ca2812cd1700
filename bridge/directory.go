package bridge

import (
	"context"
	"errors"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// Reading what the API can write (SPEC §14): projects, items, customers,
// users and teams, each only where the caller may see it (not-found
// otherwise, as everywhere).

// Project returns project id if c may see it.
func (s *Directory) Project(ctx context.Context, c Caller, id uint64) (*store.Project, error) {
	var p *store.Project
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; p, err = viewProject(tx, c, id); return err })
	return p, storeErr(err, "project")
}

// Projects returns the projects c may see, by id.
func (s *Directory) Projects(ctx context.Context, c Caller) ([]store.Project, error) {
	out := []store.Project{}
	if !c.IsStaff() {
		return out, nil
	}
	err := s.st.View(ctx, func(tx store.Tx) error {
		ps, err := tx.Projects()
		if err != nil {
			return err
		}
		for i := range ps {
			if ok, err := userMayViewProject(tx, c, &ps[i]); err != nil {
				return err
			} else if ok {
				out = append(out, ps[i])
			}
		}
		return nil
	})
	return out, storeErr(err, "projects")
}

// Item returns item id if c may see it.
func (s *Directory) Item(ctx context.Context, c Caller, id uint64) (*store.Item, error) {
	var it *store.Item
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; it, err = viewItem(tx, c, id); return err })
	return it, storeErr(err, "item")
}

// ItemFilter narrows GET /items.
type ItemFilter struct {
	ProjectID uint64 // 0: every project
	Status    string // "": any status
}

// Items returns the items c may see that match f, by id.
func (s *Directory) Items(ctx context.Context, c Caller, f ItemFilter) ([]store.Item, error) {
	out := []store.Item{}
	if !c.IsStaff() {
		return out, nil
	}
	err := s.st.View(ctx, func(tx store.Tx) error {
		its, err := tx.Items()
		if err != nil {
			return err
		}
		seen := map[uint64]bool{} // project id → visible
		for _, it := range its {
			if it.Status == "" {
				it.Status = store.ItemOpen
			}
			if (f.ProjectID != 0 && it.ProjectID != f.ProjectID) || (f.Status != "" && it.Status != f.Status) {
				continue
			}
			ok, known := seen[it.ProjectID]
			if !known {
				_, err := viewProject(tx, c, it.ProjectID)
				ok = err == nil
				seen[it.ProjectID] = ok
			}
			if ok {
				out = append(out, it)
			}
		}
		return nil
	})
	return out, storeErr(err, "items")
}

// Customer returns customer id: staff see every customer, a customer
// only itself.
func (s *Directory) Customer(ctx context.Context, c Caller, id uint64) (*store.Customer, error) {
	if !c.IsStaff() && !(c.IsCustomer() && c.ID == id) {
		return nil, notFound("customer", id)
	}
	var cu *store.Customer
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; cu, err = tx.Customer(id); return err })
	return cu, storeErr(err, "customer")
}

// CustomerFilter narrows GET /customers.
type CustomerFilter struct {
	Email string // exact address (any case)
	Q     string // a part of the address or the name, any case
}

// Customers returns the customers matching f, by id (staff only).
func (s *Directory) Customers(ctx context.Context, c Caller, f CustomerFilter) ([]store.Customer, error) {
	if !c.IsStaff() {
		return nil, forbiddenOrNotFound(c, "only staff may list customers")
	}
	email, q := store.NormalizeEmail(f.Email), strings.ToLower(strings.TrimSpace(f.Q))
	out := []store.Customer{}
	err := s.st.View(ctx, func(tx store.Tx) error {
		if email != "" {
			cu, err := tx.CustomerByEmail(email)
			if err == nil && matchesQ(cu, q) {
				out = append(out, *cu)
			}
			return ignoreNotFound(err)
		}
		cs, err := tx.Customers()
		for i := range cs {
			if matchesQ(&cs[i], q) {
				out = append(out, cs[i])
			}
		}
		return err
	})
	return out, storeErr(err, "customers")
}

func matchesQ(cu *store.Customer, q string) bool {
	return q == "" || strings.Contains(cu.Email, q) || strings.Contains(strings.ToLower(cu.Name), q)
}

// User returns user id: staff see every user (authors, assignees), a
// customer none.
func (s *Directory) User(ctx context.Context, c Caller, id uint64) (*store.User, error) {
	if !c.IsStaff() {
		return nil, notFound("user", id)
	}
	var u *store.User
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; u, err = tx.User(id); return err })
	return u, storeErr(err, "user")
}

// Team returns team id (staff only).
func (s *Directory) Team(ctx context.Context, c Caller, id uint64) (*store.Team, error) {
	if !c.IsStaff() {
		return nil, notFound("team", id)
	}
	var tm *store.Team
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; tm, err = tx.Team(id); return err })
	return tm, storeErr(err, "team")
}

// ignoreNotFound is nil for the store's ErrNotFound.
func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

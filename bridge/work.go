package bridge

import (
	"context"
	"slices"
	"strings"

	"github.com/deskgate/deskgate/store"
)

// CreateProject adds a project. Only an admin may.
func (s *Directory) CreateProject(ctx context.Context, c Caller, name string) (*store.Project, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only an admin may create projects")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, errorf(KindInvalid, "name: required")
	}
	p := &store.Project{Name: name, Followers: []uint64{}, CreatedAt: s.clock.Now()}
	return p, storeErr(s.st.Update(ctx, func(tx store.Tx) error { return tx.CreateProject(p) }), "project")
}

// forbiddenOrNotFound: staff learn they lack the right, customers get 404.
func forbiddenOrNotFound(c Caller, msg string) *Error {
	if c.IsStaff() {
		return errorf(KindForbidden, "%s", msg)
	}
	return errorf(KindNotFound, "not found")
}

// mayActForUser: an admin may add anyone as follower, an agent only itself.
func mayActForUser(c Caller, user uint64) error {
	if c.IsAdmin() || (c.IsStaff() && c.ID == user) {
		return nil
	}
	return forbiddenOrNotFound(c, "only an admin may add another user")
}

// AddProjectFollower makes user follow project id. The project's
// followers get new_member (SPEC §10).
func (s *Directory) AddProjectFollower(ctx context.Context, c Caller, id, user uint64) error {
	if err := mayActForUser(c, user); err != nil {
		return err
	}
	return s.updateAndKick(ctx, "project", func(tx store.Tx) (bool, error) {
		p, err := viewProject(tx, c, id)
		if err != nil {
			return false, err
		}
		if err := requireUsers(tx, "user_id", user); err != nil {
			return false, err
		}
		u, err := tx.User(user)
		if err != nil {
			return false, err
		}
		return s.joinProjectTx(tx, c, p, joiner{user: u})
	})
}

// CreateItem adds an item to a project the caller may see.
func (s *Directory) CreateItem(ctx context.Context, c Caller, project uint64, title string) (*store.Item, error) {
	title = strings.TrimSpace(title)
	if !c.IsStaff() {
		return nil, forbiddenOrNotFound(c, "only staff may create items")
	}
	if project == 0 {
		return nil, errorf(KindInvalid, "project_id: required")
	}
	if title == "" {
		return nil, errorf(KindInvalid, "title: required")
	}
	it := &store.Item{ProjectID: project, Title: title, Status: store.ItemOpen, Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: s.clock.Now()}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		if _, err := viewProject(tx, c, project); err != nil {
			return errorf(KindInvalid, "project_id: no project %d", project)
		}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		return s.msgs.queueEvent(tx, Event{Name: EventItemCreated, ItemID: it.ID})
	})
	if err != nil {
		return nil, storeErr(err, "item")
	}
	s.msgs.kickAutomations()
	return it, nil
}

// AddItemFollower makes user follow item id.
func (s *Directory) AddItemFollower(ctx context.Context, c Caller, id, user uint64) error {
	if err := mayActForUser(c, user); err != nil {
		return err
	}
	return storeErr(s.st.Update(ctx, func(tx store.Tx) error {
		it, err := viewItem(tx, c, id)
		if err != nil {
			return err
		}
		if err := requireUsers(tx, "user_id", user); err != nil {
			return err
		}
		var added bool
		if it.Followers, added = store.AddUnique(it.Followers, user); !added {
			return nil
		}
		return tx.PutItem(it)
	}), "item")
}

// SetAssignees replaces the assignees of item id. Staff who may see it
// may. Users added or removed get assignment_changed (SPEC §10).
func (s *Directory) SetAssignees(ctx context.Context, c Caller, id uint64, users []uint64) (*store.Item, error) {
	var it *store.Item
	var changed bool
	err := s.updateAndKick(ctx, "item", func(tx store.Tx) (bool, error) {
		var err error
		if it, err = viewItem(tx, c, id); err != nil {
			return false, err
		}
		if err := requireUsers(tx, "user_ids", users...); err != nil {
			return false, err
		}
		before := it.Assignees
		it.Assignees = []uint64{}
		for _, u := range users {
			it.Assignees, _ = store.AddUnique(it.Assignees, u)
		}
		it.Status = itemStatus(it)
		changed = !sameSet(before, it.Assignees)
		if err := tx.PutItem(it); err != nil {
			return false, err
		}
		if changed {
			if err := s.msgs.queueEvent(tx, Event{Name: EventItemAssigneesChanged, ItemID: it.ID}); err != nil {
				return false, err
			}
		}
		return s.assignmentEmailsTx(tx, c, it, before)
	})
	if err != nil {
		return nil, err
	}
	if changed {
		s.msgs.kickAutomations()
	}
	return it, nil
}

// sameSet reports whether a and b hold the same ids.
func sameSet(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

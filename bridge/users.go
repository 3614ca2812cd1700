package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// Users lists the staff users, oldest first (admins only: the console's
// Users page, SPEC §13).
func (s *Directory) Users(ctx context.Context, c Caller) ([]store.User, error) {
	if !c.IsAdmin() {
		return nil, forbiddenOrNotFound(c, "only admins may list users")
	}
	var out []store.User
	err := s.st.View(ctx, func(tx store.Tx) error { var err error; out, err = tx.Users(); return err })
	if out == nil {
		out = []store.User{}
	}
	return out, storeErr(err, "users")
}

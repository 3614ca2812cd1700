package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// Identity is who an API token belongs to (GET /me): the principal and the
// name and address a UI shows for it, so a helpdesk UI or chat widget can
// greet its user without a lookup it may not be allowed to make.
type Identity struct {
	Type  string `json:"type"`           // store.KindUser or store.KindCustomer
	ID    uint64 `json:"id"`             //
	Role  string `json:"role,omitempty"` // users only: admin or agent
	Email string `json:"email"`
	Name  string `json:"name"`
	// SupportAddress is where customers write (support@ the first
	// domain), for staff: the console's empty states name it.
	SupportAddress string `json:"support_address,omitempty"`
}

// Me returns the caller's identity.
func (s *Accounts) Me(ctx context.Context, c Caller) (Identity, error) {
	id := Identity{Type: c.Kind, ID: c.ID, Role: c.Role}
	err := s.st.View(ctx, func(tx store.Tx) error {
		if c.IsCustomer() {
			cu, err := tx.Customer(c.ID)
			if err != nil {
				return err
			}
			id.Role, id.Email, id.Name = "", cu.Email, cu.Name
			return nil
		}
		u, err := tx.User(c.ID)
		if err != nil {
			return err
		}
		id.Email, id.Name = u.Email, u.Name
		if len(s.cfg.Domains) > 0 {
			id.SupportAddress = LocalSupport + "@" + s.cfg.Domains[0]
		}
		return nil
	})
	return id, storeErr(err, "caller")
}

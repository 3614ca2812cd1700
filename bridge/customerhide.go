package bridge

import (
	"errors"

	"github.com/deskgate/deskgate/store"
)

// A user whose show_from_customers is off does not have customers'
// conversations in their lists (every tab of GET /conversations, the
// notification list, the event replay) nor in their unseen counts
// (SPEC §4). They still open one by its id if they may view it: the
// setting hides, it does not forbid.

// customerFilter decides, for one caller, which conversations their
// lists leave out. The zero value (and a customer's) leaves out nothing.
type customerFilter struct {
	tx    workPeopleTx
	on    bool
	kinds map[uint64]bool // conversation id → external
}

// newCustomerFilter reads staff caller c's show_from_customers.
func newCustomerFilter(tx workPeopleTx, c Caller) (customerFilter, error) {
	if !c.IsStaff() {
		return customerFilter{}, nil
	}
	set, err := tx.Settings(c.ID)
	if err != nil {
		return customerFilter{}, err
	}
	return customerFilter{tx: tx, on: !set.ShowFromCustomers, kinds: map[uint64]bool{}}, nil
}

// hides reports whether conversation conv (of kind kind) is left out.
func (f customerFilter) hides(kind string) bool {
	return f.on && kind == store.KindExternal
}

// hidesID is hides for a conversation known by id; a conversation that
// no longer exists is not hidden (there is nothing to hide).
func (f customerFilter) hidesID(id uint64) (bool, error) {
	if !f.on {
		return false, nil
	}
	ext, ok := f.kinds[id]
	if !ok {
		conv, err := f.tx.Conversation(id)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		ext = conv.Kind == store.KindExternal
		f.kinds[id] = ext
	}
	return ext, nil
}

// visibleDeliveries is ds less the notifications of conversations that
// c's show_from_customers hides (SPEC §4).
func visibleDeliveries(tx workPeopleTx, c Caller, ds []store.Delivery) ([]store.Delivery, error) {
	hide, err := newCustomerFilter(tx, c)
	if err != nil || !hide.on {
		return ds, err
	}
	kept := ds[:0]
	for _, d := range ds {
		if h, err := hide.hidesID(d.ConversationID); err != nil {
			return nil, err
		} else if !h {
			kept = append(kept, d)
		}
	}
	return kept, nil
}

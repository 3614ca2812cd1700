package store

import "time"

// BouncedAddress is an address that hard-bounced: deskgate sends it no
// email until Until (the loop guard's cooling period).
type BouncedAddress struct {
	Address string    `json:"address"`
	Status  string    `json:"status"` // the DSN status, e.g. 5.1.1
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
}

// PutBouncedAddress records a hard bounce.
func (t *Tx) PutBouncedAddress(b BouncedAddress) error {
	b.Address = NormalizeEmail(b.Address)
	return putJSON(t.b(bBounced), []byte(b.Address), b)
}

// BouncedAddress returns the hard-bounce record of addr, if any.
func (t *Tx) BouncedAddress(addr string) (BouncedAddress, bool) {
	var b BouncedAddress
	ok, err := getJSON(t.b(bBounced), []byte(NormalizeEmail(addr)), &b)
	return b, ok && err == nil
}

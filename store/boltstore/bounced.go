package boltstore

import "github.com/deskgate/deskgate/store"

// PutBouncedAddress records a hard bounce.
func (t *Tx) PutBouncedAddress(b store.BouncedAddress) error {
	b.Address = store.NormalizeEmail(b.Address)
	return putJSON(t.b(bBounced), []byte(b.Address), b)
}

// BouncedAddress returns the hard-bounce record of addr, if any.
func (t *Tx) BouncedAddress(addr string) (store.BouncedAddress, bool, error) {
	var b store.BouncedAddress
	ok, err := getJSON(t.b(bBounced), []byte(store.NormalizeEmail(addr)), &b)
	return b, ok && err == nil, err
}

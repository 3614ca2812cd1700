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

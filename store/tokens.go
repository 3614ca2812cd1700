package store

// Principal kinds: who an API token belongs to.
const (
	KindUser     = "user"
	KindCustomer = "customer"
)

// Principal is the owner of an API token.
type Principal struct {
	Kind string `json:"kind"` // KindUser or KindCustomer
	ID   uint64 `json:"id"`
}

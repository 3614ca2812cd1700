package webapi_test

import (
	"sync"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/store"
)

// recordingOutbox keeps the emails the domain queues.
type recordingOutbox struct {
	mu       sync.Mutex
	emails   []bridge.Email
	accounts []bridge.AccountEmail
	kicks    int
}

// EnqueueAccount keeps an account email (bridge.AccountOutbox).
func (o *recordingOutbox) EnqueueAccount(_ store.Tx, e *bridge.AccountEmail) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.accounts = append(o.accounts, *e)
	return uint64(1000 + len(o.accounts)), nil
}

// accountSent returns the account emails queued so far.
func (o *recordingOutbox) accountSent() []bridge.AccountEmail {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]bridge.AccountEmail(nil), o.accounts...)
}

func (o *recordingOutbox) Enqueue(_ store.Tx, e *bridge.Email) (uint64, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emails = append(o.emails, *e)
	return uint64(len(o.emails)), nil
}

func (o *recordingOutbox) Kick() {
	o.mu.Lock()
	o.kicks++
	o.mu.Unlock()
}

func (o *recordingOutbox) sent() []bridge.Email {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]bridge.Email(nil), o.emails...)
}

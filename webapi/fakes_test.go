package webapi_test

import (
	"sync"

	"github.com/deskgate/deskgate/bridge"
)

// recordingOutbox keeps the emails the domain queues.
type recordingOutbox struct {
	mu     sync.Mutex
	emails []bridge.Email
	kicks  int
}

func (o *recordingOutbox) Enqueue(_ bridge.EnqueueTx, e *bridge.Email) (uint64, error) {
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

// sent returns the emails about conversations queued so far.
func (o *recordingOutbox) sent() []bridge.Email { return o.filter(false) }

// accountSent returns the account emails (welcome, password_reset, …)
// queued so far.
func (o *recordingOutbox) accountSent() []bridge.Email { return o.filter(true) }

func (o *recordingOutbox) filter(account bool) []bridge.Email {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []bridge.Email
	for _, e := range o.emails {
		if (e.Conversation.ID == 0 && e.Template != "") == account {
			out = append(out, e)
		}
	}
	return out
}

package bridge

import (
	"strconv"

	"github.com/deskgate/deskgate/store"
	"github.com/deskgate/deskgate/templates"
)

// emailCache holds what the emails of one firing transaction share: a
// burst of 1,000 emails about one conversation reads the conversation,
// its References and each message once, not 1,000 times. Firing changes
// none of them, so they are valid for the whole transaction and no longer.
type emailCache struct {
	convs    map[uint64]*store.Conversation
	refs     map[uint64][]string
	messages map[uint64]*store.Message
	items    map[uint64]*store.Item
	projects map[uint64]*store.Project
	files    map[uint64][]byte
	// notification is the notification template as it applies now.
	notification *TemplateView
	compiled     *templates.Compiled
	// rendered are the notifications rendered so far that read nothing
	// of their recipient, by renderKey.
	rendered map[string]templates.Rendered
	// attached counts the attachment bytes put into emails so far.
	attached int
}

func newEmailCache() *emailCache {
	return &emailCache{convs: map[uint64]*store.Conversation{}, refs: map[uint64][]string{}, messages: map[uint64]*store.Message{},
		items: map[uint64]*store.Item{}, projects: map[uint64]*store.Project{}, files: map[uint64][]byte{},
		rendered: map[string]templates.Rendered{}}
}

func (c *emailCache) conversation(tx store.WorkTx, id uint64) (*store.Conversation, error) {
	if conv, ok := c.convs[id]; ok {
		return conv, nil
	}
	conv, err := tx.Conversation(id)
	if err != nil {
		return nil, err
	}
	c.convs[id] = conv
	return conv, nil
}

func (c *emailCache) message(tx store.MessagesTx, id uint64) (*store.Message, error) {
	if m, ok := c.messages[id]; ok {
		return m, nil
	}
	m, err := tx.Message(id)
	if err != nil {
		return nil, err
	}
	c.messages[id] = m
	return m, nil
}

// threadRefs is s.threadRefs, once per conversation. Callers get their
// own copy of the slice.
func (c *emailCache) threadRefs(s *Addresses, tx store.MessagesTx, conv *store.Conversation) []string {
	refs, ok := c.refs[conv.ID]
	if !ok {
		refs = s.threadRefs(tx, conv)
		c.refs[conv.ID] = refs
	}
	return append([]string(nil), refs...)
}

func (c *emailCache) item(tx store.WorkTx, id uint64) (*store.Item, error) {
	if it, ok := c.items[id]; ok {
		return it, nil
	}
	it, err := tx.Item(id)
	if err != nil {
		return nil, err
	}
	c.items[id] = it
	return it, nil
}

func (c *emailCache) project(tx store.WorkTx, id uint64) (*store.Project, error) {
	if p, ok := c.projects[id]; ok {
		return p, nil
	}
	p, err := tx.Project(id)
	if err != nil {
		return nil, err
	}
	c.projects[id] = p
	return p, nil
}

func (c *emailCache) attachment(tx store.MessagesTx, id uint64) ([]byte, error) {
	if b, ok := c.files[id]; ok {
		return b, nil
	}
	b, err := tx.AttachmentData(id)
	if err != nil {
		return nil, err
	}
	c.files[id] = b
	return b, nil
}

// notificationTemplate is the notification template, read once per
// transaction: an edit applies to the next batch on every node.
func (c *emailCache) notificationTemplate(tx store.MessagingTx) (TemplateView, error) {
	if c.notification == nil {
		t, _, err := templateTx(tx, templates.Notification)
		if err != nil {
			return t, err
		}
		c.notification = &t
	}
	return *c.notification, nil
}

// compiledNotification is the notification template, parsed once per
// transaction.
func (c *emailCache) compiledNotification(t TemplateView) (*templates.Compiled, error) {
	if c.compiled == nil {
		ct, err := templates.Compile(t.template())
		if err != nil {
			return nil, err
		}
		c.compiled = ct
	}
	return c.compiled, nil
}

// renderKey names what a notification that reads nothing of its
// recipient renders from, within one transaction: the conversation (its
// subject and item) and the messages, in order.
func renderKey(e *Email) string {
	b := make([]byte, 0, 8+8*len(e.Messages))
	b = strconv.AppendUint(b, e.Conversation.ID, 10)
	for i := range e.Messages {
		b = append(b, ' ')
		b = strconv.AppendUint(b, e.Messages[i].ID, 10)
	}
	return string(b)
}

package bridge

import "github.com/deskgate/deskgate/store"

// emailCache holds what the emails of one firing transaction share: a
// burst of 1,000 emails about one conversation reads the conversation,
// its References and each message once, not 1,000 times. Firing changes
// none of them, so they are valid for the whole transaction and no longer.
type emailCache struct {
	convs    map[uint64]*store.Conversation
	refs     map[uint64][]string
	messages map[uint64]*store.Message
}

func newEmailCache() *emailCache {
	return &emailCache{convs: map[uint64]*store.Conversation{}, refs: map[uint64][]string{}, messages: map[uint64]*store.Message{}}
}

func (c *emailCache) conversation(tx store.Tx, id uint64) (*store.Conversation, error) {
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

func (c *emailCache) message(tx store.Tx, id uint64) (*store.Message, error) {
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
func (c *emailCache) threadRefs(s *Service, tx store.Tx, conv *store.Conversation) []string {
	refs, ok := c.refs[conv.ID]
	if !ok {
		refs = s.threadRefs(tx, conv)
		c.refs[conv.ID] = refs
	}
	return append([]string(nil), refs...)
}

package bridge

import (
	"context"

	"github.com/deskgate/deskgate/store"
)

// notifyTx records, in the posting transaction, the notifications message m
// causes. (The recipients and timers of SPEC §4 land with the notifications work.)
func (s *Service) notifyTx(_ context.Context, _ *store.Tx, _ *store.Conversation, _ *store.Message) error {
	return nil
}

// afterCommit runs after a message's transaction committed: it wakes what
// waits in memory (event streams, the timer loop).
func (s *Service) afterCommit(_ *store.Message) {}

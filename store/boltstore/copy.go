package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/deskgate/deskgate/store"
	bolt "go.etcd.io/bbolt"
)

var _ store.Copier = (*Store)(nil)

// Export calls fn with every record of the store (store.Copier), in one
// read transaction.
func (s *Store) Export(ctx context.Context, fn func(store.Record) error) error {
	return s.db.View(func(btx *bolt.Tx) error {
		t := &Tx{tx: btx}
		each := func(name []byte, f func(k, v []byte) error) error {
			return t.b(name).ForEach(func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				return f(k, v)
			})
		}
		docs := func(kind string, name []byte) error {
			return each(name, func(k, v []byte) error {
				return fn(store.Record{Kind: kind, ID: decodeU64(k), Doc: bytes.Clone(v)})
			})
		}
		steps := []func() error{
			func() error { return docs(store.RecUser, bUsers) },
			func() error { return docs(store.RecCustomer, bCustomers) },
			func() error {
				return each(bTokens, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecToken, Key: bytes.Clone(k), Doc: bytes.Clone(v)})
				})
			},
			func() error {
				return each(bSettings, func(k, v []byte) error {
					set, err := decodeSettings(v)
					if err != nil {
						return err
					}
					return fn(store.Record{Kind: store.RecSettings, Doc: store.Doc(store.SettingsRecord{UserID: decodeU64(k), Settings: set})})
				})
			},
			func() error { return docs(store.RecProject, bProjects) },
			func() error { return docs(store.RecItem, bItems) },
			func() error { return docs(store.RecConversation, bConversations) },
			func() error { return docs(store.RecMessage, bMessages) },
			func() error {
				return each(bAttachments, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecAttachment, ID: decodeU64(k), Blob: bytes.Clone(v)})
				})
			},
			func() error {
				return each(bMsgIDs, func(k, v []byte) error {
					var r store.MessageRef
					if err := json.Unmarshal(v, &r); err != nil {
						return err
					}
					return fn(store.Record{Kind: store.RecMessageRef, Doc: store.Doc(store.MessageRefRecord{EmailID: string(k), Ref: r})})
				})
			},
			func() error {
				return each(bMailLog, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecMailLog, ID: decodeU64(k), Doc: bytes.Clone(v), Blob: bytes.Clone(t.b(bRaw).Get(k))})
				})
			},
			func() error {
				return each(bOutbound, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecOutbound, ID: decodeU64(k), Doc: bytes.Clone(v), Blob: bytes.Clone(t.b(bOutboundRaw).Get(k))})
				})
			},
			func() error {
				return each(bDeliveries, func(_, v []byte) error {
					var d store.Delivery
					if err := decodeDelivery(v, &d); err != nil {
						return err
					}
					return fn(store.Record{Kind: store.RecDelivery, Doc: store.Doc(d)})
				})
			},
			func() error {
				return each(bEmailDeliv, func(k, _ []byte) error {
					l := store.EmailLink{MessageID: decodeU64(k[8:16]), Recipient: recipientFromKey(k[16:25])}
					return fn(store.Record{Kind: store.RecEmailLink, ID: decodeU64(k[:8]), Doc: store.Doc(l)})
				})
			},
			func() error {
				return each(bTimerByPair, func(k, v []byte) error {
					tm := store.Timer{Conversation: decodeU64(k[:8]), Recipient: recipientFromKey(k[8:17]), Due: time.Unix(0, int64(decodeU64(v))).UTC()}
					return fn(store.Record{Kind: store.RecTimer, Doc: store.Doc(tm)})
				})
			},
			func() error {
				return each(bBounced, func(_, v []byte) error {
					return fn(store.Record{Kind: store.RecBounced, Doc: bytes.Clone(v)})
				})
			},
			func() error {
				return each(bOutCap, func(k, _ []byte) error {
					i := bytes.IndexByte(k, 0)
					if i < 0 || len(k) != i+1+8+16 {
						return nil
					}
					c := store.OutCapEntry{Address: string(k[:i]), ConversationID: decodeU64(k[i+1 : i+9]),
						At: time.Unix(0, int64(decodeU64(k[i+9:i+17]))).UTC()}
					return fn(store.Record{Kind: store.RecOutCap, Doc: store.Doc(c)})
				})
			},
			func() error {
				return each(bTemplates, func(_, v []byte) error {
					return fn(store.Record{Kind: store.RecTemplate, Doc: bytes.Clone(v)})
				})
			},
			func() error { return docs(store.RecAutomation, bAutomations) },
			func() error {
				return each(bPasswords, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecPassword, Doc: store.Doc(store.PasswordRecord{UserID: decodeU64(k), Hash: string(v)})})
				})
			},
			func() error {
				return each(bSessions, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecSession, Key: bytes.Clone(k), Doc: bytes.Clone(v)})
				})
			},
			func() error {
				return each(bPassLinks, func(k, v []byte) error {
					return fn(store.Record{Kind: store.RecPasswordLink, Key: bytes.Clone(k), Doc: bytes.Clone(v)})
				})
			},
			func() error { return docs(store.RecTeam, bTeams) },
			func() error { return docs(store.RecInvitation, bInvitations) },
			func() error { return docs(store.RecMailbox, bMailboxes) },
			func() error {
				return each(bBuiltinRuns, func(k, v []byte) error {
					if len(k) != 8 || len(v) != 8 {
						return nil
					}
					return fn(store.Record{Kind: store.RecBuiltinRuns, ID: decodeU64(k), Doc: store.Doc(store.BuiltinRunsRecord{Runs: decodeU64(v)})})
				})
			},
			func() error { return docs(store.RecWebhook, bWebhooks) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

// Import stores recs keeping their ids (store.Copier), then moves each
// bucket's id sequence past them.
func (s *Store) Import(ctx context.Context, recs []store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.update(func(t *Tx) error {
		for _, r := range recs {
			if ok, err := store.ImportTyped(t, r); ok {
				if err != nil {
					return err
				}
				if b := t.b(bOutbound); r.Kind == store.RecOutbound && b.Sequence() < r.ID {
					if err := b.SetSequence(r.ID); err != nil { // NewOutboundID allocates after it
						return err
					}
				}
				continue
			}
			if err := t.importRaw(r); err != nil {
				return fmt.Errorf("import %s %d: %w", r.Kind, r.ID, err)
			}
		}
		return nil
	})
}

// importRaw stores the records whose ids the Tx methods would allocate.
func (t *Tx) importRaw(r store.Record) error {
	put := func(name []byte, id uint64, v []byte) error {
		b := t.b(name)
		if err := b.Put(u64(id), v); err != nil {
			return err
		}
		if b.Sequence() < id {
			return b.SetSequence(id)
		}
		return nil
	}
	switch r.Kind {
	case store.RecUser:
		var u store.User
		if err := json.Unmarshal(r.Doc, &u); err != nil {
			return err
		}
		if err := t.b(bUsersEmail).Put([]byte(u.Email), u64(u.ID)); err != nil {
			return err
		}
		return put(bUsers, u.ID, r.Doc)
	case store.RecCustomer:
		var c store.Customer
		if err := json.Unmarshal(r.Doc, &c); err != nil {
			return err
		}
		if err := t.b(bCustEmail).Put([]byte(c.Email), u64(c.ID)); err != nil {
			return err
		}
		return put(bCustomers, c.ID, r.Doc)
	case store.RecToken:
		return t.b(bTokens).Put(r.Key, r.Doc)
	case store.RecProject:
		return put(bProjects, r.ID, r.Doc)
	case store.RecItem:
		return put(bItems, r.ID, r.Doc)
	case store.RecConversation:
		var c store.Conversation
		if err := json.Unmarshal(r.Doc, &c); err != nil {
			return err
		}
		if err := t.b(bConvByItem).Put(convByItemKey(c.ItemID, c.ID), []byte{}); err != nil {
			return err
		}
		if err := t.b(bConvByActivity).Put(convActivityKey(&c), []byte{}); err != nil {
			return err
		}
		return put(bConversations, r.ID, r.Doc)
	case store.RecAutomation:
		return put(bAutomations, r.ID, r.Doc)
	case store.RecMessage:
		var m store.Message
		if err := json.Unmarshal(r.Doc, &m); err != nil {
			return err
		}
		if err := t.b(bConvMessages).Put(pair(m.ConversationID, m.ID), nil); err != nil {
			return err
		}
		return put(bMessages, m.ID, r.Doc)
	case store.RecAttachment:
		return put(bAttachments, r.ID, r.Blob)
	case store.RecMailLog:
		var e store.MailLogEntry
		if err := json.Unmarshal(r.Doc, &e); err != nil {
			return err
		}
		if err := t.b(bMailLogTime).Put(pair(uint64(e.At.UnixNano()), e.ID), nil); err != nil {
			return err
		}
		if r.Blob != nil {
			if err := t.b(bRaw).Put(u64(e.ID), r.Blob); err != nil {
				return err
			}
		}
		return put(bMailLog, e.ID, r.Doc)
	case store.RecSession:
		var ss store.Session
		if err := json.Unmarshal(r.Doc, &ss); err != nil {
			return err
		}
		if err := t.b(bUserSessions).Put(userKey(ss.UserID, r.Key), nil); err != nil {
			return err
		}
		return t.b(bSessions).Put(r.Key, r.Doc)
	case store.RecPasswordLink:
		var l store.PasswordLink
		if err := json.Unmarshal(r.Doc, &l); err != nil {
			return err
		}
		if err := t.b(bUserPassLinks).Put(userKey(l.UserID, r.Key), nil); err != nil {
			return err
		}
		return t.b(bPassLinks).Put(r.Key, r.Doc)
	case store.RecTeam:
		var tm store.Team
		if err := json.Unmarshal(r.Doc, &tm); err != nil {
			return err
		}
		if err := t.b(bTeamNames).Put([]byte(store.NormalizeEmail(tm.Name)), u64(tm.ID)); err != nil {
			return err
		}
		return put(bTeams, tm.ID, r.Doc)
	case store.RecInvitation:
		var inv store.Invitation
		if err := json.Unmarshal(r.Doc, &inv); err != nil {
			return err
		}
		key := invKey('u', inv.UserID, inv.ID)
		if inv.UserID == 0 {
			key = invKey('t', inv.TeamID, inv.ID)
		}
		if err := t.b(bInvitationsBy).Put(key, nil); err != nil {
			return err
		}
		return put(bInvitations, inv.ID, r.Doc)
	case store.RecMailbox:
		return put(bMailboxes, r.ID, r.Doc)
	case store.RecWebhook:
		return put(bWebhooks, r.ID, r.Doc)
	}
	return fmt.Errorf("unknown record kind %q", r.Kind)
}

package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/deskgate/deskgate/store"
	"github.com/jackc/pgx/v5"
)

var _ store.Copier = (*Store)(nil)

// Export calls fn with every record of the database (store.Copier), from
// one snapshot.
func (s *Store) Export(ctx context.Context, fn func(store.Record) error) error {
	return s.View(ctx, func(stx store.Tx) error {
		t := stx.(*Tx)
		rows := func(kind, sql string, scan func(pgx.CollectableRow) (store.Record, error)) error {
			rs, err := t.query(sql)
			if err != nil {
				return fmt.Errorf("export %s: %w", kind, err)
			}
			recs, err := pgx.CollectRows(rs, scan)
			if err != nil {
				return fmt.Errorf("export %s: %w", kind, err)
			}
			for _, r := range recs {
				r.Kind = kind
				if err := fn(r); err != nil {
					return err
				}
			}
			return nil
		}
		idDoc := func(row pgx.CollectableRow) (store.Record, error) {
			var r store.Record
			var id int64
			err := row.Scan(&id, &r.Doc)
			r.ID = uint64(id)
			return r, err
		}
		idDocBlob := func(row pgx.CollectableRow) (store.Record, error) {
			var r store.Record
			var id int64
			err := row.Scan(&id, &r.Doc, &r.Blob)
			r.ID = uint64(id)
			return r, err
		}
		keyDoc := func(row pgx.CollectableRow) (store.Record, error) {
			var r store.Record
			return r, row.Scan(&r.Key, &r.Doc)
		}
		docOnly := func(row pgx.CollectableRow) (store.Record, error) {
			var r store.Record
			return r, row.Scan(&r.Doc)
		}
		steps := []struct {
			kind, sql string
			scan      func(pgx.CollectableRow) (store.Record, error)
		}{
			{store.RecUser, `SELECT id, data FROM users ORDER BY id`, idDoc},
			{store.RecCustomer, `SELECT id, data FROM customers ORDER BY id`, idDoc},
			{store.RecToken, `SELECT kind, principal_id, created_ns, last_used_ns, minted, hash FROM tokens ORDER BY hash`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				p, err := scanPrincipal(row, &r.Key)
				if err != nil {
					return r, err
				}
				r.Doc = store.Doc(p)
				return r, nil
			}},
			{store.RecSettings, `SELECT user_id, data FROM settings ORDER BY user_id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var id int64
				var data []byte
				if err := row.Scan(&id, &data); err != nil {
					return r, err
				}
				rec := store.SettingsRecord{UserID: uint64(id), Settings: store.DefaultSettings()}
				err := json.Unmarshal(data, &rec.Settings)
				r.Doc = store.Doc(rec)
				return r, err
			}},
			{store.RecProject, `SELECT id, data FROM projects ORDER BY id`, idDoc},
			{store.RecItem, `SELECT id, data FROM items ORDER BY id`, idDoc},
			{store.RecConversation, `SELECT id, data FROM conversations ORDER BY id`, idDoc},
			{store.RecMessage, `SELECT id, data FROM messages ORDER BY id`, idDoc},
			{store.RecAttachment, `SELECT id, content FROM attachments ORDER BY id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var id int64
				err := row.Scan(&id, &r.Blob)
				r.ID = uint64(id)
				return r, err
			}},
			{store.RecMessageRef, `SELECT email_id, data FROM message_refs ORDER BY email_id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var m store.MessageRefRecord
				var data []byte
				if err := row.Scan(&m.EmailID, &data); err != nil {
					return r, err
				}
				err := json.Unmarshal(data, &m.Ref)
				r.Doc = store.Doc(m)
				return r, err
			}},
			{store.RecMailLog, `SELECT id, data, raw FROM maillog ORDER BY id`, idDocBlob},
			{store.RecOutbound, `SELECT id, data, raw FROM outbound ORDER BY id`, idDocBlob},
			{store.RecDelivery, `SELECT data FROM deliveries ORDER BY message_id, rtype, rid`, docOnly},
			{store.RecEmailLink, `SELECT outbound_id, message_id, rtype, rid FROM email_deliveries ORDER BY 1, 2, 3, 4`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var id, msg, rid int64
				var rt string
				err := row.Scan(&id, &msg, &rt, &rid)
				r.ID = uint64(id)
				r.Doc = store.Doc(store.EmailLink{MessageID: uint64(msg), Recipient: recipientOf(rt, rid)})
				return r, err
			}},
			{store.RecTimer, `SELECT conversation_id, rtype, rid, due_ns FROM timers ORDER BY 1, 2, 3`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var conv, rid, due int64
				var rt string
				err := row.Scan(&conv, &rt, &rid, &due)
				r.Doc = store.Doc(store.Timer{Conversation: uint64(conv), Recipient: recipientOf(rt, rid), Due: fromNS(due)})
				return r, err
			}},
			{store.RecBounced, `SELECT data FROM bounced_addresses ORDER BY address`, docOnly},
			{store.RecOutCap, `SELECT address, conversation_id, at_ns FROM outbound_cap ORDER BY id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var c store.OutCapEntry
				var conv, at int64
				err := row.Scan(&c.Address, &conv, &at)
				c.ConversationID, c.At = uint64(conv), fromNS(at)
				r.Doc = store.Doc(c)
				return r, err
			}},
			{store.RecTemplate, `SELECT data FROM templates ORDER BY name`, docOnly},
			{store.RecAutomation, `SELECT id, data FROM automations ORDER BY id`, idDoc},
			{store.RecPassword, `SELECT user_id, hash FROM passwords ORDER BY user_id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var pw store.PasswordRecord
				var id int64
				err := row.Scan(&id, &pw.Hash)
				pw.UserID = uint64(id)
				r.Doc = store.Doc(pw)
				return r, err
			}},
			{store.RecSession, `SELECT hash, data FROM sessions ORDER BY hash`, keyDoc},
			{store.RecPasswordLink, `SELECT hash, data FROM password_links ORDER BY hash`, keyDoc},
			{store.RecTeam, `SELECT id, data FROM teams ORDER BY id`, idDoc},
			{store.RecInvitation, `SELECT id, data FROM invitations ORDER BY id`, idDoc},
			{store.RecMailbox, `SELECT id, data FROM mailboxes ORDER BY id`, idDoc},
			{store.RecBuiltinRuns, `SELECT id, runs FROM builtin_runs ORDER BY id`, func(row pgx.CollectableRow) (store.Record, error) {
				var r store.Record
				var id, n int64
				err := row.Scan(&id, &n)
				r.ID, r.Doc = uint64(id), store.Doc(store.BuiltinRunsRecord{Runs: uint64(n)})
				return r, err
			}},
			{store.RecWebhook, `SELECT id, data FROM webhooks ORDER BY id`, idDoc},
		}
		for _, st := range steps {
			if err := rows(st.kind, st.sql, st.scan); err != nil {
				return err
			}
		}
		return nil
	})
}

// Import stores recs keeping their ids (store.Copier), then moves the id
// sequences past them.
func (s *Store) Import(ctx context.Context, recs []store.Record) error {
	return s.Update(ctx, func(stx store.Tx) error {
		t := stx.(*Tx)
		t.changed(kindUsers, kindSettings, kindProjects, kindAutomations, kindTemplates, kindWebhooks)
		for _, r := range recs {
			if ok, err := store.ImportTyped(t, r); ok {
				if err != nil {
					return err
				}
				continue
			}
			if err := t.importRaw(r); err != nil {
				return fmt.Errorf("import %s %d: %w", r.Kind, r.ID, err)
			}
		}
		for _, table := range []string{"users", "customers", "projects", "items", "conversations", "messages", "attachments", "maillog", "automations", "teams", "invitations", "mailboxes", "webhooks"} {
			if _, err := t.exec(`SELECT setval(pg_get_serial_sequence('` + table + `', 'id'), greatest((SELECT max(id) FROM ` + table + `), 1))`); err != nil {
				return err
			}
		}
		_, err := t.exec(`SELECT setval('outbound_ids', greatest((SELECT max(id) FROM outbound), 1))`)
		return err
	})
}

func (t *Tx) importRaw(r store.Record) error {
	var err error
	switch r.Kind {
	case store.RecUser:
		var u store.User
		if err = json.Unmarshal(r.Doc, &u); err == nil {
			_, err = t.exec(`INSERT INTO users (id, email, role, data) VALUES ($1, $2, $3, $4)`, int64(u.ID), u.Email, u.Role, r.Doc)
		}
	case store.RecCustomer:
		var c store.Customer
		if err = json.Unmarshal(r.Doc, &c); err == nil {
			_, err = t.exec(`INSERT INTO customers (id, email, data) VALUES ($1, $2, $3)`, int64(c.ID), c.Email, r.Doc)
		}
	case store.RecToken:
		var p store.Principal
		if err = json.Unmarshal(r.Doc, &p); err == nil {
			err = t.putTokenHash(r.Key, p)
		}
	case store.RecConversation:
		var c store.Conversation
		if err = json.Unmarshal(r.Doc, &c); err == nil {
			_, err = t.exec(`INSERT INTO conversations (id, item_id, activity_us, data) VALUES ($1, $2, $3, $4)`,
				int64(c.ID), int64(c.ItemID), store.ConversationActivity(&c), r.Doc)
		}
	case store.RecProject, store.RecItem, store.RecAutomation, store.RecMailbox, store.RecWebhook:
		table := map[string]string{store.RecProject: "projects", store.RecItem: "items",
			store.RecAutomation: "automations", store.RecMailbox: "mailboxes", store.RecWebhook: "webhooks"}[r.Kind]
		_, err = t.exec(`INSERT INTO `+table+` (id, data) VALUES ($1, $2)`, int64(r.ID), r.Doc)
	case store.RecMessage:
		var m store.Message
		if err = json.Unmarshal(r.Doc, &m); err == nil {
			_, err = t.exec(`INSERT INTO messages (id, conversation_id, data) VALUES ($1, $2, $3)`, int64(m.ID), int64(m.ConversationID), r.Doc)
		}
	case store.RecAttachment:
		blob := r.Blob
		if blob == nil {
			blob = []byte{}
		}
		_, err = t.exec(`INSERT INTO attachments (id, content) VALUES ($1, $2)`, int64(r.ID), blob)
	case store.RecMailLog:
		var e store.MailLogEntry
		if err = json.Unmarshal(r.Doc, &e); err == nil {
			_, err = t.exec(`INSERT INTO maillog (id, at_ns, direction, data, raw) VALUES ($1, $2, $3, $4, $5)`,
				int64(e.ID), ns(e.At), e.Direction, r.Doc, r.Blob)
		}
	case store.RecSession:
		var ss store.Session
		if err = json.Unmarshal(r.Doc, &ss); err == nil {
			_, err = t.exec(`INSERT INTO sessions (hash, user_id, expires_ns, data) VALUES ($1, $2, $3, $4)`, r.Key, int64(ss.UserID), ss.ExpiresAt.UnixNano(), r.Doc)
		}
	case store.RecPasswordLink:
		var l store.PasswordLink
		if err = json.Unmarshal(r.Doc, &l); err == nil {
			_, err = t.exec(`INSERT INTO password_links (hash, user_id, expires_ns, data) VALUES ($1, $2, $3, $4)`, r.Key, int64(l.UserID), l.ExpiresAt.UnixNano(), r.Doc)
		}
	case store.RecTeam:
		var tm store.Team
		if err = json.Unmarshal(r.Doc, &tm); err == nil {
			_, err = t.exec(`INSERT INTO teams (id, name, data) VALUES ($1, $2, $3)`, int64(tm.ID), store.NormalizeEmail(tm.Name), r.Doc)
		}
	case store.RecInvitation:
		var inv store.Invitation
		if err = json.Unmarshal(r.Doc, &inv); err == nil {
			_, err = t.exec(`INSERT INTO invitations (id, user_id, team_id, data) VALUES ($1, $2, $3, $4)`, int64(inv.ID), int64(inv.UserID), int64(inv.TeamID), r.Doc)
		}
	default:
		err = fmt.Errorf("unknown record kind %q", r.Kind)
	}
	return err
}

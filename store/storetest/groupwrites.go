package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// writeCases is one case per write method of store.Tx: a call that
// changes the populated store (Populate, then groupExtras). Every method
// of store.Tx is either here or in readMethods, and
// TestEveryTxMethodIsClassified (CheckClassified) fails when a new method
// is in neither, so a new write method cannot go without its case.
var writeCases = map[string]func(tx store.Tx, f *fixture) error{
	// People, directory, settings, tokens.
	"CreateUser": func(tx store.Tx, f *fixture) error {
		return tx.CreateUser(&store.User{Email: "new@example.com", Name: "New", Role: store.RoleAgent, CreatedAt: f.at})
	},
	"PutUser": func(tx store.Tx, f *fixture) error { u := *f.user; u.Name = "Renamed"; return tx.PutUser(&u) },
	"CreateCustomer": func(tx store.Tx, f *fixture) error {
		return tx.CreateCustomer(&store.Customer{Email: "new@example.org", CreatedAt: f.at})
	},
	"PutCustomer": func(tx store.Tx, f *fixture) error { c := *f.cust; c.Name = "Renamed"; return tx.PutCustomer(&c) },
	"PutToken": func(tx store.Tx, f *fixture) error {
		return tx.PutToken("tok-new", store.Principal{Kind: store.KindUser, ID: f.user.ID, Minted: store.MintedSession})
	},
	"DeleteToken": func(tx store.Tx, f *fixture) error {
		toks, err := tx.Tokens(store.KindUser, f.user.ID)
		if err != nil || len(toks) == 0 {
			return fmt.Errorf("no token to delete: %v", err)
		}
		return tx.DeleteToken(store.KindUser, f.user.ID, toks[0].ID)
	},
	"TouchToken": func(tx store.Tx, f *fixture) error { return tx.TouchToken("tok-ann", f.at.Add(time.Hour)) },
	"PutSettings": func(tx store.Tx, f *fixture) error {
		return tx.PutSettings(f.user.ID, store.Settings{ConversationVisibility: "all", FromCustomers: "none", FromUsersAndBot: "all"})
	},
	"CreateTeam": func(tx store.Tx, f *fixture) error {
		return tx.CreateTeam(&store.Team{Name: "Day shift", UserIDs: []uint64{}, CreatedAt: f.at})
	},
	"PutTeam":    func(tx store.Tx, f *fixture) error { tm := *f.team; tm.Name = "Renamed"; return tx.PutTeam(&tm) },
	"DeleteTeam": func(tx store.Tx, f *fixture) error { return tx.DeleteTeam(f.team.ID) },

	// Work and messages.
	"CreateProject": func(tx store.Tx, f *fixture) error {
		return tx.CreateProject(&store.Project{Name: "New", Followers: []uint64{}, CreatedAt: f.at})
	},
	"PutProject": func(tx store.Tx, f *fixture) error { p := *f.project; p.Name = "Renamed"; return tx.PutProject(&p) },
	"CreateItem": func(tx store.Tx, f *fixture) error {
		return tx.CreateItem(&store.Item{ProjectID: f.project.ID, Title: "New", Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: f.at})
	},
	"PutItem": func(tx store.Tx, f *fixture) error { it := *f.item; it.Title = "Renamed"; return tx.PutItem(&it) },
	"CreateConversation": func(tx store.Tx, f *fixture) error {
		return tx.CreateConversation(&store.Conversation{ItemID: f.item.ID, ProjectID: f.project.ID, Kind: store.KindExternal, Subject: "New",
			Followers: []uint64{}, CustomerIDs: []uint64{f.cust.ID}, CreatedAt: f.at})
	},
	"PutConversation": func(tx store.Tx, f *fixture) error {
		c := *f.conv
		c.Subject = "Renamed"
		return tx.PutConversation(&c)
	},
	"CreateMessage": func(tx store.Tx, f *fixture) error {
		return tx.CreateMessage(&store.Message{ConversationID: f.conv.ID, Kind: f.conv.Kind, Body: "new", Source: store.SourceAPI,
			Author: store.Author{Type: store.AuthorUser, ID: f.user.ID}, Attachments: []store.Attachment{}, CreatedAt: f.at.Add(time.Hour)}, nil)
	},
	"PutMessage": func(tx store.Tx, f *fixture) error { m := *f.msgs[0]; m.Body = "edited"; return tx.PutMessage(&m) },
	"PutMessageRef": func(tx store.Tx, f *fixture) error {
		return tx.PutMessageRef("new@example.com", store.MessageRef{ConversationID: f.conv.ID, MessageID: f.msgs[0].ID})
	},

	// Notifications and timers.
	"PutDelivery": func(tx store.Tx, f *fixture) error {
		d, err := tx.Delivery(f.msgs[2].ID, f.rcpt)
		if err != nil {
			return err
		}
		seen := f.at.Add(time.Hour)
		d.SeenAt, d.EmailStatus = &seen, store.EmailSkipped
		return tx.PutDelivery(d)
	},
	"AddDelivery": func(tx store.Tx, f *fixture) error {
		return tx.AddDelivery(&store.Delivery{MessageID: f.msgs[2].ID, ConversationID: f.conv.ID, Recipient: f.crcpt, NotifiedAt: f.at, EmailStatus: store.EmailPending})
	},
	"SeeUpTo": func(tx store.Tx, f *fixture) error {
		_, err := tx.SeeUpTo(f.rcpt, f.conv.ID, f.msgs[2].ID, func(d *store.Delivery) { s := f.at.Add(time.Hour); d.SeenAt = &s })
		return err
	},
	"LinkEmail": func(tx store.Tx, f *fixture) error {
		return tx.LinkEmail(f.out.ID, &store.Delivery{MessageID: f.msgs[0].ID, Recipient: f.rcpt})
	},
	"SetTimer":     func(tx store.Tx, f *fixture) error { return tx.SetTimer(f.crcpt, f.conv.ID, f.at) },
	"ReplaceTimer": func(tx store.Tx, f *fixture) error { return tx.ReplaceTimer(f.rcpt, f.conv.ID, f.at.Add(2*time.Hour)) },
	"DeleteTimer":  func(tx store.Tx, f *fixture) error { return tx.DeleteTimer(f.rcpt, f.conv.ID) },
	"DropStaleTimer": func(tx store.Tx, f *fixture) error {
		// The timer due in an hour, seen as due at a stale time, is kept;
		// moved earlier, the stale entry of the old time is dropped.
		if err := tx.ReplaceTimer(f.rcpt, f.conv.ID, f.at.Add(30*time.Minute)); err != nil {
			return err
		}
		_, err := tx.DropStaleTimer(store.Timer{Due: f.at.Add(time.Hour), Recipient: f.rcpt, Conversation: f.conv.ID})
		return err
	},

	// Outbound queue and guard.
	"NewOutboundID": func(tx store.Tx, f *fixture) error { _, err := tx.NewOutboundID(); return err },
	"PutOutbound": func(tx store.Tx, f *fixture) error {
		o := *f.out
		o.State, o.DoneAt = store.OutboundSent, f.at.Add(time.Hour)
		return tx.PutOutbound(&o, nil)
	},
	"PruneOutbound": func(tx store.Tx, f *fixture) error { return pruned(tx.PruneOutbound(f.at.Add(24*time.Hour), 10)) },
	"PutBouncedAddress": func(tx store.Tx, f *fixture) error {
		return tx.PutBouncedAddress(store.BouncedAddress{Address: "new@example.org", Status: "5.1.1", At: f.at, Until: f.at.Add(time.Hour)})
	},
	"RecordOutboundEmail": func(tx store.Tx, f *fixture) error {
		return tx.RecordOutboundEmail(f.crcpt.Email, f.conv.ID, f.at.Add(time.Hour))
	},
	"PruneOutboundEmails": func(tx store.Tx, f *fixture) error { return pruned(tx.PruneOutboundEmails(f.at.Add(24*time.Hour), 10)) },

	// Mail log.
	"AddMailLog": func(tx store.Tx, f *fixture) error {
		return tx.AddMailLog(&store.MailLogEntry{Direction: store.DirInbound, At: f.at.Add(time.Hour), From: "x@example.org", To: "support@support.test", Status: "rejected"}, []byte("raw"))
	},
	"SetMailLogStatus": func(tx store.Tx, f *fixture) error { return tx.SetMailLogStatus(f.log.ID, "rejected", "550 no", 0, 0) },
	"SetMailLogRaw":    func(tx store.Tx, f *fixture) error { return tx.SetMailLogRaw(f.log.ID, []byte("other raw")) },
	"PruneMailLog":     func(tx store.Tx, f *fixture) error { return pruned(tx.PruneMailLog(f.at.Add(24*time.Hour), 1)) },
	"EvictMailLog":     func(tx store.Tx, f *fixture) error { return pruned(tx.EvictMailLog(1, 1)) },

	// Accounts.
	"SetPasswordHash": func(tx store.Tx, f *fixture) error {
		return tx.SetPasswordHash(f.user.ID, "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$b3RoZXI")
	},
	"PutSession": func(tx store.Tx, f *fixture) error {
		return tx.PutSession("dgs_new", store.Session{UserID: f.user.ID, CreatedAt: f.at, ExpiresAt: f.at.Add(time.Hour)})
	},
	"DeleteSession":      func(tx store.Tx, f *fixture) error { return tx.DeleteSession("dgs_copied") },
	"DeleteUserSessions": func(tx store.Tx, f *fixture) error { _, err := tx.DeleteUserSessions(f.user.ID, ""); return err },
	"PutPasswordLink": func(tx store.Tx, f *fixture) error {
		return tx.PutPasswordLink("dgr_new", store.PasswordLink{UserID: f.user.ID, Purpose: store.LinkReset, CreatedAt: f.at, ExpiresAt: f.at.Add(time.Hour)})
	},
	"TakePasswordLink":        func(tx store.Tx, f *fixture) error { _, err := tx.TakePasswordLink("dgr_copied"); return err },
	"DeleteUserPasswordLinks": func(tx store.Tx, f *fixture) error { return tx.DeleteUserPasswordLinks(f.user.ID) },
	"HitRate":                 func(tx store.Tx, f *fixture) error { _, _, err := tx.HitRate(rateKey, f.at, time.Hour); return err },
	"PruneAccounts":           func(tx store.Tx, f *fixture) error { return pruned(tx.PruneAccounts(f.at.Add(48*time.Hour), 10)) },
	"CreateInvitation": func(tx store.Tx, f *fixture) error {
		return tx.CreateInvitation(&store.Invitation{ProjectID: f.project.ID, UserID: f.user.ID, InvitedBy: f.user.ID, Status: store.InvitationPending, CreatedAt: f.at})
	},
	"PutInvitation": func(tx store.Tx, f *fixture) error {
		invs, err := tx.InvitationsOf(f.user.ID, []uint64{f.team.ID})
		if err != nil || len(invs) == 0 {
			return fmt.Errorf("no invitation: %v", err)
		}
		inv := invs[0]
		inv.Status = store.InvitationAccepted
		return tx.PutInvitation(&inv)
	},

	// Messaging center.
	"PutTemplate": func(tx store.Tx, f *fixture) error {
		return tx.PutTemplate(&store.TemplateRecord{Name: "other_notice", Kind: "custom", Subject: "Other", Text: "x", Enabled: true, UpdatedAt: f.at})
	},
	"DeleteTemplate": func(tx store.Tx, f *fixture) error { return tx.DeleteTemplate("closed_notice") },
	"CreateAutomation": func(tx store.Tx, f *fixture) error {
		return tx.CreateAutomation(&store.Automation{Name: "new", Event: "item.status_changed", Conditions: map[string]string{},
			Actions: []store.AutomationAction{}, CreatedAt: f.at})
	},
	"PutAutomation":    func(tx store.Tx, f *fixture) error { a := *f.auto; a.Name = "renamed"; return tx.PutAutomation(&a) },
	"DeleteAutomation": func(tx store.Tx, f *fixture) error { return tx.DeleteAutomation(f.auto.ID) },
	"AddBuiltinRuns":   func(tx store.Tx, f *fixture) error { return tx.AddBuiltinRuns(1, 1) },

	// Mailboxes.
	"CreateMailbox": func(tx store.Tx, f *fixture) error {
		m := *f.mailbox
		m.ID, m.Username = 0, "other"
		return tx.CreateMailbox(&m)
	},
	"PutMailbox":    func(tx store.Tx, f *fixture) error { m := *f.mailbox; m.LastUID = 43; return tx.PutMailbox(&m) },
	"DeleteMailbox": func(tx store.Tx, f *fixture) error { return tx.DeleteMailbox(f.mailbox.ID) },

	// Outbox and webhooks.
	"AddOutboxEvent": func(tx store.Tx, f *fixture) error {
		return tx.AddOutboxEvent(&store.OutboxEvent{Type: "message.created", At: f.at, Data: json.RawMessage(`{}`)}, outboxConsumer)
	},
	"ClaimOutbox": func(tx store.Tx, f *fixture) error { _, err := tx.ClaimOutbox(outboxConsumer, 10); return err },
	"AckOutbox": func(tx store.Tx, f *fixture) error {
		evs, err := tx.ClaimOutbox(outboxConsumer, 10)
		if err != nil || len(evs) == 0 {
			return fmt.Errorf("nothing queued: %v", err)
		}
		return tx.AckOutbox(outboxConsumer, []uint64{evs[0].ID})
	},
	"CreateWebhook": func(tx store.Tx, f *fixture) error {
		return tx.CreateWebhook(&store.Webhook{URL: "https://hooks.example.com/new", Events: []string{"message.created"}, Enabled: true, Secret: "whsec_bmV3", CreatedAt: f.at})
	},
	"PutWebhook":    func(tx store.Tx, f *fixture) error { w := *f.hook; w.Enabled = false; return tx.PutWebhook(&w) },
	"DeleteWebhook": func(tx store.Tx, f *fixture) error { return tx.DeleteWebhook(f.hook.ID) },
	"AddWebhookDelivery": func(tx store.Tx, f *fixture) error {
		return tx.AddWebhookDelivery(&store.WebhookDelivery{WebhookID: f.hook.ID, EventID: 2, Type: "message.created", Body: "{}", CreatedAt: f.at,
			Status: store.WebhookPending, NextAttemptAt: f.at})
	},
	"PutWebhookDelivery": func(tx store.Tx, f *fixture) error {
		d := *f.hookDel
		d.Attempts, d.LastStatusCode = 1, 500
		return tx.PutWebhookDelivery(&d)
	},
	"ClaimWebhookDeliveries": func(tx store.Tx, f *fixture) error {
		got, err := tx.ClaimWebhookDeliveries(f.at.Add(time.Hour), "node-x", f.at.Add(2*time.Hour), 10)
		if err == nil && len(got) == 0 {
			err = errors.New("nothing claimed")
		}
		return err
	},
	"PruneWebhookDeliveries": func(tx store.Tx, f *fixture) error {
		return pruned(tx.PruneWebhookDeliveries(f.at.Add(24*time.Hour), 10))
	},
}

// readMethods are the methods of store.Tx that change nothing (TryLock
// takes a lock that ends with the transaction).
var readMethods = []string{
	"AttachmentData", "Automation", "Automations", "BouncedAddress", "BuiltinRuns", "Conversation", "Conversations",
	"ItemConversations", "ConversationsByActivity",
	"CountOutboundEmails", "Customer", "CustomerByEmail", "Customers", "Deliveries", "Delivery", "DueOutbound", "DueTimers",
	"EmailDeliveries", "HasAdmin", "Inbox", "Invitation", "InvitationsOf", "Item", "Items", "ListMailLog", "MailLog", "MailLogRaw",
	"Mailbox", "Mailboxes", "Message", "MessageIDs", "MessageRef", "Messages", "NewestMessageIDs", "NextOutbound", "NextTimer",
	"NextWebhookDelivery", "Outbound", "OutboundByMessageID", "OutboundPending", "OutboundRaw", "OutboxQueued", "PasswordHash",
	"Project", "Projects", "SearchConversations", "Session", "Settings", "Team", "Teams", "Template", "Templates", "TimerCount",
	"TimerDue", "TokenPrincipal", "Tokens", "TryLock", "UnseenCount", "UnseenCounts", "User", "UserByEmail", "UserExists", "Users",
	"UsersWithOpenSettings", "Webhook", "WebhookDeliveries", "WebhookDelivery", "Webhooks",
}

// invisibleWrites are write methods whose case changes nothing the
// fingerprint sees, with why (their case still proves a group survives
// them).
var invisibleWrites = map[string]string{
	"NewOutboundID": "allocates an id; only a later PutOutbound stores a record",
	"ClaimOutbox":   "locks (PostgreSQL) the events it returns; nothing is stored",
}

const (
	rateKey        = "group-rate"
	outboxConsumer = "group-consumer"
)

// pruned turns a prune's count into an error when it pruned nothing (the
// case would not be a write).
func pruned(n int, err error) error {
	if err == nil && n == 0 {
		return errors.New("pruned nothing")
	}
	return err
}

// CheckClassified fails when a method of store.Tx is neither a read nor
// has a group case (or is both, or a name is listed that is no method).
func CheckClassified(t *testing.T) {
	ty := reflect.TypeFor[store.Tx]()
	methods := map[string]bool{}
	for i := range ty.NumMethod() {
		methods[ty.Method(i).Name] = true
	}
	reads := map[string]bool{}
	for _, m := range readMethods {
		reads[m] = true
		if !methods[m] {
			t.Errorf("readMethods lists %s, not a method of store.Tx", m)
		}
		if writeCases[m] != nil {
			t.Errorf("%s is both a read and a write case", m)
		}
	}
	for m := range writeCases {
		if !methods[m] {
			t.Errorf("writeCases has %s, not a method of store.Tx", m)
		}
	}
	for m := range methods {
		if !reads[m] && writeCases[m] == nil {
			t.Errorf("store.Tx.%s is neither in readMethods nor in writeCases: give it a group case (storetest/groupwrites.go) if it writes", m)
		}
	}
}

// fixture is what the cases write to, read inside their transaction.
type fixture struct {
	at          time.Time
	user        *store.User
	cust        *store.Customer
	rcpt, crcpt store.Recipient
	team        *store.Team
	project     *store.Project
	item        *store.Item
	conv        *store.Conversation
	msgs        []*store.Message
	out         *store.OutboundEmail
	log         *store.MailLogEntry
	auto        *store.Automation
	mailbox     *store.Mailbox
	hook        *store.Webhook
	hookDel     *store.WebhookDelivery
}

func loadFixture(tx store.Tx) (*fixture, error) {
	f := &fixture{at: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	var err error
	if f.user, err = tx.UserByEmail("ann@example.com"); err != nil {
		return nil, err
	}
	if f.cust, err = tx.CustomerByEmail("carol@example.com"); err != nil {
		return nil, err
	}
	f.rcpt = store.Recipient{Type: store.KindUser, ID: f.user.ID, Email: f.user.Email, Name: f.user.Name}
	f.crcpt = store.Recipient{Type: store.KindCustomer, ID: f.cust.ID, Email: f.cust.Email}
	teams, err := tx.Teams()
	if err != nil || len(teams) == 0 {
		return nil, fmt.Errorf("teams: %d, %v", len(teams), err)
	}
	f.team = &teams[0]
	projects, err := tx.Projects()
	if err != nil || len(projects) == 0 {
		return nil, fmt.Errorf("projects: %d, %v", len(projects), err)
	}
	f.project = &projects[0]
	convs, err := tx.Conversations()
	if err != nil || len(convs) == 0 {
		return nil, fmt.Errorf("conversations: %d, %v", len(convs), err)
	}
	f.conv = &convs[0]
	if f.item, err = tx.Item(f.conv.ItemID); err != nil {
		return nil, err
	}
	msgs, err := tx.Messages(f.conv.ID)
	if err != nil || len(msgs) < 3 {
		return nil, fmt.Errorf("messages: %d, %v", len(msgs), err)
	}
	for i := range msgs {
		f.msgs = append(f.msgs, &msgs[i])
	}
	if f.out, err = tx.OutboundByMessageID("dg.0@support.test"); err != nil {
		return nil, err
	}
	logs, err := tx.ListMailLog(store.MailLogQuery{})
	if err != nil || len(logs) == 0 {
		return nil, fmt.Errorf("mail log: %d, %v", len(logs), err)
	}
	f.log = &logs[0]
	autos, err := tx.Automations()
	if err != nil {
		return nil, err
	}
	for i := range autos {
		if autos[i].Name == "close" {
			f.auto = &autos[i]
		}
	}
	if f.auto == nil {
		return nil, errors.New("no automation")
	}
	mbs, err := tx.Mailboxes()
	if err != nil || len(mbs) == 0 {
		return nil, fmt.Errorf("mailboxes: %d, %v", len(mbs), err)
	}
	f.mailbox = &mbs[0]
	hooks, err := tx.Webhooks()
	if err != nil || len(hooks) == 0 {
		return nil, fmt.Errorf("webhooks: %d, %v", len(hooks), err)
	}
	f.hook = &hooks[0]
	dels, err := tx.WebhookDeliveries(f.hook.ID)
	if err != nil || len(dels) == 0 {
		return nil, fmt.Errorf("webhook deliveries: %d, %v", len(dels), err)
	}
	f.hookDel = &dels[0]
	return f, nil
}

// groupExtras adds to Populate what Export does not copy: an outbox event
// queued, a webhook delivery due, a rate window.
func groupExtras(tx store.Tx) error {
	f := &fixture{at: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	if err := tx.AddOutboxEvent(&store.OutboxEvent{Type: "message.created", At: f.at, Data: json.RawMessage(`{"id":1}`)}, outboxConsumer); err != nil {
		return err
	}
	hooks, err := tx.Webhooks()
	if err != nil || len(hooks) == 0 {
		return fmt.Errorf("webhooks: %d, %v", len(hooks), err)
	}
	if err := tx.AddWebhookDelivery(&store.WebhookDelivery{WebhookID: hooks[0].ID, EventID: 1, Type: "message.created", Body: `{"id":1}`,
		CreatedAt: f.at, Status: store.WebhookPending, NextAttemptAt: f.at}); err != nil {
		return err
	}
	_, _, err = tx.HitRate(rateKey, f.at, time.Hour)
	return err
}

// errProbe ends the transactions that only look.
var errProbe = errors.New("probe: roll back")

// fingerprint is everything the store holds, as comparable text: the
// export, and what Export leaves out (outbox, webhook deliveries, rate
// windows: read in a write transaction that is then rolled back).
func fingerprint(t *testing.T, st store.Store) []string {
	t.Helper()
	var out []string
	for _, r := range ExportAll(t, st) {
		out = append(out, fmt.Sprintf("%s %d %x %s %q", r.Kind, r.ID, r.Key, r.Doc, r.Blob))
	}
	err := st.Update(context.Background(), func(tx store.Tx) error {
		n, err := tx.OutboxQueued(outboxConsumer)
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprint("outbox queued ", n))
		hooks, err := tx.Webhooks()
		if err != nil {
			return err
		}
		for _, h := range hooks {
			dels, err := tx.WebhookDeliveries(h.ID)
			if err != nil {
				return err
			}
			for _, d := range dels {
				doc, _ := json.Marshal(d)
				out = append(out, fmt.Sprintf("webhook delivery %s", doc))
			}
		}
		at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
		count, until, err := tx.HitRate(rateKey, at, time.Hour)
		if err != nil {
			return err
		}
		out = append(out, fmt.Sprint("rate ", count, until.UTC()))
		return errProbe
	})
	if !errors.Is(err, errProbe) {
		t.Fatalf("fingerprint: %v", err)
	}
	sort.Strings(out)
	return out
}

// testGroupRefusalLeavesNothing: in a group, a function that calls a write
// method and then returns an error leaves nothing behind, and the other
// functions of the group commit; one case per write method of store.Tx,
// all on one populated store (each case must leave it as it found it).
func testGroupRefusalLeavesNothing(t *testing.T, b Backend) {
	st, _ := b.Open(t)
	gu, ok := st.(store.GroupUpdater)
	if !ok {
		t.Fatalf("%s does not commit groups (store.GroupUpdater)", b.Name)
	}
	Populate(t, st)
	if err := update(st, groupExtras); err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, st)
	for _, name := range sortedKeys(writeCases) {
		call := writeCases[name]
		t.Run(name, func(t *testing.T) {
			errRefused := errors.New("refused after writing")
			var callErr error
			good := func(email string) func(store.Tx) error {
				return func(tx store.Tx) error { return tx.CreateCustomer(&store.Customer{Email: email}) }
			}
			goods := []string{"before-" + name + "@group.test", "after-" + name + "@group.test"}
			errs := gu.UpdateGroup(context.Background(),
				good(goods[0]),
				func(tx store.Tx) error {
					f, err := loadFixture(tx)
					if err != nil {
						callErr = err
						return err
					}
					if callErr = call(tx, f); callErr != nil {
						return callErr
					}
					return errRefused
				},
				good(goods[1]))
			if callErr != nil {
				t.Fatalf("the case's call failed, so it is no write: %v", callErr)
			}
			if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], errRefused) {
				t.Fatalf("answers %v, want nil, the function's own error, nil", errs)
			}
			err := view(st, func(tx store.Tx) error {
				for _, e := range goods {
					if _, err := tx.CustomerByEmail(e); err != nil {
						t.Errorf("the group's other function (%s) did not commit: %v", e, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := diff(before, withoutGoods(fingerprint(t, st))); d != "" {
				t.Errorf("the refused function's %s left a trace:\n%s", name, d)
			}
		})
	}
}

// testGroupCasesWrite: each case of writeCases, committed alone, changes
// what fingerprint sees, else the refusal check proves nothing for it.
// Whether a case writes is a property of the case, not of the backend, so
// this runs on bbolt only, where a fresh store per case is cheap.
func testGroupCasesWrite(t *testing.T, b Backend) {
	if b.Name != store.BackendBolt {
		t.Skip("checked on bbolt (a fresh store per case)")
	}
	for _, name := range sortedKeys(writeCases) {
		call := writeCases[name]
		t.Run(name, func(t *testing.T) {
			if why, ok := invisibleWrites[name]; ok {
				t.Skip(why)
			}
			st, _ := b.Open(t)
			Populate(t, st)
			if err := update(st, groupExtras); err != nil {
				t.Fatal(err)
			}
			before := fingerprint(t, st)
			if err := update(st, func(tx store.Tx) error {
				f, err := loadFixture(tx)
				if err != nil {
					return err
				}
				return call(tx, f)
			}); err != nil {
				t.Fatal(err)
			}
			if diff(before, fingerprint(t, st)) == "" {
				t.Errorf("%s's case changes nothing when committed", name)
			}
		})
	}
}

// withoutGoods drops the records of the group's other functions.
func withoutGoods(fp []string) []string {
	var out []string
	for _, l := range fp {
		if !strings.Contains(l, "@group.test") {
			out = append(out, l)
		}
	}
	return out
}

// diff lists the lines only one of a and b (sorted) has.
func diff(a, b []string) string {
	in := func(xs []string) map[string]int {
		m := map[string]int{}
		for _, x := range xs {
			m[x]++
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out string
	for _, x := range a {
		if mb[x] < ma[x] {
			out += "- " + x + "\n"
			ma[x]--
		}
	}
	ma = in(a)
	for _, x := range b {
		if ma[x] < mb[x] {
			out += "+ " + x + "\n"
			mb[x]--
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Package recordtest holds what the golden tests of the backends' record
// encodings share: one fully populated sample of each record type of
// package store, a check that a sample is full, and the comparison with
// (or, with -update, rewriting of) the committed golden files.
package recordtest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

// updateGoldens makes the golden tests of the backends' record encodings
// (store/boltstore, store/pgstore: TestRecordGoldens) rewrite their files
// under testdata/ instead of comparing with them:
//
//	go test ./store/boltstore/ ./store/pgstore/ -run Golden -update
//
// (docs/building.md). Review the diff: a changed golden file is a changed
// format on disk, which the records already stored must still decode to.
var updateGoldens = flag.Bool("update", false, "rewrite the golden files of the record encodings under testdata/")

// Sample is a fully populated record, for golden tests of a backend's
// encoding: Value is a pointer to the record.
type Sample struct {
	Value any
}

// Name is the record type's name, which names its golden file.
func (s Sample) Name() string { return reflect.TypeOf(s.Value).Elem().Name() }

// Type is the record's type (not the pointer's).
func (s Sample) Type() reflect.Type { return reflect.TypeOf(s.Value).Elem() }

// goldenTime is a time with nanoseconds, so an encoding that dropped them shows.
var goldenTime = time.Date(2026, 12, 7, 9, 30, 15, 123456789, time.UTC)

func at(d time.Duration) time.Time { return goldenTime.Add(d) }

func ptr[T any](v T) *T { return &v }

// Samples returns one fully populated value of each record type of package
// store that a backend keeps (Populated checks it is full, so that a field
// added to a record must be added here, and the goldens rewritten, before
// the golden tests pass). Every field is set to a value distinct from the
// others of its record, so a swapped field shows too.
func Samples() []Sample {
	return []Sample{
		{&store.User{ID: 11, Email: "ann@example.com", Name: "Ann Agent", Role: store.RoleAdmin, CreatedAt: at(0),
			RetiredAt: at(time.Hour)}},
		{&store.Customer{ID: 12, Email: "carol@example.net", Name: "Carol Customer", CreatedAt: at(time.Minute)}},
		{&store.Team{ID: 13, Name: "Support", UserIDs: []uint64{11, 14}, CreatedAt: at(2 * time.Minute)}},
		{&store.Invitation{ID: 15, ProjectID: 16, UserID: 11, TeamID: 13, InvitedBy: 17, Status: store.InvitationAccepted,
			CreatedAt: at(3 * time.Minute), SettledAt: at(4 * time.Minute), SettledBy: 18}},
		{&store.Session{UserID: 11, CreatedAt: at(5 * time.Minute), ExpiresAt: at(24 * time.Hour)}},
		{&store.PasswordLink{UserID: 11, Purpose: store.LinkReset, CreatedAt: at(6 * time.Minute), ExpiresAt: at(2 * time.Hour)}},
		{&store.Principal{Kind: store.KindCustomer, ID: 12, CreatedAt: at(7 * time.Minute), LastUsed: at(8 * time.Minute),
			Minted: store.MintedSession}},
		{&store.Settings{ConversationVisibility: "followed", ShowFromCustomers: true, FromCustomers: "mine",
			FromUsersAndBot: "none", FollowedInternal: true, EmailAssignmentChanges: true, EmailNewMembers: true,
			AcceptAllInvitations: true}},
		{&store.Project{ID: 16, Name: "Website", Followers: []uint64{11, 19}, Teams: []uint64{13}, CreatedAt: at(9 * time.Minute)}},
		{&store.Item{ID: 20, ProjectID: 16, Title: "Login fails", Status: store.ItemClosed, Followers: []uint64{11},
			Assignees: []uint64{19}, CreatedAt: at(10 * time.Minute)}},
		{&store.Conversation{ID: 21, ItemID: 20, ProjectID: 16, Kind: store.KindExternal, Subject: "Cannot log in",
			Followers: []uint64{11, 19}, CustomerIDs: []uint64{12}, CreatedAt: at(11 * time.Minute),
			LastMessageAt: at(12 * time.Minute)}},
		{&store.Message{ID: 22, ConversationID: 21, Kind: store.KindExternal,
			Author: store.Author{Type: store.AuthorCustomer, ID: 12, Email: "carol@example.net", Name: "Carol Customer"},
			Body:   "It says wrong password.", HTML: "<p>It says wrong password.</p>", FullText: "It says wrong password.\n> earlier",
			Attachments: []store.Attachment{{ID: 23, Filename: "screen.png", ContentType: "image/png", Size: 2048,
				ContentID: "img1@example.net", Inline: true}},
			Source: store.SourceSMTP, EmailMessageID: "abc@example.net", CreatedAt: at(12 * time.Minute),
			Cause: "automation 2 “welcome”", Unverified: true}},
		{&store.MessageRef{ConversationID: 21, MessageID: 22, Sender: "carol@example.net"}},
		{&store.Delivery{MessageID: 22, ConversationID: 21,
			Recipient:  store.Recipient{Type: store.KindUser, ID: 11, Email: "ann@example.com", Name: "Ann Agent"},
			NotifiedAt: at(13 * time.Minute), SeenAt: ptr(at(14 * time.Minute)), EmailStatus: store.EmailSent,
			EmailedAt: ptr(at(15 * time.Minute)), OutboundID: 24, Detail: "250 2.0.0 ok"}},
		{&store.MailLogEntry{ID: 25, Direction: store.DirInbound, At: at(16 * time.Minute), From: "carol@example.net",
			To: "support@support.test", Subject: "Cannot log in", MessageID: "abc@example.net", Status: "created",
			Detail: "new conversation", Class: "human", ConversationID: 21, MessageIDInt: 22, Size: 4096,
			UpdatedAt: at(17 * time.Minute), Source: store.SourceIMAP,
			Auth:       &store.MailAuth{SPF: "pass", DKIM: "pass", DMARC: "pass", ARC: "none", Reason: "aligned"},
			AutoAnswer: ptr(true), AutoAnswerReason: "a person wrote it"}},
		{&store.OutboundEmail{ID: 24, MailLogID: 26, Recipient: "ann@example.com", EnvelopeFrom: "bounce+t0k@support.test",
			MessageID: "out1@support.test", ConversationID: 21, Cause: "automation 1", State: store.OutboundSent, Signed: true,
			RawNotLogged: true, QueuedAt: at(18 * time.Minute), Attempts: 2, LastAttempt: at(19 * time.Minute),
			NextAttempt: at(20 * time.Minute), LastResult: "250 2.0.0 queued", DoneAt: at(21 * time.Minute)}},
		{&store.BouncedAddress{Address: "gone@example.org", Status: "5.1.1", At: at(22 * time.Minute), Until: at(72 * time.Hour)}},
		{&store.Mailbox{ID: 27, Host: "imap.example.com", Port: 993, TLS: "tls", Username: "help@example.com",
			Password: "s3cret", Folder: "INBOX", After: "move:Done", PollInterval: 90 * time.Second,
			ImportSince: at(-24 * time.Hour), CreatedAt: at(23 * time.Minute), Generation: 3, Started: true,
			UIDValidity: 1764755003, LastUID: 42, AfterUID: 41, BacklogUID: 30, RescanUID: 29, State: "error",
			LastError: "authentication failed", LastSyncAt: at(24 * time.Minute), LeaseNode: "node-a",
			LeaseUntil: at(25 * time.Minute)}},
		{&store.TemplateRecord{Name: "welcome", Kind: "custom", Subject: "Welcome {{.Customer.Name}}", Text: "Hello",
			HTML: "<p>Hello</p>", Edited: true, Enabled: true, UpdatedAt: at(26 * time.Minute)}},
		{&store.Automation{ID: 28, Name: "welcome", Event: "message.created", Conditions: map[string]string{"author_type": "customer"},
			Actions: []store.AutomationAction{{Type: "send_email", Conversation: "external", Template: "welcome", To: "customers"}},
			Enabled: true, LastError: "template missing", LastErrorAt: ptr(at(27 * time.Minute)), Runs: 5,
			CreatedAt: at(28 * time.Minute)}},
		{&store.OutboxEvent{ID: 29, Type: "message.created", At: at(29 * time.Minute), Data: json.RawMessage(`{"id":22}`)}},
		{&store.Webhook{ID: 30, URL: "https://hooks.example.com/deskgate", Events: []string{"message.created", "item.created"},
			Enabled: true, Secret: "whsec_c2VjcmV0", CreatedAt: at(30 * time.Minute), DisabledReason: "HTTP 410"}},
		{&store.WebhookDelivery{ID: 31, WebhookID: 30, EventID: 29, Type: "message.created", Body: `{"type":"message.created"}`,
			CreatedAt: at(31 * time.Minute), Status: store.WebhookFailed, Attempts: 4, LastStatusCode: 502, LastError: "HTTP 502",
			NextAttemptAt: at(32 * time.Minute), DeliveredAt: at(33 * time.Minute), LeaseNode: "node-b",
			LeaseUntil: at(34 * time.Minute)}},
	}
}

// Populated fails t for each field of v, at any depth, that holds its
// zero value (an empty slice or map counts as zero): a golden of a
// partly filled record would not show what the missing fields encode to.
func Populated(t testing.TB, v any) {
	t.Helper()
	populated(t, reflect.ValueOf(v), reflect.TypeOf(v).String())
}

func populated(t testing.TB, v reflect.Value, path string) {
	t.Helper()
	if v.IsZero() || (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.Len() == 0 {
		t.Errorf("%s is zero in the sample: set it, so the golden shows its encoding", path)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		populated(t, v.Elem(), path)
	case reflect.Slice:
		for i := range v.Len() {
			populated(t, v.Index(i), path+"[i]")
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			populated(t, v.MapIndex(k), path+"[k]")
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			return
		}
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				populated(t, v.Field(i), path+"."+f.Name)
			}
		}
	}
}

// Golden compares got with the file at path, or with -update writes it.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *updateGoldens {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (a new record type? run go test -run Golden -update and commit the file)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the encoding changed from %s:\n got: %s\nwant: %s\n"+
			"Records already on disk are in the old encoding: keep it decodable, then rewrite the golden with -update.",
			path, got, want)
	}
}

// ReadGolden returns the committed golden file at path.
func ReadGolden(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

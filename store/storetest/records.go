package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/deskgate/deskgate/store"
)

func testPeopleTokensSettings(t *testing.T, b Backend) {
	s, reopen := b.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		if has, err := tx.HasAdmin(); err != nil || has {
			t.Fatalf("empty store has an admin: %v %v", has, err)
		}
		u := &store.User{Email: " Ann@Example.COM ", Name: "Ann", Role: store.RoleAdmin, CreatedAt: at}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		if u.ID == 0 || u.Email != "ann@example.com" {
			t.Fatalf("created %+v", u)
		}
		if err := tx.CreateUser(&store.User{Email: "ann@example.com", Role: store.RoleAgent}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second user with the address: %v", err)
		}
		if err := tx.CreateUser(&store.User{Email: "bob@example.com", Name: "Bob", Role: store.RoleAgent}); err != nil {
			return err
		}
		c := &store.Customer{Email: "Carol@example.com", Name: "Carol"}
		if err := tx.CreateCustomer(c); err != nil {
			return err
		}
		if err := tx.CreateCustomer(&store.Customer{Email: "carol@EXAMPLE.com"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second customer with the address: %v", err)
		}
		// A trailing dot (a fully qualified domain) is the same address.
		if err := tx.CreateCustomer(&store.Customer{Email: "carol@example.com."}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second customer with the address and a trailing dot: %v", err)
		}
		if err := tx.CreateUser(&store.User{Email: "ann@example.com.", Role: store.RoleAgent}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second user with the address and a trailing dot: %v", err)
		}
		if err := tx.PutToken("secret-1", store.Principal{Kind: store.KindUser, ID: u.ID}); err != nil {
			return err
		}
		if err := tx.PutToken("secret-2", store.Principal{Kind: store.KindCustomer, ID: c.ID}); err != nil {
			return err
		}
		open := store.DefaultSettings()
		open.FromCustomers = "all"
		return tx.PutSettings(u.ID, open)
	})
	if err != nil {
		t.Fatal(err)
	}
	s = reopen()
	_ = view(s, func(tx store.Tx) error {
		u, err := tx.UserByEmail("ANN@example.com")
		if err != nil || u.Name != "Ann" || u.Role != store.RoleAdmin || !u.CreatedAt.Equal(at) {
			t.Fatalf("user by email: %+v %v", u, err)
		}
		if d, err := tx.UserByEmail("ann@Example.com."); err != nil || d.ID != u.ID {
			t.Fatalf("user by email with a trailing dot: %+v %v", d, err)
		}
		if c, err := tx.CustomerByEmail("carol@example.com."); err != nil || c.Name != "Carol" {
			t.Fatalf("customer by email with a trailing dot: %+v %v", c, err)
		}
		if got, err := tx.User(u.ID); err != nil || !reflect.DeepEqual(got, u) {
			t.Fatalf("user by id: %+v %v", got, err)
		}
		if _, err := tx.User(999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
		if _, err := tx.UserByEmail("nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user by email: %v", err)
		}
		users := must(tx.Users())
		if len(users) != 2 || users[0].Email != "ann@example.com" || users[1].Email != "bob@example.com" {
			t.Fatalf("users by id: %+v", users)
		}
		if has, err := tx.HasAdmin(); err != nil || !has {
			t.Fatalf("has admin: %v %v", has, err)
		}
		if ok := must(tx.UserExists(users[1].ID)); !ok {
			t.Fatal("user exists: false")
		}
		if ok := must(tx.UserExists(999)); ok {
			t.Fatal("user 999 exists")
		}
		c, err := tx.CustomerByEmail("carol@example.com")
		if err != nil || c.Name != "Carol" {
			t.Fatalf("customer: %+v %v", c, err)
		}
		if got, err := tx.Customer(c.ID); err != nil || got.Email != "carol@example.com" {
			t.Fatalf("customer by id: %+v %v", got, err)
		}
		if _, err := tx.Customer(999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing customer: %v", err)
		}
		if p, err := tx.TokenPrincipal("secret-1"); err != nil || *p != (store.Principal{Kind: store.KindUser, ID: u.ID}) {
			t.Fatalf("token 1: %+v %v", p, err)
		}
		if p, err := tx.TokenPrincipal("secret-2"); err != nil || *p != (store.Principal{Kind: store.KindCustomer, ID: c.ID}) {
			t.Fatalf("token 2: %+v %v", p, err)
		}
		if _, err := tx.TokenPrincipal("guess"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		if set, err := tx.Settings(users[1].ID); err != nil || set != store.DefaultSettings() {
			t.Fatalf("default settings: %+v %v", set, err)
		}
		if set, err := tx.Settings(u.ID); err != nil || set.FromCustomers != "all" {
			t.Fatalf("stored settings: %+v %v", set, err)
		}
		if ids := must(tx.UsersWithOpenSettings()); !reflect.DeepEqual(ids, []uint64{u.ID}) {
			t.Fatalf("open settings: %v", ids)
		}
		return nil
	})
}

func testWorkRecords(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	err := update(s, func(tx store.Tx) error {
		p := &store.Project{Name: "Support", Followers: []uint64{1}}
		if err := tx.CreateProject(p); err != nil {
			return err
		}
		it := &store.Item{ProjectID: p.ID, Title: "Printer", Followers: []uint64{}, Assignees: []uint64{2}}
		if err := tx.CreateItem(it); err != nil {
			return err
		}
		for i := range 3 {
			c := &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: store.KindExternal, Subject: fmt.Sprint("s", i),
				Followers: []uint64{1}, CustomerIDs: []uint64{7}}
			if err := tx.CreateConversation(c); err != nil {
				return err
			}
			if c.ID == 0 || c.CreatedAt.IsZero() {
				t.Fatalf("created %+v", c)
			}
		}
		// A second item, its conversation created between the first's.
		other := &store.Item{ProjectID: p.ID, Title: "Scanner", Followers: []uint64{}, Assignees: []uint64{}}
		if err := tx.CreateItem(other); err != nil {
			return err
		}
		oc := &store.Conversation{ItemID: other.ID, ProjectID: p.ID, Kind: store.KindInternal, Subject: "scan"}
		if err := tx.CreateConversation(oc); err != nil {
			return err
		}
		if cs, err := tx.ItemConversations(other.ID); err != nil || len(cs) != 1 || cs[0].ID != oc.ID {
			t.Fatalf("item conversations in the transaction that created them: %+v %v", cs, err)
		}
		c := &store.Conversation{ItemID: it.ID, ProjectID: p.ID, Kind: store.KindInternal, Subject: "s3"}
		if err := tx.CreateConversation(c); err != nil {
			return err
		}
		p.Followers = append(p.Followers, 3)
		if err := tx.PutProject(p); err != nil {
			return err
		}
		it.Title = "Printer on fire"
		return tx.PutItem(it)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		ps := must(tx.Projects())
		if len(ps) != 1 || !reflect.DeepEqual(ps[0].Followers, []uint64{1, 3}) {
			t.Fatalf("projects %+v", ps)
		}
		if it, err := tx.Item(1); err != nil || it.Title != "Printer on fire" || !reflect.DeepEqual(it.Assignees, []uint64{2}) {
			t.Fatalf("item %+v %v", it, err)
		}
		cs := must(tx.Conversations())
		if len(cs) != 5 || cs[0].Subject != "s0" || cs[2].Subject != "s2" || cs[0].ID >= cs[1].ID {
			t.Fatalf("conversations by id: %+v", cs)
		}
		var subjects []string
		for _, c := range must(tx.ItemConversations(1)) {
			subjects = append(subjects, c.Subject)
		}
		if !reflect.DeepEqual(subjects, []string{"s0", "s1", "s2", "s3"}) {
			t.Fatalf("item 1's conversations by id: %q", subjects)
		}
		if cs := must(tx.ItemConversations(2)); len(cs) != 1 || cs[0].Subject != "scan" {
			t.Fatalf("item 2's conversations: %+v", cs)
		}
		if cs := must(tx.ItemConversations(99)); len(cs) != 0 {
			t.Fatalf("an unknown item's conversations: %+v", cs)
		}
		if c, err := tx.Conversation(cs[1].ID); err != nil || c.Subject != "s1" || !reflect.DeepEqual(c.CustomerIDs, []uint64{7}) {
			t.Fatalf("conversation %+v %v", c, err)
		}
		for _, err := range []error{
			func() error { _, err := tx.Project(99); return err }(),
			func() error { _, err := tx.Item(99); return err }(),
			func() error { _, err := tx.Conversation(99); return err }(),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("missing record: %v", err)
			}
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		c, err := tx.Conversation(2)
		if err != nil {
			return err
		}
		c.LastMessageAt = time.Date(2026, 12, 2, 0, 0, 0, 5, time.UTC)
		c.Followers, _ = store.AddUnique(c.Followers, 4)
		return tx.PutConversation(c)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		c, err := tx.Conversation(2)
		if err != nil || !c.LastMessageAt.Equal(time.Date(2026, 12, 2, 0, 0, 0, 5, time.UTC)) || !reflect.DeepEqual(c.Followers, []uint64{1, 4}) {
			t.Fatalf("after put: %+v %v", c, err)
		}
		if cs := must(tx.ItemConversations(1)); len(cs) != 4 || cs[1].ID != 2 || !reflect.DeepEqual(cs[1].Followers, []uint64{1, 4}) {
			t.Fatalf("item conversations after put: %+v", cs)
		}
		return nil
	})
	testConversationsByActivity(t, s)
}

// testConversationsByActivity: conversations come most recently active
// first (the last message's time, else the creation's; to the
// microsecond, ties by higher id first), in pages after a conversation,
// and a put that changes a conversation's activity moves it.
func testConversationsByActivity(t *testing.T, s store.Store) {
	t.Helper()
	base := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		for i, at := range []time.Duration{5, 1, 3, 3, 2} { // minutes; two tie
			c := &store.Conversation{ItemID: 9, Kind: store.KindInternal, Subject: fmt.Sprint("a", i), CreatedAt: base.Add(at * time.Minute)}
			if err := tx.CreateConversation(c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	order := func(tx store.Tx, limit int) []string {
		var out []string
		var after *store.Conversation
		for {
			cs := must(tx.ConversationsByActivity(after, limit))
			for _, c := range cs {
				if c.ItemID == 9 {
					out = append(out, c.Subject)
				}
			}
			if len(cs) < limit {
				return out
			}
			after = &cs[len(cs)-1]
		}
	}
	want := []string{"a0", "a3", "a2", "a4", "a1"}
	_ = view(s, func(tx store.Tx) error {
		for _, limit := range []int{1, 2, 100} {
			if got := order(tx, limit); !reflect.DeepEqual(got, want) {
				t.Fatalf("by activity, %d a page: %q, want %q", limit, got, want)
			}
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		for _, c := range must(tx.ItemConversations(9)) {
			if c.Subject == "a1" {
				c.LastMessageAt = base.Add(time.Hour)
				return tx.PutConversation(&c)
			}
		}
		return errors.New("a1 not found")
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if got, want := order(tx, 2), []string{"a1", "a0", "a3", "a2", "a4"}; !reflect.DeepEqual(got, want) {
			t.Fatalf("by activity after a1's new message: %q, want %q", got, want)
		}
		return nil
	})
}

func testMessagesAttachmentsRefs(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	var ids []uint64
	err := update(s, func(tx store.Tx) error {
		ids = ids[:0]
		for i := range 5 {
			conv := uint64(1 + i%2) // 1, 2, 1, 2, 1
			m := &store.Message{ConversationID: conv, Kind: store.KindExternal, Body: fmt.Sprint("body ", i),
				Author: store.Author{Type: store.AuthorCustomer, ID: 7, Email: "c@example.com"}, Source: store.SourceSMTP}
			var data [][]byte
			if i == 2 {
				m.Attachments = []store.Attachment{{Filename: "a.txt", ContentType: "text/plain", Size: 3}, {Filename: "b.bin", Size: 0}}
				data = [][]byte{[]byte("abc"), {}}
			}
			if err := tx.CreateMessage(m, data); err != nil {
				return err
			}
			ids = append(ids, m.ID)
		}
		return tx.PutMessageRef("abc@mail.example", store.MessageRef{ConversationID: 2, MessageID: ids[1], Sender: "c@example.com"})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] <= ids[i-1] {
			t.Fatalf("message ids do not grow: %v", ids)
		}
	}
	_ = view(s, func(tx store.Tx) error {
		if got := must(tx.MessageIDs(1)); !reflect.DeepEqual(got, []uint64{ids[0], ids[2], ids[4]}) {
			t.Fatalf("conversation 1 ids %v of %v", got, ids)
		}
		if got := must(tx.NewestMessageIDs(1, 2)); !reflect.DeepEqual(got, []uint64{ids[4], ids[2]}) {
			t.Fatalf("newest 2 of conversation 1: %v", got)
		}
		if got := must(tx.NewestMessageIDs(1, 0)); len(got) != 0 {
			t.Fatalf("newest 0: %v", got)
		}
		if got := must(tx.MessageIDs(3)); len(got) != 0 {
			t.Fatalf("empty conversation: %v", got)
		}
		ms := must(tx.Messages(2))
		if len(ms) != 2 || ms[0].Body != "body 1" || ms[1].Body != "body 3" {
			t.Fatalf("messages of 2: %+v", ms)
		}
		m, err := tx.Message(ids[2])
		if err != nil || len(m.Attachments) != 2 || m.Attachments[0].ID == 0 || m.Attachments[0].ID == m.Attachments[1].ID {
			t.Fatalf("message with attachments: %+v %v", m, err)
		}
		if data, err := tx.AttachmentData(m.Attachments[0].ID); err != nil || string(data) != "abc" {
			t.Fatalf("attachment: %q %v", data, err)
		}
		if data, err := tx.AttachmentData(m.Attachments[1].ID); err != nil || len(data) != 0 {
			t.Fatalf("empty attachment: %q %v", data, err)
		}
		if _, err := tx.AttachmentData(9999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing attachment: %v", err)
		}
		if _, err := tx.Message(9999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing message: %v", err)
		}
		if r, err := tx.MessageRef("abc@mail.example"); err != nil || r.ConversationID != 2 || r.MessageID != ids[1] || r.Sender != "c@example.com" {
			t.Fatalf("message ref %+v %v", r, err)
		}
		if _, err := tx.MessageRef("nope@x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing ref: %v", err)
		}
		return nil
	})
	err = update(s, func(tx store.Tx) error {
		m, err := tx.Message(ids[0])
		if err != nil {
			return err
		}
		m.EmailMessageID = "dg.1@deskgate.test"
		if err := tx.PutMessage(m); err != nil {
			return err
		}
		return tx.PutMessageRef("", store.MessageRef{ConversationID: 1}) // ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		if m, err := tx.Message(ids[0]); err != nil || m.EmailMessageID != "dg.1@deskgate.test" {
			t.Fatalf("after put: %+v %v", m, err)
		}
		return nil
	})
}

func testDeliveriesAndEmailLinks(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 123456789, time.UTC)
	u := store.Recipient{Type: store.KindUser, ID: 2, Email: "u@example.com", Name: "U"}
	c := store.Recipient{Type: store.KindCustomer, ID: 2, Email: "c@example.com"}
	err := update(s, func(tx store.Tx) error {
		for _, r := range []store.Recipient{u, c} {
			d := &store.Delivery{MessageID: 5, ConversationID: 1, Recipient: r, NotifiedAt: at, EmailStatus: store.EmailPending}
			if err := tx.AddDelivery(d); err != nil {
				return err
			}
			if err := tx.LinkEmail(40, d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		ds := must(tx.Deliveries(5))
		// Customers first, then users, as bbolt's keys ('c' < 'u') order them.
		if len(ds) != 2 || ds[0].Recipient.Type != store.KindCustomer || ds[1].Recipient != u || !ds[1].NotifiedAt.Equal(at) {
			t.Fatalf("deliveries %+v", ds)
		}
		if d, err := tx.Delivery(5, u); err != nil || d.EmailStatus != store.EmailPending || d.SeenAt != nil {
			t.Fatalf("delivery %+v %v", d, err)
		}
		if _, err := tx.Delivery(6, u); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing delivery: %v", err)
		}
		ds = must(tx.EmailDeliveries(40))
		if len(ds) != 2 || ds[0].Recipient.Email != "c@example.com" || ds[1].Recipient.Email != "u@example.com" {
			t.Fatalf("email deliveries %+v", ds)
		}
		if ds := must(tx.EmailDeliveries(41)); len(ds) != 0 {
			t.Fatalf("deliveries of another email: %+v", ds)
		}
		return nil
	})
}

// A function's error rolls back what it wrote, and Update returns that
// error itself (the domain tells 404 from 422 by it).
func testRefusalCommitsNothing(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	refused := errors.New("refused")
	err := update(s, func(tx store.Tx) error {
		if err := tx.CreateCustomer(&store.Customer{Email: "half@example.com"}); err != nil {
			return err
		}
		return fmt.Errorf("wrapped: %w", refused)
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Update returned %v, want the function's error", err)
	}
	err = update(s, func(tx store.Tx) error {
		_, err := tx.Conversation(42)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Update returned %v, want not found", err)
	}
	_ = view(s, func(tx store.Tx) error {
		if _, err := tx.CustomerByEmail("half@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a failed function's write was committed: %v", err)
		}
		return nil
	})
}

func testBouncedAddresses(t *testing.T, b Backend) {
	s, _ := b.Open(t)
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	err := update(s, func(tx store.Tx) error {
		return tx.PutBouncedAddress(store.BouncedAddress{Address: "Gone@Example.org", Status: "5.1.1", At: at, Until: at.Add(24 * time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = view(s, func(tx store.Tx) error {
		b, ok, err := tx.BouncedAddress("gone@example.ORG")
		if err != nil || !ok || b.Address != "gone@example.org" || b.Status != "5.1.1" || !b.Until.Equal(at.Add(24*time.Hour)) {
			t.Fatalf("bounced %+v %v %v", b, ok, err)
		}
		if _, ok, err := tx.BouncedAddress("fine@example.org"); ok || err != nil {
			t.Fatalf("not bounced: %v %v", ok, err)
		}
		return nil
	})
}

package bridge

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/deskgate/deskgate/mailparse"
	"github.com/deskgate/deskgate/store"
)

// Threading (SPEC §3), first match wins:
//  1. a reply token (reply+TOKEN@): the conversation it names;
//  2. In-Reply-To, then References newest first, naming a Message-ID
//     deskgate sent or received (the store's Message-ID index, or a
//     conversation's root Message-ID), when the sender is the one that
//     Message-ID was sent by/to, or a participant of that conversation: a
//     Message-ID reused by someone else never merges into another's thread;
//  3. a subject tag [#<conversation id>] when the sender is a participant
//     (a customer of that external conversation, or a staff user who may
//     see it);
//  4. a new external conversation in the "Inbox" project, on a new item
//     named after the subject, with the sender as its customer.
// Reply tokens win over the support@ inbox: a mail to both reply+TOKEN@ and
// support@ is one reply, not a new conversation.

// InboxProject is the name of the default project new conversations from
// support@ go to; it is created on the first such mail.
const InboxProject = "Inbox"

// maxSubject bounds a conversation subject taken from an email (RFC 5322
// §2.1.1 line limit).
const maxSubject = 998

// mailAuthor is who an inbound mail is posted as.
type mailAuthor struct {
	store.Author
	caller Caller
}

// target is one conversation an inbound mail goes to.
type target struct {
	conv        *store.Conversation // nil: a new conversation
	detail      string              // the rule that matched, in words
	addCustomer bool                // the author joins the customers of conv
	suppressed  string              // not posted there, and why
	byTag       bool                // matched by the subject tag only (rule 3), which anyone can type
	unverified  bool                // posted as an unverified sender (SPEC §12)
}

// inboundAuthor resolves the sender to a trusted staff user or to a
// customer (found or created, named from the From display name). A
// non-empty reason means: do not post.
func (s *Inbound) inboundAuthor(tx store.PeopleTx, p *prepared) (mailAuthor, string, error) {
	if p.sender == "" || !strings.Contains(p.sender, "@") {
		return mailAuthor{}, "no usable sender address (From and MAIL FROM empty or unparsable)", nil
	}
	u, err := tx.UserByEmail(p.sender)
	switch {
	case err == nil && !p.trusted:
		return mailAuthor{}, fmt.Sprintf("From <%s> is staff user %d but is not trusted as that user (%s): not posted", p.sender, u.ID, p.trustWhy), nil
	case err == nil:
		return mailAuthor{Author: store.Author{Type: store.AuthorUser, ID: u.ID, Email: u.Email, Name: u.Name},
			caller: Caller{Kind: store.KindUser, ID: u.ID, Role: u.Role}}, "", nil
	case !errors.Is(err, store.ErrNotFound):
		return mailAuthor{}, "", err
	}
	c, err := tx.CustomerByEmail(p.sender)
	if errors.Is(err, store.ErrNotFound) {
		c = &store.Customer{Email: p.sender, Name: strings.TrimSpace(p.a.FromName), CreatedAt: p.now}
		err = tx.CreateCustomer(c)
	}
	if err != nil {
		return mailAuthor{}, "", err
	}
	return mailAuthor{Author: store.Author{Type: store.AuthorCustomer, ID: c.ID, Email: c.Email, Name: c.Name},
		caller: Caller{Kind: store.KindCustomer, ID: c.ID}}, "", nil
}

// targetsTx decides where the mail goes, per recipient, deduplicated.
func (s *Inbound) targetsTx(tx threadingTx, p *prepared, au mailAuthor) ([]target, error) {
	var out []target
	seen := map[uint64]bool{}
	for _, r := range p.rcpts {
		if r.Kind != rcptReply || seen[r.Reply.Conversation] {
			continue
		}
		seen[r.Reply.Conversation] = true
		t, err := s.tokenTarget(tx, r.Reply, au)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, *t)
		}
	}
	if len(out) > 0 || !p.hasKind(rcptInbox) {
		return out, nil
	}
	t, err := s.threadTx(tx, p.a, au, p.unverified)
	if err != nil {
		return nil, err
	}
	return []target{t}, nil
}

// tokenTarget applies rule 1 for one reply token; nil when the
// conversation no longer exists.
func (s *Inbound) tokenTarget(tx accessTx, tok ReplyToken, au mailAuthor) (*target, error) {
	conv, err := tx.Conversation(tok.Conversation)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	t := &target{conv: conv, detail: fmt.Sprintf("reply token → conversation %d", conv.ID)}
	switch au.Type {
	case store.AuthorUser:
		named := tok.Recipient.Type == store.KindUser && tok.Recipient.ID == au.ID
		ok, err := mayViewConversation(tx, au.caller, conv)
		if err != nil {
			return nil, err
		}
		if !ok && !named {
			t.suppressed = fmt.Sprintf("reply token → conversation %d, which staff user %d may not see: not posted", conv.ID, au.ID)
		}
	default:
		named := tok.Recipient.Type == store.KindCustomer && tok.Recipient.ID == au.ID
		switch {
		case conv.Kind != store.KindExternal:
			t.suppressed = fmt.Sprintf("reply token → internal conversation %d, but <%s> is not staff: not posted", conv.ID, au.Email)
		case named:
			// The From is the token's recipient: the token is the proof.
		case !slices.Contains(conv.CustomerIDs, au.ID):
			// Someone the token holder forwarded the email to (or who
			// forged a From): posted as who it claims to be, unverified,
			// and the token grants no membership (SPEC §12).
			t.detail += fmt.Sprintf(" (<%s> is not the token's recipient nor a customer: posted as an unverified sender, not added)", au.Email)
			t.unverified = true
		default:
			t.detail += fmt.Sprintf(" (<%s> is not the token's recipient: posted as an unverified sender)", au.Email)
			t.unverified = true
		}
	}
	return t, nil
}

// threadTx applies rules 2 to 4 for a mail to the support inbox. An
// unverified From (it fails DMARC) is nobody's proof of identity: rules 2
// and 3 need the sender to be who it says, so it starts a new
// conversation (SPEC §12).
func (s *Inbound) threadTx(tx threadingTx, a *Analysis, au mailAuthor, unverified bool) (target, error) {
	if unverified {
		return target{detail: "new conversation (the From fails DMARC: not threaded by In-Reply-To, References or subject tag)"}, nil
	}
	var skipped []string
	join := false
	try := func(header, id string) (*store.Conversation, error) {
		conv, ref, err := s.lookupMessageID(tx, id)
		if err != nil || conv == nil {
			return nil, err
		}
		ok, err := participant(tx, au, conv)
		if err != nil {
			return nil, err
		}
		if ok {
			return conv, nil
		}
		if ref != nil && ref.Sender == au.Email && sameKindOK(au, conv) {
			// The address deskgate sent this Message-ID to (or received
			// it from) answers: it is part of the thread, and joins it.
			join = au.Type == store.AuthorCustomer
			return conv, nil
		}
		skipped = append(skipped, fmt.Sprintf("%s <%s> names conversation %d, but <%s> is not its participant", header, id, conv.ID, au.Email))
		return nil, nil
	}
	for _, id := range a.InReplyTo {
		if conv, err := try("In-Reply-To", id); conv != nil || err != nil {
			return target{conv: conv, addCustomer: join, detail: fmt.Sprintf("In-Reply-To <%s> → conversation %d", id, convID(conv))}, err
		}
	}
	for i := len(a.References) - 1; i >= 0; i-- {
		id := a.References[i]
		if conv, err := try("References", id); conv != nil || err != nil {
			return target{conv: conv, addCustomer: join, detail: fmt.Sprintf("References <%s> → conversation %d", id, convID(conv))}, err
		}
	}
	// The last tag first: ours is appended to a subject that may quote
	// another (a customer's "[#3]" in a new conversation's subject), and
	// a bounded few are tried.
	tags := subjectTags(a.Subject)
	for i := len(tags) - 1; i >= 0 && i >= len(tags)-maxSubjectTags; i-- {
		id := tags[i]
		conv, err := tx.Conversation(id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			skipped = append(skipped, fmt.Sprintf("subject tag [#%d] names no conversation", id))
		case err != nil:
			return target{}, err
		default:
			ok, err := participant(tx, au, conv)
			if err != nil {
				return target{}, err
			}
			if ok {
				return target{conv: conv, byTag: true, detail: fmt.Sprintf("subject tag [#%d] → conversation %d", id, id)}, nil
			}
			skipped = append(skipped, fmt.Sprintf("subject tag [#%d], but <%s> is not its participant", id, au.Email))
		}
	}
	detail := "new conversation"
	if len(skipped) > 0 {
		detail += " (" + strings.Join(skipped, "; ") + ")"
	}
	return target{detail: detail}, nil
}

func convID(c *store.Conversation) uint64 {
	if c == nil {
		return 0
	}
	return c.ID
}

// sameKindOK: a customer never lands in an internal conversation.
func sameKindOK(au mailAuthor, conv *store.Conversation) bool {
	return au.Type == store.AuthorUser || conv.Kind == store.KindExternal
}

// lookupMessageID finds the conversation of a Message-ID deskgate sent or
// received: the index, or a conversation's root Message-ID.
func (s *Inbound) lookupMessageID(tx conversationTx, id string) (*store.Conversation, *store.MessageRef, error) {
	ref, err := tx.MessageRef(id)
	if err == nil {
		conv, err := tx.Conversation(ref.ConversationID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil
		}
		return conv, ref, err
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	if c, ok := s.parseRootMessageID(id); ok {
		conv, err := tx.Conversation(c)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil, nil
		}
		return conv, nil, err
	}
	return nil, nil, nil
}

// parseRootMessageID recognises rootMessageID(conv) (its MAC makes it
// unforgeable).
func (s *Inbound) parseRootMessageID(id string) (uint64, bool) {
	rest, ok := strings.CutPrefix(strings.ToLower(id), "dg.c")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, ".")
	if !ok {
		return 0, false
	}
	c, err := strconv.ParseUint(num, 10, 64)
	if err != nil || c == 0 {
		return 0, false
	}
	return c, strings.EqualFold(s.addrs.rootMessageID(c), id)
}

// participant: a customer of the (external) conversation, or a staff user
// who may see it.
func participant(tx accessTx, au mailAuthor, conv *store.Conversation) (bool, error) {
	return mayViewConversation(tx, au.caller, conv)
}

var subjectTagRe = regexp.MustCompile(`\[#([0-9]{1,19})\]`)

// maxSubjectTags bounds how many tags of one subject are looked up.
const maxSubjectTags = 4

// subjectTags finds the [#<conversation id>] tags in a subject, in order.
func subjectTags(subject string) []uint64 {
	var ids []uint64
	for _, m := range subjectTagRe.FindAllStringSubmatch(subject, -1) {
		if id, err := strconv.ParseUint(m[1], 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

// postInboundTx posts the mail in one target (creating the conversation
// if new), indexes its Message-ID and writes its mail log entry.
func (s *Inbound) postInboundTx(ctx context.Context, tx inboundPostTx, p *prepared, au mailAuthor, t target, rec *Receipt) ([]store.Delivery, error) {
	if t.suppressed != "" {
		return nil, s.logTx(tx, p, rec, ReceiptEntry{Status: InSuppressed, Detail: t.suppressed, ConversationID: convID(t.conv)})
	}
	status := InThreaded
	conv := t.conv
	if conv == nil {
		status = InCreated
		var err error
		if conv, err = s.newInboundConversation(tx, p, au); err != nil {
			return nil, err
		}
	} else if t.addCustomer {
		conv.CustomerIDs, _ = store.AddUnique(conv.CustomerIDs, au.ID)
	}
	detail := t.detail
	noCc := ""
	switch {
	case p.unverified || t.unverified:
		noCc = "the sender is unverified"
	case p.auth != nil && !p.auth.Aligned:
		noCc = "the sender is not authenticated (no aligned SPF or DKIM pass)"
	case t.byTag:
		noCc = "threaded by the subject tag only"
	}
	if cc, err := s.joinCcTx(tx, p, au, conv, noCc); err != nil {
		return nil, err
	} else if cc != "" {
		detail += "; " + cc
	}
	if au.Type == store.AuthorCustomer && noCc != "" && conv.Kind == store.KindExternal && len(conv.CustomerIDs) > 1 {
		detail += "; not sent to the conversation's other customers: " + noCc
	}
	m, data := inboundMessage(p, au)
	m.Unverified = p.unverified || t.unverified
	ds, err := s.convs.addMessage(ctx, tx, conv, m, data, &mailOrigin{had: p.mailRecipients(), noRelay: noCc})
	if err != nil {
		return nil, err
	}
	if err := indexReceived(tx, p, conv.ID, m.ID); err != nil {
		return nil, err
	}
	return ds, s.logTx(tx, p, rec, ReceiptEntry{Status: status, Detail: detail, ConversationID: conv.ID, MessageID: m.ID})
}

// mailRecipients is the set of the mail's To and Cc addresses, lower-cased.
func (p *prepared) mailRecipients() map[string]bool {
	out := map[string]bool{}
	if p.a.Message == nil {
		return out
	}
	for _, list := range [][]mailparse.Address{p.a.Message.To, p.a.Message.Cc} {
		for _, a := range list {
			if addr := strings.ToLower(strings.TrimSpace(a.Email)); addr != "" {
				out[addr] = true
			}
		}
	}
	return out
}

// indexReceived indexes the mail's Message-ID for threading (rule 2),
// unless another sender already owns it (a reused Message-ID must not
// hijack someone else's thread).
func indexReceived(tx store.MessagesTx, p *prepared, conv, msg uint64) error {
	if p.a.MessageID == "" {
		return nil
	}
	if old, err := tx.MessageRef(p.a.MessageID); err == nil && (old.Sender != p.sender || old.MessageID != 0) {
		return nil
	}
	return tx.PutMessageRef(p.a.MessageID, store.MessageRef{ConversationID: conv, MessageID: msg, Sender: p.sender})
}

// newInboundConversation creates an item in the Inbox project and an
// external conversation on it with the sender as its customer.
func (s *Inbound) newInboundConversation(tx workPeopleTx, p *prepared, au mailAuthor) (*store.Conversation, error) {
	proj, err := inboxProject(tx, p)
	if err != nil {
		return nil, err
	}
	subject := truncateUTF8(strings.TrimSpace(p.a.Subject), maxSubject)
	title := subject
	if title == "" {
		title = "(no subject)"
	}
	// What the mail creates from here on: on PostgreSQL the ids are
	// drawn in one statement and the rows written with the mail log
	// entry, not each in a round trip of its own.
	if err := store.ReserveIDs(tx, store.NewIDs{Items: 1, Conversations: 1, Messages: 1, MailLog: 1}); err != nil {
		return nil, err
	}
	it := &store.Item{ProjectID: proj.ID, Title: title, Followers: []uint64{}, Assignees: []uint64{}, CreatedAt: p.now}
	if err := tx.CreateItem(it); err != nil {
		return nil, err
	}
	conv := &store.Conversation{ItemID: it.ID, ProjectID: proj.ID, Kind: store.KindExternal, Subject: subject,
		Followers: []uint64{}, CustomerIDs: []uint64{}, CreatedAt: p.now}
	if au.Type == store.AuthorCustomer {
		conv.CustomerIDs = append(conv.CustomerIDs, au.ID)
	}
	if err := tx.CreateConversation(conv); err != nil {
		return nil, err
	}
	return conv, nil
}

// inboxProject is the first project named InboxProject, created if none.
// A new Inbox is followed by every admin, so that new mail from customers
// notifies someone under the default settings (from_customers = mine).
func inboxProject(tx workPeopleTx, p *prepared) (*store.Project, error) {
	ps, err := tx.Projects()
	if err != nil {
		return nil, err
	}
	for i := range ps {
		if ps[i].Name == InboxProject {
			return &ps[i], nil
		}
	}
	users, err := tx.Users()
	if err != nil {
		return nil, err
	}
	proj := &store.Project{Name: InboxProject, Followers: []uint64{}, CreatedAt: p.now}
	for _, u := range users {
		if u.Role == store.RoleAdmin {
			proj.Followers = append(proj.Followers, u.ID)
		}
	}
	return proj, tx.CreateProject(proj)
}

// inboundMessage is the message a mail becomes: body = the new reply
// text (the whole text when trimming left nothing), full_text, sanitized
// HTML, attachments (SPEC §3).
func inboundMessage(p *prepared, au mailAuthor) (*store.Message, [][]byte) {
	msg := p.a.Message
	body := strings.TrimSpace(msg.ReplyText)
	if body == "" {
		body = strings.TrimSpace(msg.Text)
	}
	m := &store.Message{Author: au.Author, Body: body, HTML: msg.HTML, FullText: msg.Text,
		Source: p.env.Source, EmailMessageID: p.a.MessageID, CreatedAt: p.now, Attachments: []store.Attachment{}}
	var data [][]byte
	for _, at := range msg.Attachments {
		m.Attachments = append(m.Attachments, store.Attachment{Filename: at.Filename, ContentType: at.ContentType,
			Size: len(at.Data), ContentID: at.ContentID, Inline: at.Inline})
		data = append(data, at.Data)
	}
	return m, data
}

// truncateUTF8 cuts s to at most n bytes on a rune boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

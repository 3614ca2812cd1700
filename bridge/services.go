package bridge

// The services of the domain, one per concept, and how New wires them.
// Each holds the shared core and the few other services it calls.

// Inbound is mail in: recipient checks, receiving (SMTP and IMAP), threading,
// sender authentication, analysis, bounces and the mail log.
type Inbound struct {
	*core
	convs *Conversations
	notes *Notifications
	msgs  *Messaging
	boxes *Mailboxes
	addrs *Addresses
}

// Conversations holds conversations and their messages: creating,
// posting, reading, following, the conversation list and its rows.
type Conversations struct {
	*core
	notes *Notifications
	msgs  *Messaging
	addrs *Addresses
}

// Notifications delivers messages to their recipients: deliveries, seen,
// the unseen-notification timers and their emails, event streams.
type Notifications struct {
	*core
	msgs  *Messaging
	addrs *Addresses
}

// Directory is who and what exists: users, customers, teams, projects,
// items, membership and assignment, and their edits.
type Directory struct {
	*core
	notes *Notifications
	acct  *Accounts
	msgs  *Messaging
	addrs *Addresses
}

// Accounts is signing in: callers, sessions, passwords and their resets,
// lockout, tokens, invitations, first setup and account emails.
type Accounts struct {
	*core
	notes *Notifications
	dir   *Directory
	msgs  *Messaging
	addrs *Addresses
}

// Messaging is the messaging center: templates, automations and their
// worker, and what becomes of outbound emails (outcomes, suppression).
type Messaging struct {
	*core
	inb   *Inbound
	convs *Conversations
	notes *Notifications
	addrs *Addresses
}

// Mailboxes is IMAP mailboxes (leases, checkpoints, fetched mail) and
// the settings.
type Mailboxes struct {
	*core
	inb *Inbound
}

// Addresses makes and reads the addresses and identifiers deskgate puts
// in emails: reply and bounce tokens, Message-IDs, References and links.
type Addresses struct {
	*core
}

// newServices makes the services over c and connects them.
func newServices(c *core) *Service {
	s := &Service{core: c,
		Inbound:       &Inbound{core: c},
		Conversations: &Conversations{core: c},
		Notifications: &Notifications{core: c},
		Directory:     &Directory{core: c},
		Accounts:      &Accounts{core: c},
		Messaging:     &Messaging{core: c},
		Mailboxes:     &Mailboxes{core: c},
		Addresses:     &Addresses{core: c},
	}
	s.Inbound.convs = s.Conversations
	s.Inbound.notes = s.Notifications
	s.Inbound.msgs = s.Messaging
	s.Inbound.boxes = s.Mailboxes
	s.Inbound.addrs = s.Addresses
	s.Conversations.notes = s.Notifications
	s.Conversations.msgs = s.Messaging
	s.Conversations.addrs = s.Addresses
	s.Notifications.msgs = s.Messaging
	s.Notifications.addrs = s.Addresses
	s.Directory.notes = s.Notifications
	s.Directory.acct = s.Accounts
	s.Directory.msgs = s.Messaging
	s.Directory.addrs = s.Addresses
	s.Accounts.notes = s.Notifications
	s.Accounts.dir = s.Directory
	s.Accounts.msgs = s.Messaging
	s.Accounts.addrs = s.Addresses
	s.Messaging.inb = s.Inbound
	s.Messaging.convs = s.Conversations
	s.Messaging.notes = s.Notifications
	s.Messaging.addrs = s.Addresses
	s.Mailboxes.inb = s.Inbound
	return s
}

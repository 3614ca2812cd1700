// Package boltstore is deskgate's embedded store (the default backend of
// store.Store): one bbolt file in the data
// directory. It is the only package that knows bucket names and key
// encodings; every other package sees typed records and methods.
//
// Layout (schema version 2; version 1 had JSON deliveries and settings and an
// inbox index entry per notification). All integer keys are 8-byte
// big-endian, so keys sort numerically and keys that start with a timestamp
// sort by time. Values are JSON records of the types in this package, except
// those marked compact binary (compact.go: a version byte, then uvarints and
// length-prefixed strings).
//
//	meta              "schema" -> "2", "maillog_bytes" -> space the mail log takes (u64)
//	users             id -> User                  users_email: email -> id
//	customers         id -> Customer              customers_email: email -> id
//	tokens            sha256(token) -> Principal with created_at, last_used (tokens are never stored in clear;
//	                  a token's id is the hex of the first 8 bytes of the key)
//	settings          user id -> Settings, compact binary
//	projects          id -> Project
//	items             id -> Item
//	conversations     id -> Conversation
//	messages          id -> Message           conv_messages: conv id|message id -> ""
//	msgids            RFC 5322 Message-ID -> MessageRef (threading index)
//	maillog           id -> MailLogEntry      maillog_time: unix nanos|id -> ""
//	raw               maillog id -> raw RFC 5322 bytes
//	attachments       attachment id -> content bytes (metadata lives in the Message)
//	deliveries        message id|recipient -> Delivery, compact binary (who was notified, seen, emailed)
//	inbox             recipient|conversation id -> "" (conversations a recipient was notified in)
//	conv_recipients   conversation id|recipient -> first notified message, unseen count, first
//	                  possibly unseen message (uvarints); a recipient's notifications in a
//	                  conversation are found by walking conv_messages from there
//	timers            due unix nanos|conversation id|recipient -> "" (unseen-email timers)
//	timer_by_pair     conversation id|recipient -> due unix nanos
//	email_deliveries  outbound email id|message id|recipient -> "" (which deliveries an email carries)
//	bounced_addresses address -> BouncedAddress (hard bounces, for the cooling period)
//	outbound_cap      address 0x00 conv id|unix nanos|seq -> "" (emails queued per address and conversation, for the outbound cap)
//	outbound_cap_time unix nanos|seq -> outbound_cap key (prunes the cap's ledger oldest first)
//	outbound          outbound email id -> OutboundEmail (the queue record, kept after it is final)
//	outbound_raw      outbound email id -> raw message to send (deleted once final)
//	outbound_due      next attempt unix nanos|id -> "" (pending emails only)
//	outbound_msgid    Message-ID -> outbound email id (to match DSNs quoting the message)
//	mailboxes         mailbox id -> Mailbox (IMAP settings, checkpoint, status, lease; mailboxes.go)
//
// A recipient key is 9 bytes: 'u' or 'c' (user or customer), then the id.
//
// Other concepts (notifications, timers, the outbound queue) add their
// buckets in their own files, listed in layout.go.
package boltstore

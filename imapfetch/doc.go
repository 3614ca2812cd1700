// Package imapfetch takes mail from existing IMAP mailboxes (SPEC §11):
// one connection per mailbox, held by one node at a time (a lease in the
// store), waiting with IDLE (RFC 2177) where the server offers it and
// polling otherwise. Every message goes through bridge.ReceiveIMAP, the
// path SMTP mail takes, with the mailbox's (UIDVALIDITY, last UID)
// checkpoint committed in the message's own transaction; the `after`
// action (seen, move, delete) runs only after that commit, so a crash
// between the two neither loses nor doubles a message.
package imapfetch

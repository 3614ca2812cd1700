// Package bridge is deskgate's domain: people, projects, items,
// conversations and messages; who may see what; how an email is threaded
// into a conversation; who is notified of a message and when it is emailed.
//
// Transports (the REST API, the SMTP server, IMAP ingestion) call a
// *Service; the Service calls the store and the small interfaces it defines
// itself (Clock, Outbox). Every operation takes the Caller it acts for and
// applies the access rules here, never in a handler.
package bridge

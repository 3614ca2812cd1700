// Package bridge is deskgate's domain: people, projects, items,
// conversations and messages; who may see what; how an email is threaded
// into a conversation; who is notified of a message and when it is emailed.
//
// New returns a *Service, the root of one service per concept
// (services.go): Inbound, Conversations, Notifications, Directory,
// Accounts, Messaging, Mailboxes and Addresses. They share one core (store,
// configuration, clock, logger, event hub, wake channels) and hold the few
// other services they call; none has more than 40 methods. Transports (the
// REST API, the SMTP server, IMAP ingestion) take small interfaces of the
// services they use. The services call the store and the small interfaces
// defined here (Clock, Outbox, Bouncer); a function that takes a
// transaction names the store interfaces it needs (txneeds.go). Every
// operation takes the Caller it acts for and applies the access rules
// here, never in a handler.
package bridge

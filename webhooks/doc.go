// Package webhooks tells HTTP endpoints of deskgate's events (SPEC §14):
// the admin's webhooks (create, change, list deliveries, redeliver), the
// Standard Webhooks signature, the guard against private targets, and the
// dispatcher that drains the outbox into deliveries and sends them, at
// least once, each attempt by one node, with backoff for 72 hours, on
// workers of its own so a slow receiver never holds up mail.
package webhooks

// Package outbound is deskgate's outbound mail transport (SPEC §5): it
// composes the email of a bridge.Email (threaded, text and HTML, the
// auto-responder suppression headers and the own-mail marker), DKIM-signs
// it twice (RSA-2048 rsa-sha256 and Ed25519, RFC 6376 and RFC 8463), and
// delivers it through a durable queue in the store, to the smarthost or by
// MX, with retries, a bounded lifetime and bounces.
//
// Queue semantics, in short (the README has the long form):
//   - Enqueue only writes, in the caller's transaction: the queue record,
//     the unsigned raw message, the outbound mail log entry (status
//     queued). It never dials.
//   - Before the first attempt the message is signed once; the signed
//     bytes replace the stored ones (and the mail log's raw copy), so
//     every retry sends the same bytes.
//   - Each attempt is committed (attempt count, next attempt time) before
//     the dial; the result is committed after. Delivery is at least once:
//     the only duplicate window is a crash between the upstream's 250 and
//     the commit that marks the email sent.
//   - By MX, an email moves on to the next MX host (by preference) on any
//     temporary failure within the same attempt, 4xx after the connection
//     is up included (RFC 5321 §5.1); a 5xx stops it (route.go).
//   - 4xx and network errors defer to the retry schedule; 5xx bounces;
//     the queue lifetime turns a still-failing email bounced.
//   - An email whose every message was seen in the app before an attempt
//     is cancelled instead of sent.
//   - A worker holds one SMTP session per host it needed and carries up
//     to MaxPerSession due emails of one destination over them
//     (MaxPerDestination workers per destination, MaxWorkers in all).
package outbound

// Package smtpd is deskgate's inbound SMTP server (the MX of the support
// domain, SPEC §3), on github.com/emersion/go-smtp.
//
// It is a thin transport: RCPT TO is decided by the domain
// (Backend.CheckRecipient: 550 5.7.1 relay denied, 550 5.1.1 unknown
// user), DATA is handed to Backend.Receive, which answers only after the
// message is committed to the store — so a 250 means stored. Every domain
// error is a *mailerr.Error and is turned into an *smtp.SMTPError in one
// place (reply.go): a plain error from Data would become a permanent 554.
//
// Limits: SIZE (RFC 1870) from DESKGATE_MAX_MESSAGE_BYTES (552 5.3.4),
// 100 recipients per message (452 4.5.3), read and write timeouts, the
// read deadline extended while a DATA body streams in, more than 50
// Received fields refused as a loop (554 5.4.6, checked by the domain),
// at most 500 open connections and 50 per client IP (421 4.7.0 beyond).
// SMTPUTF8 (RFC 6531) and 8BITMIME (RFC 6152) are offered; STARTTLS
// (RFC 3207) when a certificate is configured.
package smtpd

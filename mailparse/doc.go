// Package mailparse turns a raw RFC 5322 message into what it says: decoded
// headers, the text in UTF-8, sanitized HTML, attachments and, through
// ExtractReply, only the new reply a person typed above the quoted history.
//
// It is a leaf library: it knows MIME (RFC 2045–2049, RFC 2231), header
// encodings (RFC 2047) and the habits of mail clients, but nothing about
// deskgate's store or domain. Parse never panics and is lenient by design:
// real inbound mail is often malformed, and losing a customer's reply is
// worse than reading a broken message generously. Problems that did not stop
// parsing are reported in Message.Errors.
package mailparse

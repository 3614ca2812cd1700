// Package loopguard decides whether an inbound email was written by a person, so that
// deskgate never answers an auto-reply, a bounce, a mailing list or its own mail
// (SPEC §6). (The flood limit that keeps one sender from turning into a flood of
// conversations is counted in the store, by package bridge.)
//
// Classify applies its rules in this fixed order and stops at the first that matches:
//
//  1. own: header X-Deskgate-Origin equal to our hostname, a Message-ID
//     "dg.*@hostname" (the ids deskgate generates), or our own VERP envelope sender
//     bounce+TOKEN@ one of our domains. A reply whose In-Reply-To names one of our ids
//     is a person's answer, NOT own mail.
//  2. reports (by MIME part, anywhere in the tree): message/delivery-status
//     (RFC 3464) and message/feedback-report (RFC 5965 ARF) are bounces, with the
//     parsed DSN; message/disposition-notification (RFC 8098 read receipts) is an
//     auto-reply.
//  3. non-standard bounces: an Amazon SES/SNS JSON notification; the bounce text of a
//     known MTA (Postfix, qmail, Exim, Sendmail, Exchange, Gmail, Lotus…); a
//     MAILER-DAEMON / Mail Delivery System sender or X-Failed-Recipients; then, unless
//     the mail says "Auto-Submitted: auto-replied", a postmaster sender or a bounce
//     subject (in 14 languages), each only together with the other or with a null
//     reverse path, a returned message, a no-reply sender or an SMTP error in the
//     text. A person's forward or reply ("Fwd:", "Re:" …) is never taken for a
//     bounce by the text pasted into it. Then own again, by host: any other
//     Message-ID on our host name (an MTA there added it), unless the From is on
//     our host name too (mail clients name ids after their user's address);
//     after the bounce rules, as such an MTA's DSNs carry these ids and must
//     still be applied.
//  4. autoreply headers: Auto-Submitted other than "no" (RFC 3834 §5), X-Autoreply,
//     X-Autorespond, X-Autoresponder (and similar vendor flags),
//     X-MS-Exchange-Generated-Message-Source, Precedence: auto_reply, X-Loop.
//     Not X-Auto-Response-Suppress (a person asking not to be auto-answered) nor
//     X-MS-Exchange-Inbox-Rules-Loop (a person's mail passed on by an inbox rule):
//     alone they leave the mail human, and the human reason names them.
//  5. list: Precedence bulk/junk/list, List-Id (RFC 2919), List-Unsubscribe,
//     List-Post, List-Subscribe, List-Help, List-Owner, List-Archive (RFC 2369),
//     Mailing-List, X-Mailing-List, X-ML-Name, X-MLServer; Feedback-ID only with a
//     no-reply sender. Then list-manager and mail-system senders, by envelope
//     sender or the From, Sender or Return-Path header: owner-LIST, LIST-request,
//     LIST-bounces (and LIST-bounces+VERP) are list; MAILER-DAEMON is a bounce.
//     Such a sender is never a customer.
//  6. autoreply by subject: an out-of-office subject prefix ("Out of Office:",
//     "Abwesenheitsnotiz:", "Réponse automatique :", "自動返信:" … in the major
//     languages) or an unmistakable phrase anywhere ("[Auto-Reply]").
//  7. bounce: a null reverse path (RFC 5321 §4.5.5) with no other sign.
//  8. human: everything else.
//
// Own comes first because our own mail carries Auto-Submitted and would otherwise be
// an auto-reply. Bounces come before auto-replies because MTAs put Auto-Submitted
// on bounces too, and the bounce verdict carries the DSN the bridge needs to mark
// the outbound email bounced. Subject heuristics come after every header rule, and
// the bare null reverse path last, so that a header always gives the most precise
// reason.
//
// ARF feedback reports are classed Bounce (not List): they are a receiving system's
// machine answer about one message deskgate sent, the recipient should no longer be
// emailed, and a report must never be answered. Their DSN recipient has Action
// "complained" and no Status.
//
// DSN statuses are the MTA's: a generic x.0.0 Status is made specific only by a code
// of the same class in Diagnostic-Code; a bounce without any code gets the code its
// words imply (RFC 3463: "user unknown" 5.1.1, "mailbox full" 5.2.2 …).
//
// AutoAnswer asks a second question of a person's mail: may an automatic answer
// go back to its sender? X-Auto-Response-Suppress (All, OOF, AutoReply) and
// RFC 3834 §2 (a responder answers only mail that names a recipient: not a
// Bcc to undisclosed recipients) say no; the mail stays Human all the same.
package loopguard

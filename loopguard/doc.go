// Package loopguard decides whether an inbound email was written by a human, so that
// deskgate never answers an auto-reply, a bounce, a mailing list or its own mail, and
// never lets a flood of mail turn into a flood of conversations.
//
// Classify applies its rules in a fixed order and stops at the first that matches:
//
//  1. own: header X-Deskgate-Origin equal to our hostname, or a Message-ID
//     "dg.*@hostname" (ids deskgate generates). A reply whose In-Reply-To names one of
//     our ids is NOT own mail.
//  2. bounce: null reverse path (RFC 5321 §4.5.5), MAILER-DAEMON/postmaster senders,
//     multipart/report; report-type=delivery-status (RFC 3464) and
//     report-type=feedback-report (RFC 5965, ARF), and the non-standard bounce
//     texts of common MTAs (qmail, Exim, Postfix, Exchange, Lotus Notes, Gmail...).
//  3. autoreply: Auto-Submitted other than "no" (RFC 3834 §5), X-Autoreply,
//     X-Autorespond, X-Autoresponder, Precedence: auto_reply, X-Auto-Response-Suppress
//     and Exchange's generated/inbox-rule headers, X-Loop, out-of-office subjects.
//  4. list: Precedence bulk/junk/list, List-Id, List-Unsubscribe, List-Post (RFC 2369,
//     RFC 2919), Feedback-ID.
//  5. human: everything else.
//
// Own comes first because our own mail carries Auto-Submitted (it would otherwise be
// taken for an auto-reply). Bounce comes before autoreply because bounces often carry
// Auto-Submitted too and the bounce verdict carries the parsed DSN the bridge needs
// to mark the outbound email bounced.
//
// Limiter is the flood control: a sliding-window counter per key.
package loopguard

package webapi

import (
	"strings"

	"github.com/deskgate/deskgate/console"
	"github.com/getkin/kin-openapi/openapi3"
)

// openapiRoutes is every route of the API (server.go and friends register
// them; TestOpenAPIDocumentsEveryRoute checks the two agree). A new route
// is one row: op(method, path, tag, summary, answers..., body, params...).
// Response schemas name components (openapi_schemas_test.go), generated
// from the handlers' types; request bodies are written here.
func openapiRoutes() []route {
	var (
		T           = "text/html"
		passwordLen = []tweak{minLen(8), maxLen(1024)}
		memberBody  = object(nil, props{"user_id": anID(), "team_id": anID()}, desc("Exactly one of user_id, team_id."))
		templateIn  = props{"subject": str(), "text": str(), "html": str(), "enabled": boolean()}
		autoIn      = props{"name": str(), "trigger": ref("Trigger"), "actions": array(ref("AutomationAction")), "enabled": boolean()}
		webhookIn   = props{"url": str(desc("http(s) URL; one resolving to a loopback, private or link-local address is refused (422) unless DESKGATE_WEBHOOK_ALLOW_PRIVATE=true.")),
			"events": array(str(enum(webhookEvents...))), "enabled": boolean(dflt(true))}
		tokenID  = pathString("token_id", "A token's id from the token list.")
		tmplName = pathString("name", "Template name.")
		badJSON  = fails(400, "Malformed JSON.")
		busy     = fails(503, "Storage unavailable; retry.")
	)
	rs := []route{
		op("GET", "/healthz", "ops", "Liveness: 200 once the store is open and the listeners are up; which store and which node answered (SPEC §8).",
			ok(200, "Ready", inline(health{}, map[string][]tweak{"status": {enum("ok")}, "store": {enum("bbolt", "postgres")}})), status(503, "Starting"), public),
		op("GET", "/metrics", "ops", "Prometheus metrics (text exposition format). Open to clients on loopback that did not come through a proxy; others need the bearer token of DESKGATE_METRICS_TOKEN (401 without it, and always when it is not set).",
			serves("text/plain", "Metrics", str()), fails(401, "Not on loopback, and no (or a wrong) DESKGATE_METRICS_TOKEN."), public),
		op("GET", "/", "console", "The web console (SPEC §13): an HTML page; its ES modules (app.js imports the others), stylesheet and icon are under /console/.", serves(T, "The console", str()), public),
		op("GET", "/reset-password", "console", "The console's page for a password link from an email (?token=…).", serves(T, "The console", str()), public),
		op("GET", "/setup", "console", "The first-run page of the setup link serve prints while there is no admin (?token=…): it creates the first admin (POST /api/v1/setup).", serves(T, "The setup page", str()), public),
		op("GET", "/console/setup.js", "console", "The setup page's script.", serves("text/javascript", "JavaScript module", str()), public),
		op("GET", "/favicon.ico", "console", "The console's icon where browsers look for it (an SVG).", serves("image/svg+xml", "SVG", str()), public),
		op("GET", "/api/v1/openapi.json", "ops", "This document.", ok(200, "OpenAPI 3 document", object(nil, nil)), public),

		// People (SPEC §10, §14).
		op("GET", "/api/v1/me", "people", "Who the token belongs to.", ok(200, "The caller", ref("Me"))),
		op("GET", "/api/v1/users", "people", "The staff users, oldest first (admins only).", ok(200, "Users", array(ref("User"))), paged),
		op("POST", "/api/v1/users", "people", "Create a staff user (admin only).", ok(201, "Created", ref("User")),
			body(object([]string{"email"}, props{"email": str(), "name": str(), "role": str(roleEnum, dflt("agent"))})), about("409 when the address belongs to another user or a customer.")),
		op("GET", "/api/v1/users/{id}", "people", "One staff user (staff).", ok(200, "The user", ref("User")), byID),
		op("PATCH", "/api/v1/users/{id}", "people", "Change a user: an admin anything, a user its own name. The last active admin cannot become an agent (409); a retired user cannot be changed (409).",
			ok(200, "The user", ref("User")), fails(409, "The address is taken, the last admin, or retired."), body(object(nil, props{"name": str(), "email": str(), "role": str(roleEnum)})), byID),
		op("DELETE", "/api/v1/users/{id}", "people", "Retire a user (admins): its sessions, API tokens and password links end at once on every node (open event streams end at their next heartbeat), it is notified of nothing more and leaves its teams; its messages and history stay, shown by name, and GET shows retired_at. The last active admin cannot be retired (409). Retiring again is no change.",
			status(204, "Retired"), fails(409, "The last active admin."), byID),
		op("POST", "/api/v1/users/{id}/tokens", "people", "Issue an API token for a user (admin, or the user itself). An owner holds at most 100 tokens at once: 422 too_many_tokens until one is revoked.", ok(201, "Created", ref("Token")), byID),
		op("GET", "/api/v1/users/{id}/tokens", "people", "A user's API tokens, oldest first: id, when issued and last used, never the secret (admin, or the user itself).", ok(200, "Tokens", array(ref("TokenInfo"))), byID),
		op("DELETE", "/api/v1/users/{id}/tokens/{token_id}", "people", "Revoke a user's token: refused from the next request on; its open event streams are closed (admin, or the user itself).", status(204, "Revoked"), byID, tokenID),
		op("GET", "/api/v1/users/{id}/settings", "people", "A user's notification settings (admin, or the user itself).", ok(200, "Settings", ref("Settings")), byID),
		op("PUT", "/api/v1/users/{id}/settings", "people", "Change settings; fields left out keep their value. conversation_visibility and show_from_customers are changed by admins only (403 for anyone else, the user included; sending the current value is no change).",
			ok(200, "Settings after the change", ref("Settings")), body(allOptional(inline(settingsView{}, settingsNotes))), byID),
		op("GET", "/api/v1/customers", "people", "Customers, by id (staff).", ok(200, "Customers", array(ref("Customer"))),
			query("email", str(), "Only the customer with this address (any case)."), query("q", str(), "Only customers whose address or name contains this (any case)."), paged),
		op("POST", "/api/v1/customers", "people", "Create a customer (staff).", ok(201, "Created", ref("Customer")), body(object([]string{"email"}, props{"email": str(), "name": str()}))),
		op("GET", "/api/v1/customers/{id}", "people", "One customer (staff; a customer token only itself).", ok(200, "The customer", ref("Customer")), byID),
		op("PATCH", "/api/v1/customers/{id}", "people", "Change a customer's name or address (staff); fields left out keep their value. 409 when the address belongs to another customer or a user.",
			ok(200, "The customer", ref("Customer")), fails(409, "The address is taken."), body(object(nil, props{"name": str(), "email": str()})), byID),
		op("POST", "/api/v1/customers/{id}/tokens", "people", "Issue a customer token for a chat widget or portal (admin, or the customer itself). An owner holds at most 100 tokens at once: 422 too_many_tokens until one is revoked.", ok(201, "Created", ref("Token")), byID),
		op("GET", "/api/v1/customers/{id}/tokens", "people", "A customer's tokens, oldest first: id, when issued and last used, never the secret (admin, or the customer itself).", ok(200, "Tokens", array(ref("TokenInfo"))), byID),
		op("DELETE", "/api/v1/customers/{id}/tokens/{token_id}", "people", "Revoke a customer's token: refused from the next request on; its open event streams are closed (admin, or the customer itself).", status(204, "Revoked"), byID, tokenID),

		// Work: projects and items.
		op("GET", "/api/v1/projects", "work", "The projects the caller may see, by id (staff; an agent whose conversation_visibility is followed sees those it follows).", ok(200, "Projects", array(ref("Project"))), paged),
		op("POST", "/api/v1/projects", "work", "Create a project (admin only).", ok(201, "Created", ref("Project")), body(object([]string{"name"}, props{"name": str()}))),
		op("GET", "/api/v1/projects/{id}", "work", "One project (404 when the caller may not see it).", ok(200, "The project", ref("Project")), byID),
		op("POST", "/api/v1/projects/{id}/followers", "work", "Follow a project: a user (an agent may add itself, an admin anyone) or a team (an admin, or a member of the team), whose members then follow through it. The project's followers get new_member when their email_new_members is on.",
			status(204, "Following"), body(memberBody), byID),
		op("GET", "/api/v1/items", "work", "The items the caller may see, by id (staff).", ok(200, "Items", array(ref("Item"))),
			query("project_id", anID(), "Only this project's items."), query("status", str(), "Only items with this status (open, closed, …)."), paged),
		op("POST", "/api/v1/items", "work", "Create an item (ticket/task) in a project the caller may see.", ok(201, "Created", ref("Item")), body(object([]string{"project_id", "title"}, props{"project_id": anID(), "title": str()}))),
		op("GET", "/api/v1/items/{id}", "work", "One item (404 when the caller may not see it).", ok(200, "The item", ref("Item")), byID),
		op("PUT", "/api/v1/items/{id}", "work", "Change an item's status or title; a new status runs the item.status_changed automations.", ok(200, "The item", ref("Item")), body(object(nil, props{"status": str(), "title": str()})), byID),
		op("POST", "/api/v1/items/{id}/followers", "work", "Follow an item.", status(204, "Following"), body(object([]string{"user_id"}, props{"user_id": anID()})), byID),
		op("PUT", "/api/v1/items/{id}/assignees", "work", "Replace the item's assignees; an empty list clears them.", ok(200, "The item", ref("Item")), body(object([]string{"user_ids"}, props{"user_ids": idList()})), byID),

		// Conversations and messages.
		op("POST", "/api/v1/conversations", "conversations", "Create a conversation on an item.", ok(201, "Created", ref("Conversation")),
			body(object([]string{"item_id", "kind"}, props{"item_id": anID(), "kind": str(kindEnum), "subject": str(), "customer_ids": idList()})), about("An internal conversation has no customers (422).")),
		op("GET", "/api/v1/conversations", "conversations", "Conversations the caller may see, most recently active first, with what a list row shows; filtered and searched.", ok(200, "Conversations", array(ref("ConversationRow"))),
			query("tab", str(enum("all", "from_customers", "internal"), dflt("all")), "from_customers: external conversations; internal: staff-only ones. A customer token sees only its own external conversations."),
			query("status", str(), "Only conversations whose item has this status (open, closed, …); absent or empty: any."),
			query("assignee", str(), "me, none, or a user id: only conversations whose item is assigned so."),
			query("item_id", anID(), "Only this item's conversations."),
			query("customer_id", anID(), "Only conversations with this customer."),
			query("q", str(maxLen(200)), "Search: conversations whose subject, customers' addresses and names, or message text have a word beginning with each word of q (case-insensitive; PostgreSQL answers from a full-text index). Only what the caller may see is searched: a customer token never finds an internal message. A search answers at most the 100 most recently active conversations found."),
			paged),
		op("GET", "/api/v1/conversations/{id}", "conversations", "One conversation with its item's status and assignees, customers and newest message (404 when the caller may not see it).", ok(200, "The conversation", ref("ConversationRow")), byID),
		op("POST", "/api/v1/conversations/{id}/followers", "conversations", "Follow a conversation.", status(204, "Following"), body(object([]string{"user_id"}, props{"user_id": anID()})), byID),
		op("DELETE", "/api/v1/conversations/{id}/followers/{user_id}", "conversations", "Stop following a conversation directly (following its item or project, or being assigned, stays).",
			status(204, "Not following it directly"), byID, pathID("user_id", "The user (oneself, or anyone for an admin).")),
		op("POST", "/api/v1/conversations/start", "conversations", "Start an external conversation with a customer (staff): the customer is found by address or created, the conversation opens on a new item of the Inbox project with the caller following it, and body is its first message, emailed to the customer.",
			ok(201, "Started", ref("ConversationRow")), body(object([]string{"customer_email", "subject", "body"}, props{"customer_email": str(), "customer_name": str(desc("For a new customer.")),
				"subject": str(maxLen(998)), "body": str(maxLen(262144))}))),
		op("POST", "/api/v1/conversations/{id}/messages", "conversations", "Post a message; its recipients are notified at once and emailed what they leave unseen.", ok(201, "Created (committed)", ref("Message")),
			body(object([]string{"body"}, props{"body": str(maxLen(262144)), "as_bot": boolean(desc("Post as the bot (admins only).")),
				"attachments": array(object([]string{"filename", "content"}, props{"filename": str(),
					"content_type": str(desc("A media type; application/octet-stream when absent or unparsable.")),
					"content":      str(format("byte"), desc("The file, base64."))}),
					maxItems(10), desc("Files sent with the message (and with its emails); the whole request stays under the API's body limit (1 MiB by default)."))})), byID),
		op("GET", "/api/v1/conversations/{id}/messages", "conversations", "The conversation's messages, oldest first.", ok(200, "Messages", array(ref("Message"))), byID, paged),
		op("GET", "/api/v1/messages/{id}/attachments/{att}", "conversations", "Download an attachment (always as a download; active content is served as application/octet-stream).",
			serves("*/*", "The file, with its own media type when it is passive (text/plain, image/png, …)", str(format("binary"))), byID, pathID("att", "Attachment id."),
			query("expires", str(), "signed link: unix time it expires"), query("sig", str(), "signed link from an email: with it no bearer token is needed until expires"),
			about("An email too large to carry a file links here with expires and sig; such a link works without a bearer token for 7 days.")),

		// Notifications.
		op("POST", "/api/v1/messages/{id}/seen", "notifications", "Mark this message and every earlier message of its conversation seen by the caller; cancels emails still pending for them.", status(204, "Seen"), byID),
		op("GET", "/api/v1/messages/{id}/deliveries", "notifications", "Per recipient: notified, seen, emailed (staff who may see the conversation).", ok(200, "Deliveries", array(ref("Delivery"))), byID),
		op("GET", "/api/v1/me/notifications", "notifications", "The caller's notifications, newest first.", ok(200, "Notifications", array(ref("Notification"))),
			query("unseen", str(enum("0", "1", "true", "false")), "1: only those not seen yet."), paged),
		op("GET", "/api/v1/me/unseen", "notifications", "Unseen notification counts per conversation.", ok(200, "Counts", ref("UnseenCounts"))),
		op("GET", "/api/v1/me/events", "notifications", "Server-Sent Events: a `notification` event (id = message id, data = Notification JSON) per new notification; `: ping` comments as heartbeats; send Last-Event-ID on reconnect to get what was missed first. The stream ends when its token is revoked; a token holds at most 20 open streams and an owner (all its tokens and sessions) 40 (opening another ends the oldest); a node holds at most 500 in all (then 503 too_many_streams).",
			serves("text/event-stream", "An event stream", str()), fails(503, "too_many_streams: the node holds its most event streams; retry later."),
			param(&openapi3.Parameter{Name: "Last-Event-ID", In: "header", Schema: str()})),

		// The mail log.
		op("GET", "/api/v1/maillog", "maillog", "The mail log, newest first (admins only; entries older than DESKGATE_LOG_RETENTION are pruned).", ok(200, "Entries", array(ref("MailLogEntry"))),
			query("direction", str(enum("inbound", "outbound")), "Only this direction; both when absent."),
			query("before", integer(format("int64"), minimum(0)), "Paging: only entries with a smaller id (pass the last id of the previous page)."), paged),
		op("GET", "/api/v1/maillog/{id}/raw", "maillog", "The raw message of a mail log entry, as a download (404 when none was kept, e.g. rejected mail, or pruned).",
			serves("message/rfc822", "The message as received, with deskgate's Received field", str(format("binary"))), byID),
		op("GET", "/api/v1/maillog/{id}/text", "maillog", "The message of a mail log entry decoded for reading (admins only): RFC 2047 headers, quoted-printable and base64 bodies and charsets decoded, the text part (else the HTML turned to text) whole, so a captured email's links read intact. 404 as for raw; 422 unparsable when nothing can be read.",
			ok(200, "The decoded message", ref("MailLogText")), fails(422, "unparsable."), byID),

		// Mailboxes (IMAP).
		op("POST", "/api/v1/mailboxes", "mailboxes", "Connect an existing IMAP mailbox (admins only). New mail in its folder becomes conversations as SMTP mail does.", ok(201, "Connected", ref("Mailbox")),
			body(object([]string{"host", "tls", "username", "password"}, props{"host": str(),
				"port":     integer(minimum(1), maximum(65535), desc("993 for implicit TLS, else 143.")),
				"tls":      str(enum("implicit", "starttls", "none"), desc("none only to a loopback host.")),
				"username": str(), "password": str(format("password"), writeOnly, desc("Stored to log in; never returned or logged.")),
				"folder": str(dflt("INBOX")), "after": str(dflt("seen"), desc("seen, move:<folder> or delete")),
				"poll_interval": str(dflt("60s"), desc("Used where the server has no IDLE; 5s to 24h.")),
				"import_since":  str(desc("A date (2026-11-30) or RFC 3339 time: also import mail received since then. Absent: mail received from the moment the mailbox is added."))}))),
		op("GET", "/api/v1/mailboxes", "mailboxes", "The connected mailboxes and their status (admins only).", ok(200, "Mailboxes", array(ref("Mailbox"))), paged),
		op("PATCH", "/api/v1/mailboxes/{id}", "mailboxes", "Change a mailbox's password, folder, after or poll_interval (admins); fields left out keep their value. The node working it reconnects with the new settings within a third of DESKGATE_NODE_LEASE; a new folder starts afresh (only mail arriving from then on).",
			ok(200, "The mailbox", ref("Mailbox")), body(object(nil, props{"password": str(format("password"), writeOnly), "folder": str(), "after": str(), "poll_interval": str()})), byID),
		op("DELETE", "/api/v1/mailboxes/{id}", "mailboxes", "Disconnect a mailbox (admins only); what it imported stays.", status(204, "Removed"), byID),

		// The messaging center: templates and automations.
		op("GET", "/api/v1/templates", "messaging", "Every email template: the system ones, then custom ones (admins).", ok(200, "Templates", array(ref("Template")))),
		op("POST", "/api/v1/templates", "messaging", "Create a custom template for automations (admins).", ok(201, "Created", ref("Template")), fails(409, "The name is taken (by a custom or a system template)."),
			body(object([]string{"name", "subject", "text"}, withProp(templateIn, "name", str(pattern("^[a-z][a-z0-9_]*$"))))),
			about("422 naming the part and line when it does not parse or names an unknown variable; 409 when the name is taken.")),
		op("GET", "/api/v1/templates/{name}", "messaging", "One template with its variables (admins).", ok(200, "The template", ref("Template")), tmplName),
		op("PUT", "/api/v1/templates/{name}", "messaging", "Edit a template; fields left out are kept. Applies to the next email rendered, on every node.", ok(200, "The template", ref("Template")), body(object(nil, templateIn)), tmplName,
			about("422 naming the part and line when it does not parse or names an unknown variable; 422 code locked when disabling password_reset or notification.")),
		op("DELETE", "/api/v1/templates/{name}", "messaging", "Delete a custom template no automation uses (admins).", status(204, "Deleted"), fails(409, "An automation uses it."), tmplName, about("A system template cannot be deleted (422 locked).")),
		op("POST", "/api/v1/templates/{name}/preview", "messaging", "Render a template with sample data, laid under the data given; subject/text/html given preview an unsaved edit.",
			ok(200, "Rendered", ref("Rendered")), optionalBody(object(nil, props{"data": object(nil, nil), "subject": str(), "text": str(), "html": str()})), tmplName),
		op("POST", "/api/v1/templates/{name}/reset", "messaging", "Put a system template back to its default (keeps enabled).", ok(200, "The template", ref("Template")), tmplName),
		op("GET", "/api/v1/automations", "messaging", "Automations, automation 1 (the one-minute rule, locked) first (admins).", ok(200, "Automations", array(ref("Automation")))),
		op("POST", "/api/v1/automations", "messaging", "Create an automation (admins).", ok(201, "Created", ref("Automation")), body(object([]string{"name", "trigger", "actions"}, autoIn)),
			about("422 for an unknown event, condition, action type, template or audience.")),
		op("GET", "/api/v1/automations/{id}", "messaging", "One automation (admins).", ok(200, "The automation", ref("Automation")), byID),
		op("PUT", "/api/v1/automations/{id}", "messaging", "Edit an automation (admins): its name, trigger (event and conditions), actions or enabled; fields left out are kept, a trigger or actions given replace the current ones whole. runs and last_error stay. Automation 1 is locked (422 locked).",
			ok(200, "The automation", ref("Automation")), body(object(nil, autoIn)), byID, about("422 for an unknown event, condition, action type, template or audience, as for POST.")),
		op("DELETE", "/api/v1/automations/{id}", "messaging", "Delete an automation (admins). Automation 1 is locked (422 locked).", status(204, "Deleted"), byID),

		// Accounts (SPEC §10).
		op("POST", "/api/v1/auth/login", "accounts", "Sign in with email and password: a session token. A wrong address and a wrong password answer alike (401 invalid_credentials); attempts are limited per address and per client.",
			ok(200, "Signed in", ref("Session")), badJSON, fails(401, "Wrong email or password."), tooMany, busy,
			body(object([]string{"email", "password"}, props{"email": str(), "password": str()})), public),
		op("POST", "/api/v1/setup", "accounts", "First run (SPEC §10): create the first admin with the token of the setup link serve prints while there is no admin (valid 24 h, single use), and sign them in. A used, expired or forged token, or one used after an admin exists, is 422 invalid_token.",
			ok(201, "The first admin, signed in", inline(setupResponse{}, map[string][]tweak{"token": {desc("A session token (dgs_…).")}})),
			badJSON, fails(409, "The address belongs to a customer."), fails(422, "invalid_token, invalid (email), or weak_password."), tooMany, busy,
			body(object([]string{"token", "email", "password"}, props{"token": str(), "email": str(), "name": str(), "password": str(passwordLen...)})), public),
		op("POST", "/api/v1/auth/password-reset", "accounts", "Ask for a password-reset email. Always 202, whether or not the address has an account; the email carries a single-use link valid 1 hour.",
			status(202, "Accepted"), badJSON, tooMany, busy, body(object([]string{"email"}, props{"email": str()})), public),
		op("POST", "/api/v1/auth/password-reset/confirm", "accounts", "Set a password with the token of a reset or welcome link; every session of the user ends, and every API token minted from a session. Tokens an admin issued stay; with details=true the answer (200) lists them and what ended, else it is 204 (SPEC §10). A used, expired or forged token is 422 invalid_token.",
			status(204, "Password set"), ok(200, "Password set (details=true): what ended, the tokens that still work", ref("ResetConfirmation")),
			badJSON, fails(422, "invalid_token, or weak_password."), tooMany, busy,
			body(object([]string{"token", "password"}, props{"token": str(), "password": str(passwordLen...)})),
			query("details", str(enum("true", "false")), "true: answer 200 with what ended and the tokens that stay."), public),
		op("DELETE", "/api/v1/auth/session", "accounts", "Sign out: end the session of the session token used (an API token is not a session: 404).", status(204, "Signed out")),
		op("PUT", "/api/v1/me/password", "accounts", "Set the caller's own password (current_password required once one is set; attempts count against the address's sign-in limit); the caller's other sessions end, and every API token minted from a session but the one making the change.",
			status(204, "Password set"), tooMany, body(object([]string{"password"}, props{"current_password": str(), "password": str(passwordLen...)}))),
		op("GET", "/api/v1/teams", "accounts", "Every team (staff).", ok(200, "Teams", array(ref("Team"))), paged),
		op("POST", "/api/v1/teams", "accounts", "Create a team (admins).", ok(201, "Created", ref("Team")), body(object([]string{"name"}, props{"name": str(), "user_ids": idList()}))),
		op("GET", "/api/v1/teams/{id}", "accounts", "One team (staff).", ok(200, "The team", ref("Team")), byID),
		op("PATCH", "/api/v1/teams/{id}", "accounts", "Rename a team or replace its members (admins); fields left out keep their value.", ok(200, "The team", ref("Team")), fails(409, "The name is taken."),
			body(object(nil, props{"name": str(), "user_ids": idList()})), byID),
		op("DELETE", "/api/v1/teams/{id}", "accounts", "Remove a team (admins): projects it followed drop it (members keep what they follow themselves); its pending invitations are declined.", status(204, "Removed"), byID),
		op("POST", "/api/v1/projects/{id}/invitations", "accounts", "Invite a user or a team to follow the project: accepted at once when the invitee accepts all invitations (a team: every member), else pending and the invitation email goes out. Inviting again while one is pending returns it.",
			ok(201, "The invitation", ref("Invitation")), body(memberBody), byID),
		op("GET", "/api/v1/me/invitations", "accounts", "Invitations of the caller and of its teams, oldest first.", ok(200, "Invitations", array(ref("Invitation"))),
			query("status", str(enum("pending", "accepted", "declined")), "")),
		op("POST", "/api/v1/invitations/{id}/accept", "accounts", "Accept an invitation (the invited user, or a member of the invited team): the invitee follows the project. 409 when already settled.", ok(200, "Accepted", ref("Invitation")), fails(409, "Already settled."), byID),
		op("POST", "/api/v1/invitations/{id}/decline", "accounts", "Decline an invitation. 409 when already settled.", ok(200, "Declined", ref("Invitation")), fails(409, "Already settled."), byID),

		// Webhooks (SPEC §14).
		op("POST", "/api/v1/webhooks", "webhooks", "Add a webhook (admins). Every event of the types listed is POSTed to url, signed as the Standard Webhooks specification says; see docs/building.md.",
			ok(201, "Created; secret shown this once", ref("Webhook")), body(object([]string{"url", "events"}, webhookIn))),
		op("GET", "/api/v1/webhooks", "webhooks", "The webhooks (admins), by id; never their secrets.", ok(200, "Webhooks", array(ref("Webhook"))), paged),
		op("GET", "/api/v1/webhooks/{id}", "webhooks", "One webhook (admins).", ok(200, "The webhook", ref("Webhook")), byID),
		op("PUT", "/api/v1/webhooks/{id}", "webhooks", "Change a webhook's url, events or enabled (admins); fields left out keep their value. Enabling it again clears disabled_reason.", ok(200, "The webhook", ref("Webhook")), body(object(nil, webhookIn)), byID),
		op("DELETE", "/api/v1/webhooks/{id}", "webhooks", "Remove a webhook and its delivery log (admins).", status(204, "Removed"), byID),
		op("GET", "/api/v1/webhooks/{id}/deliveries", "webhooks", "The webhook's deliveries of the last 72 h, newest first (admins).", ok(200, "Deliveries", array(ref("WebhookDelivery"))), byID, paged),
		op("POST", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "webhooks", "Send a delivery again now, whatever its state: the same body under the same webhook-id, retried for another 72 h (admins).",
			ok(202, "Due now", ref("WebhookDelivery")), byID, pathID("delivery_id", "Delivery id.")),
	}
	// The console's files (console.Assets), by kind.
	for _, a := range console.Assets {
		switch {
		case strings.HasSuffix(a, ".js"):
			rs = append(rs, op("GET", "/console/"+a, "console", "The console's "+a+" module.", serves("text/javascript", "JavaScript module", str()), public))
		case strings.HasSuffix(a, ".css"):
			rs = append(rs, op("GET", "/console/"+a, "console", "The console's stylesheet.", serves("text/css", "CSS", str()), public))
		case strings.HasSuffix(a, ".svg"):
			rs = append(rs, op("GET", "/console/"+a, "console", "The console's icon.", serves("image/svg+xml", "SVG", str()), public))
		default:
			rs = append(rs, route{method: "GET", path: "/console/" + a, err: generatorError("no media type for console asset " + a)})
		}
	}
	return rs
}

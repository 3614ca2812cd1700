package webapi

import (
	"fmt"

	"github.com/deskgate/deskgate/bridge"
	"github.com/deskgate/deskgate/templates"
	"github.com/getkin/kin-openapi/openapi3"
)

// component is a schema of components/schemas: generated from the Go type
// of value (the type a handler answers with), or given whole as schema
// where the handler answers an untyped map. notes add, by property path,
// what the type cannot say: descriptions, enums, formats, defaults.
type component struct {
	name   string
	value  any
	schema *openapi3.SchemaRef
	notes  map[string][]tweak
}

var (
	roleEnum      = enum("admin", "agent")
	kindEnum      = enum("internal", "external")
	authWords     = []tweak{enum("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")}
	webhookEvents = []string{"message.created", "conversation.created", "item.created", "item.status_changed",
		"item.assignees_changed", "delivery.updated", "maillog.inbound", "mailbox.status_changed"}
)

// settingsNotes are the Settings schema's, also the PUT body's.
var settingsNotes = map[string][]tweak{
	"conversation_visibility":  {enum("all", "followed"), dflt("all")},
	"show_from_customers":      {dflt(true)},
	"from_customers":           {enum("all", "mine", "none"), dflt("mine")},
	"from_users_and_bot":       {enum("all", "followed", "none"), dflt("followed")},
	"followed_internal":        {dflt(true)},
	"email_assignment_changes": {dflt(true)},
	"email_new_members":        {dflt(false)},
	"accept_all_invitations":   {dflt(true)},
}

// openapiComponents are the document's schemas. A new response type is one
// row here; a type nested in another that has a row becomes a $ref.
var openapiComponents = []component{
	{name: "Error", value: errorBody{}},
	{name: "User", value: userView{}, notes: map[string][]tweak{
		"role":       {roleEnum},
		"retired_at": {desc("When the user was retired (DELETE /users/{id}); absent while active.")}}},
	{name: "Customer", value: customerView{}},
	{name: "Token", value: tokenResponse{}, notes: map[string][]tweak{"token": {desc("Shown once; stored hashed.")}}},
	{name: "TokenInfo", value: tokenView{}, notes: map[string][]tweak{
		"id":           {pattern("^[0-9a-f]{16}$"), desc("Names the token for revoking; reveals nothing of the secret.")},
		"created_at":   {desc("null for a token issued before deskgate recorded it")},
		"last_used_at": {desc("null: never used; kept to within 5 minutes")},
		"minted":       {enum("session", "token", "admin", "bootstrap", ""), desc("how it was issued: by its owner signed in with a session (or with a token so minted), with an API token, by an admin, DESKGATE_BOOTSTRAP_TOKEN; empty for a token issued before deskgate recorded it. A password change or reset revokes the session ones.")},
		"current":      {desc("the token of this request")}}},
	{name: "ResetConfirmation", value: resetConfirmationView{}, notes: map[string][]tweak{
		"sessions_ended": {desc("sessions of the user that ended")},
		"tokens_revoked": {desc("ids of the API tokens minted from a session, revoked")},
		"tokens_kept":    {desc("the user's API tokens that still work (issued by an admin, the bootstrap token, minted with an API token): revoke any you do not know")}}},
	{name: "Me", value: bridge.Identity{}, notes: map[string][]tweak{
		"type":            {enum("user", "customer")},
		"role":            {roleEnum, desc("users only")},
		"support_address": {desc("Staff only: where customers write (support@ the first domain).")}}},
	{name: "Settings", value: settingsView{}, notes: settingsNotes},
	{name: "Project", value: projectView{}, notes: map[string][]tweak{
		"teams": {desc("teams following the project; their members follow through them")}}},
	{name: "Item", value: itemView{}, notes: map[string][]tweak{
		"status": {desc("open (the default), closed, or another lower-case word.")}}},
	{name: "TemplateVariable", value: templates.Var{}, notes: map[string][]tweak{
		"list":   {desc("a list of records to range over")},
		"fields": {desc("the record's fields (TemplateVariable)")}}},
	{name: "Template", value: templateOut{}, notes: map[string][]tweak{
		"kind":      {enum("system", "custom")},
		"subject":   {desc("Go text/template; rendered as one line (CR/LF become spaces).")},
		"text":      {desc("Go text/template.")},
		"html":      {desc("Go html/template: values are escaped for their HTML context.")},
		"locked":    {desc("password_reset and notification: cannot be disabled.")},
		"edited":    {desc("a system template that differs from its default")},
		"used_by":   {desc("Ids of the automations whose actions render this template, in id order (automation 1 uses notification); a template in use cannot be deleted (409).")},
		"used_by[]": {minimum(1)}}},
	{name: "Rendered", value: templates.Rendered{}},
	{name: "AutomationAction", value: actionJSON{}, notes: map[string][]tweak{
		"type":         {enum("post_message", "send_email")},
		"conversation": {kindEnum, desc("post_message: the item's first conversation of this kind")},
		"template":     {desc("post_message: its text is the body; send_email: the whole email")},
		"to":           {desc("send_email: followers, assignees, customers or an email address")}}},
	{name: "Trigger", value: triggerJSON{}, notes: map[string][]tweak{
		"":           {notRequired("conditions")}, // answers always have it; POST/PUT bodies may leave it out
		"event":      {enum("item.created", "item.status_changed", "item.assignees_changed", "conversation.created", "message.created")},
		"conditions": {desc("item.status_changed: to, from; message.created: author_type, kind; conversation.created: kind")}}},
	{name: "Automation", value: automationOut{}, notes: map[string][]tweak{
		"locked":     {desc("automation 1 (new_message_to_followers): cannot be changed, disabled or deleted")},
		"runs":       {desc("how often it ran")},
		"last_error": {desc("what failed the last run; empty when it succeeded")}}},
	{name: "Conversation", value: conversationView{}, notes: map[string][]tweak{
		"kind":            {kindEnum},
		"last_message_at": {desc("when the newest message was posted; absent until the first message")}}},
	{name: "Author", value: authorView{}, notes: map[string][]tweak{
		"type": {enum("user", "customer", "bot")},
		"id":   {noMinimum, desc("0 for the bot")}}},
	{name: "Attachment", value: attachmentView{}},
	{name: "Recipient", value: bridge.RecipientView{}, notes: map[string][]tweak{"type": {enum("user", "customer")}}},
	{name: "Delivery", value: bridge.DeliveryView{}, notes: map[string][]tweak{
		"email_status": {enum("none", "pending", "skipped", "queued", "sent", "deferred", "bounced", "captured"),
			desc("none: never emailed; pending: the unseen timer runs; skipped: seen in time (or not emailed, see detail); queued/sent/deferred/bounced: the email's state in the outbound queue; captured: kept in the mail log, never sent (DESKGATE_OUTBOUND=capture).")}}},
	{name: "ConversationRow", value: conversationRowView{}, notes: map[string][]tweak{
		"kind":                 {kindEnum},
		"last_message_at":      {desc("when the newest message was posted; absent until the first message")},
		"status":               {desc("The item's status (open, closed, …).")},
		"assignees":            {desc("The item's assignees (user ids); always empty for a customer token.")},
		"assignee_names":       {desc("Their names (the address when a user has none), in the order of assignees.")},
		"last_message":         {desc("The newest message, absent until the first one.")},
		"last_message.kind":    {kindEnum},
		"last_message.snippet": {desc("The start of its body on one line (at most 160 characters and an ellipsis).")}}},
	{name: "Notification", value: bridge.Notification{}, notes: map[string][]tweak{"at": {dateTime}}},
	// GET /me/unseen answers a map (notifications.go) of typed counts.
	{name: "UnseenCounts", schema: object([]string{"conversations", "total"}, props{"total": integer(),
		"conversations": array(ref("UnseenCount"))})},
	{name: "UnseenCount", value: bridge.UnseenCount{}},
	{name: "MailLogText", value: mailLogTextView{}, notes: map[string][]tweak{
		"from":               {desc("Name <address>, decoded.")},
		"date":               {desc("The Date header; null when missing or unreadable.")},
		"message_id":         {desc("Message-ID without <>.")},
		"text":               {desc("The whole text, UTF-8: the text/plain part, else the HTML turned to text.")},
		"has_html":           {desc("The message has an HTML part too.")},
		"attachments[].size": {desc("Decoded bytes.")},
		"problems":           {desc("What could not be decoded cleanly.")}}},
	{name: "MailLogEntry", value: mailLogEntry{}, notes: map[string][]tweak{
		"direction":        {enum("inbound", "outbound")},
		"at":               {dateTime},
		"from":             {desc("Sender: the From address (inbound), else the envelope sender.")},
		"to":               {desc("Recipients, comma separated.")},
		"email_message_id": {desc("The email's Message-ID header, without <> (as a message's email_message_id).")},
		"status": {enum("threaded", "created", "suppressed", "bounce", "rejected", "queued", "sent", "deferred", "bounced", "cancelled", "captured"),
			desc("Inbound: threaded, created, suppressed, bounce, rejected. Outbound: queued, sent, deferred, bounced, cancelled, captured (DESKGATE_OUTBOUND=capture: kept here whole, never sent).")},
		"detail":              {desc("Why, in words: the threading rule, the loop-guard header, the SMTP refusal, the upstream's reply.")},
		"conversation_id":     {noMinimum, desc("0 when none.")},
		"message_id":          {noMinimum, desc("The message it became (inbound) or carried; 0 when none. As everywhere in the API, message_id is a message's id.")},
		"message_id_internal": {noMinimum, desc("The same id as message_id, under the name SPEC §6 lists; kept for clients written against it.")},
		"class":               {desc("Loop guard verdict: human, autoreply, bounce, list, own.")},
		"size":                {desc("Bytes of the raw message kept (0: none, e.g. rejected).")},
		"source":              {enum("smtp", "imap"), desc("Inbound: how the mail came (SMTP, or fetched from an IMAP mailbox).")},
		"auth":                {desc("Inbound: what the sender checks found (SPEC 12), RFC 8601 result words; absent for outbound mail and mail refused before DATA.")},
		"auth.spf":            authWords, "auth.dkim": authWords, "auth.dmarc": authWords, "auth.arc": authWords,
		"auth.reason":        {desc("What decided the DMARC result, in words.")},
		"auto_answer":        {desc("Inbound: whether an automatic answer (an automation's send_email to customers) may go to the sender. false for mail that is not a person's, and for a person's mail that asks not to be auto-answered (X-Auto-Response-Suppress: All, OOF or AutoReply; RFC 3834 §2: sent by Bcc to undisclosed recipients). Absent for outbound and refused mail.")},
		"auto_answer_reason": {desc("Why auto_answer is what it is, in words.")}}},
	{name: "Mailbox", value: mailboxView{}, notes: map[string][]tweak{
		"":              {desc("The password is never returned.")},
		"port":          {minimum(1), maximum(65535)},
		"tls":           {enum("implicit", "starttls", "none")},
		"after":         {desc("seen, move:<folder> or delete; applied only once the message is stored.")},
		"poll_interval": {desc("A Go duration, e.g. 1m0s.")},
		"import_since":  {dateTime, desc("null: mail arriving from created_at on is imported (also when it came before deskgate first connected).")},
		"created_at":    {dateTime}}},
	{name: "MailboxStatus", value: mailboxStatus{}, notes: map[string][]tweak{
		"state":        {enum("connecting", "idle", "polling", "error")},
		"last_error":   {desc("Why the mailbox failed, in words; empty when it works.")},
		"last_uid":     {desc("The highest UID processed.")},
		"last_sync_at": {dateTime},
		"node":         {desc("The node working the mailbox now (absent when none holds it).")}}},
	{name: "Message", value: messageView{}, notes: map[string][]tweak{
		"kind":             {kindEnum},
		"body":             {desc("The new text only: quoted history and signature removed for email.")},
		"html":             {desc("Sanitized HTML of an email; empty otherwise.")},
		"full_text":        {desc("An email's whole text, quotes included.")},
		"source":           {enum("api", "smtp", "imap")},
		"email_message_id": {desc("Message-ID of the email it came in as, without <>.")},
		"unverified":       {desc("An email whose From is not proven: it fails DMARC, or it is not the recipient of the reply token it answered. The author is who the mail claims.")},
		"cause":            {desc("The automation that posted it (\"automation 2 “name”\"); absent otherwise, and for customer tokens.")}}},
	{name: "Session", value: loginResponse{}, notes: map[string][]tweak{
		"token": {desc("A session token (dgs_…): use it as a Bearer token until expires_at. Stored hashed.")}}},
	{name: "Team", value: teamResponse{}},
	{name: "Invitation", value: invitationResponse{}, notes: map[string][]tweak{"status": {enum("pending", "accepted", "declined")}, "invited_by": {minimum(1)}}},
	{name: "Webhook", value: webhookView{}, notes: map[string][]tweak{
		"events[]":        {enum(webhookEvents...)},
		"secret":          {desc("whsec_ + base64 of the signing key (Standard Webhooks). In the answer to POST only: keep it.")},
		"disabled_reason": {desc("Why deskgate disabled it (the receiver answered 410); absent otherwise.")}}},
	{name: "WebhookDelivery", value: webhookDeliveryView{}, notes: map[string][]tweak{
		"event":            {desc("The webhook-id header of every attempt (msg_<event id>).")},
		"type":             {enum(webhookEvents...)},
		"status":           {enum("pending", "delivered", "failed")},
		"last_status_code": {desc("0: no answer (connection refused, timeout).")}}},
}

// inline is the generated schema of a type that is no component, with its
// notes (see applyNotes).
func inline(v any, notes map[string][]tweak) *openapi3.SchemaRef {
	s, err := schemaOfType(v)
	if err == nil {
		err = applyNotes(s, notes)
	}
	if err != nil {
		panic(fmt.Sprintf("openapi schema of %T: %v", v, err)) // the generator's own mistake: the test reports it
	}
	return s
}

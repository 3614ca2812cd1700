#!/usr/bin/env python3
"""Writes webapi/openapi.json, the OpenAPI 3 document of the REST API.

Edit here, run `python3 scripts/gen-openapi.py`, commit both
(`python3 scripts/gen-openapi.py FILE` writes FILE instead; .ci/run uses it). webapi tests
check the document against the routes and validate every response.
"""
import json, os, sys
def ref(n): return {"$ref": "#/components/schemas/"+n}
def arr(s): return {"type":"array","items":s}
ID={"type":"integer","format":"int64","minimum":1}
AUTHWORD={"type":"string","enum":["pass","fail","softfail","neutral","none","temperror","permerror"]}
T={"type":"string","format":"date-time"}
S={"type":"string"}
B={"type":"boolean"}
def obj(req,props): return {"type":"object","required":req,"properties":props}
IDS=arr({"type":"integer","format":"int64"})
schemas={
 "Error":{"type":"object","required":["error"],"properties":{"error":{"type":"object","required":["code","message"],"properties":{"code":S,"message":S}}}},
 "User":{"type":"object","required":["id","email","name","role"],"properties":{"id":ID,"email":S,"name":S,"role":{"type":"string","enum":["admin","agent"]},"created_at":T}},
 "Customer":{"type":"object","required":["id","email","name"],"properties":{"id":ID,"email":S,"name":S,"created_at":T}},
 "Token":{"type":"object","required":["token"],"properties":{"token":{"type":"string","description":"Shown once; stored hashed."}}},
 "TokenInfo":{"type":"object","required":["id","created_at","last_used_at","minted","current"],"properties":{
   "id":{"type":"string","pattern":"^[0-9a-f]{16}$","description":"Names the token for revoking; reveals nothing of the secret."},
   "created_at":{"type":"string","format":"date-time","nullable":True,"description":"null for a token issued before deskgate recorded it"},
   "last_used_at":{"type":"string","format":"date-time","nullable":True,"description":"null: never used; kept to within 5 minutes"},
   "minted":{"type":"string","enum":["session","token","admin","bootstrap",""],"description":"how it was issued: by its owner signed in with a session (or with a token so minted), with an API token, by an admin, DESKGATE_BOOTSTRAP_TOKEN; empty for a token issued before deskgate recorded it. A password change or reset revokes the session ones."},
   "current":{"type":"boolean","description":"the token of this request"}}},
 "ResetConfirmation":{"type":"object","required":["sessions_ended","tokens_revoked","tokens_kept"],"properties":{
   "sessions_ended":{"type":"integer","description":"sessions of the user that ended"},
   "tokens_revoked":{"type":"array","items":{"type":"string"},"description":"ids of the API tokens minted from a session, revoked"},
   "tokens_kept":{"type":"array","items":{"$ref":"#/components/schemas/TokenInfo"},"description":"the user's API tokens that still work (issued by an admin, the bootstrap token, minted with an API token): revoke any you do not know"}}},
 "Me":{"type":"object","required":["type","id","email","name"],"properties":{"type":{"type":"string","enum":["user","customer"]},"id":ID,"role":{"type":"string","enum":["admin","agent"],"description":"users only"},"email":S,"name":S}},
 "Me":{"type":"object","required":["type","id","email","name"],"properties":{"type":{"type":"string","enum":["user","customer"]},"id":ID,"role":{"type":"string","enum":["admin","agent"],"description":"users only"},"email":S,"name":S,"support_address":{"type":"string","description":"Staff only: where customers write (support@ the first domain)."}}},
 "Settings":{"type":"object","required":["conversation_visibility","show_from_customers","from_customers","from_users_and_bot","followed_internal","email_assignment_changes","email_new_members","accept_all_invitations"],"properties":{
   "conversation_visibility":{"type":"string","enum":["all","followed"],"default":"all"},
   "show_from_customers":{"type":"boolean","default":True},
   "from_customers":{"type":"string","enum":["all","mine","none"],"default":"mine"},
   "from_users_and_bot":{"type":"string","enum":["all","followed","none"],"default":"followed"},
   "followed_internal":{"type":"boolean","default":True},
   "email_assignment_changes":{"type":"boolean","default":True},
   "email_new_members":{"type":"boolean","default":False},
   "accept_all_invitations":{"type":"boolean","default":True}}},
 "Project":{"type":"object","required":["id","name"],"properties":{"id":ID,"name":S,"followers":IDS,"teams":{**IDS,"description":"teams following the project; their members follow through them"},"created_at":T}},
 "Item":{"type":"object","required":["id","project_id","title","status"],"properties":{"id":ID,"project_id":ID,"title":S,"status":{"type":"string","description":"open (the default), closed, or another lower-case word."},"followers":IDS,"assignees":IDS,"created_at":T}},
 "TemplateVariable":{"type":"object","required":["name","description"],"properties":{"name":S,"description":S,"list":{"type":"boolean","description":"a list of records to range over"},"fields":arr({"type":"object","description":"the record's fields (TemplateVariable)"})}},
 "Template":{"type":"object","required":["name","kind","subject","text","html","enabled","locked","variables","used_by"],"properties":{
   "name":S,"kind":{"type":"string","enum":["system","custom"]},
   "subject":{"type":"string","description":"Go text/template; rendered as one line (CR/LF become spaces)."},
   "text":{"type":"string","description":"Go text/template."},
   "html":{"type":"string","description":"Go html/template: values are escaped for their HTML context."},
   "enabled":B,"locked":{"type":"boolean","description":"password_reset and notification: cannot be disabled."},
   "edited":{"type":"boolean","description":"a system template that differs from its default"},
   "variables":arr(ref("TemplateVariable")),
   "used_by":{"type":"array","items":ID,"description":"Ids of the automations whose actions render this template, in id order (automation 1 uses notification); a template in use cannot be deleted (409)."}}},
 "Rendered":{"type":"object","required":["subject","text","html"],"properties":{"subject":S,"text":S,"html":S}},
 "AutomationAction":{"type":"object","required":["type","template"],"properties":{
   "type":{"type":"string","enum":["post_message","send_email"]},
   "conversation":{"type":"string","enum":["external","internal"],"description":"post_message: the item's first conversation of this kind"},
   "template":{"type":"string","description":"post_message: its text is the body; send_email: the whole email"},
   "to":{"type":"string","description":"send_email: followers, assignees, customers or an email address"}}},
 "Trigger":{"type":"object","required":["event"],"properties":{
   "event":{"type":"string","enum":["item.created","item.status_changed","item.assignees_changed","conversation.created","message.created"]},
   "conditions":{"type":"object","additionalProperties":{"type":"string"},"description":"item.status_changed: to, from; message.created: author_type, kind; conversation.created: kind"}}},
 "Automation":{"type":"object","required":["id","name","trigger","actions","enabled","locked","runs","last_error","last_error_at"],"properties":{
   "id":ID,"name":S,"trigger":ref("Trigger"),"actions":arr(ref("AutomationAction")),"enabled":B,
   "locked":{"type":"boolean","description":"automation 1 (new_message_to_followers): cannot be changed, disabled or deleted"},
   "runs":{"type":"integer","description":"how often it ran"},
   "last_error":{"type":"string","description":"what failed the last run; empty when it succeeded"},
   "last_error_at":{"type":"string","format":"date-time","nullable":True}}},
 "Conversation":{"type":"object","required":["id","item_id","project_id","kind","subject"],"properties":{"id":ID,"item_id":ID,"project_id":ID,"kind":{"type":"string","enum":["internal","external"]},"subject":S,"followers":IDS,"customer_ids":IDS,"created_at":T,"last_message_at":{"type":"string","format":"date-time","description":"when the newest message was posted; absent until the first message"}}},
 "Author":{"type":"object","required":["type","id","email","name"],"properties":{"type":{"type":"string","enum":["user","customer","bot"]},"id":{"type":"integer","format":"int64","description":"0 for the bot"},"email":S,"name":S}},
 "Attachment":{"type":"object","required":["id","filename","content_type","size"],"properties":{"id":ID,"filename":S,"content_type":S,"size":{"type":"integer"},"content_id":S,"inline":B}},
 "Recipient":{"type":"object","required":["type","id","email"],"properties":{"type":{"type":"string","enum":["user","customer"]},"id":ID,"email":S,"name":S}},
 "Delivery":{"type":"object","required":["recipient","notified_at","seen_at","email_status","emailed_at","detail"],"properties":{"recipient":ref("Recipient"),"notified_at":T,"seen_at":{"type":"string","format":"date-time","nullable":True},"email_status":{"type":"string","enum":["none","pending","skipped","queued","sent","deferred","bounced","captured"],"description":"none: never emailed; pending: the unseen timer runs; skipped: seen in time (or not emailed, see detail); queued/sent/deferred/bounced: the email's state in the outbound queue; captured: kept in the mail log, never sent (DESKGATE_OUTBOUND=capture)."},"emailed_at":{"type":"string","format":"date-time","nullable":True},"detail":S}},
 "Delivery":{"type":"object","required":["recipient","notified_at","seen_at","email_status","emailed_at","detail"],"properties":{"recipient":ref("Recipient"),"notified_at":T,"seen_at":{"type":"string","format":"date-time","nullable":True},"email_status":{"type":"string","enum":["none","pending","skipped","queued","sent","deferred","bounced"],"description":"none: never emailed; pending: the unseen timer runs; skipped: seen in time (or not emailed, see detail); queued/sent/deferred/bounced: the email's state in the outbound queue."},"emailed_at":{"type":"string","format":"date-time","nullable":True},"detail":S}},
 "ConversationRow":{"allOf":[ref("Conversation"),{"type":"object","required":["item_title","status","assignees","assignee_names","customers"],"properties":{
   "item_title":S,"status":{"type":"string","description":"The item's status (open, closed, …)."},
   "assignees":{**IDS,"description":"The item's assignees (user ids); always empty for a customer token."},
   "assignee_names":{"type":"array","items":S,"description":"Their names (the address when a user has none), in the order of assignees."},
   "customers":arr(ref("Customer")),
   "last_message":{"type":"object","required":["id","kind","author","snippet","created_at"],"description":"The newest message, absent until the first one.","properties":{
     "id":ID,"kind":{"type":"string","enum":["internal","external"]},"author":ref("Author"),"snippet":{"type":"string","description":"The start of its body on one line (at most 160 characters and an ellipsis)."},"created_at":T}}}}]},
 "Notification":{"type":"object","required":["message_id","conversation_id","at","seen"],"properties":{"message_id":ID,"conversation_id":ID,"at":T,"seen":B,"email_status":S}},
 "UnseenCounts":{"type":"object","required":["total","conversations"],"properties":{"total":{"type":"integer"},"conversations":arr(obj(["conversation_id","unseen"],{"conversation_id":ID,"unseen":{"type":"integer"}}))}},
 "MailLogText":{"type":"object","required":["id","from","to","cc","subject","date","message_id","text","has_html","attachments","problems"],"properties":{
   "id":{"type":"integer","format":"int64"},"from":{"type":"string","description":"Name <address>, decoded."},
   "to":{"type":"array","items":{"type":"string"}},"cc":{"type":"array","items":{"type":"string"}},
   "subject":{"type":"string"},"date":{"type":"string","format":"date-time","nullable":True,"description":"The Date header; null when missing or unreadable."},
   "message_id":{"type":"string","description":"Message-ID without <>."},
   "text":{"type":"string","description":"The whole text, UTF-8: the text/plain part, else the HTML turned to text."},
   "has_html":{"type":"boolean","description":"The message has an HTML part too."},
   "attachments":{"type":"array","items":{"type":"object","required":["filename","content_type","size"],"properties":{"filename":{"type":"string"},"content_type":{"type":"string"},"size":{"type":"integer","description":"Decoded bytes."}}}},
   "problems":{"type":"array","items":{"type":"string"},"description":"What could not be decoded cleanly."}}},
 "MailLogEntry":{"type":"object","required":["id","direction","at","from","to","subject","email_message_id","status","detail","conversation_id","message_id","message_id_internal"],"properties":{
   "id":ID,"direction":{"type":"string","enum":["inbound","outbound"]},"at":T,
   "from":{"type":"string","description":"Sender: the From address (inbound), else the envelope sender."},
   "to":{"type":"string","description":"Recipients, comma separated."},"subject":S,
   "email_message_id":{"type":"string","description":"The email's Message-ID header, without <> (as a message's email_message_id)."},
   "status":{"type":"string","enum":["threaded","created","suppressed","bounce","rejected","queued","sent","deferred","bounced","cancelled","captured"],"description":"Inbound: threaded, created, suppressed, bounce, rejected. Outbound: queued, sent, deferred, bounced, cancelled, captured (DESKGATE_OUTBOUND=capture: kept here whole, never sent)."},
   "detail":{"type":"string","description":"Why, in words: the threading rule, the loop-guard header, the SMTP refusal, the upstream's reply."},
   "conversation_id":{"type":"integer","format":"int64","description":"0 when none."},
   "message_id":{"type":"integer","format":"int64","description":"The message it became (inbound) or carried; 0 when none. As everywhere in the API, message_id is a message's id."},
   "message_id_internal":{"type":"integer","format":"int64","description":"The same id as message_id, under the name SPEC §6 lists; kept for clients written against it."},
   "class":{"type":"string","description":"Loop guard verdict: human, autoreply, bounce, list, own."},
   "size":{"type":"integer","description":"Bytes of the raw message kept (0: none, e.g. rejected)."},
   "source":{"type":"string","enum":["smtp","imap"],"description":"Inbound: how the mail came (SMTP, or fetched from an IMAP mailbox)."},
   "auth":{"type":"object","description":"Inbound: what the sender checks found (SPEC 12), RFC 8601 result words; absent for outbound mail and mail refused before DATA.","required":["spf","dkim","dmarc","arc"],"properties":{
     "spf":AUTHWORD,"dkim":AUTHWORD,"dmarc":AUTHWORD,"arc":AUTHWORD,
     "reason":{"type":"string","description":"What decided the DMARC result, in words."}}},
   "auto_answer":{"type":"boolean","description":"Inbound: whether an automatic answer (an automation's send_email to customers) may go to the sender. false for mail that is not a person's, and for a person's mail that asks not to be auto-answered (X-Auto-Response-Suppress: All, OOF or AutoReply; RFC 3834 §2: sent by Bcc to undisclosed recipients). Absent for outbound and refused mail."},
   "auto_answer_reason":{"type":"string","description":"Why auto_answer is what it is, in words."}}},
 "Mailbox":{"type":"object","required":["id","host","port","tls","username","folder","after","poll_interval","import_since","created_at","status"],"properties":{
   "id":ID,"host":S,"port":{"type":"integer","minimum":1,"maximum":65535},"tls":{"type":"string","enum":["implicit","starttls","none"]},
   "username":S,"folder":S,"after":{"type":"string","description":"seen, move:<folder> or delete; applied only once the message is stored."},
   "poll_interval":{"type":"string","description":"A Go duration, e.g. 1m0s."},
   "import_since":{"type":"string","format":"date-time","nullable":True,"description":"null: mail arriving from created_at on is imported (also when it came before deskgate first connected)."},
   "created_at":T,
   "status":ref("MailboxStatus")},
   "description":"The password is never returned."},
 "MailboxStatus":obj(["state","last_error","uidvalidity","last_uid","last_sync_at"],{
     "state":{"type":"string","enum":["connecting","idle","polling","error"]},
     "last_error":{"type":"string","description":"Why the mailbox failed, in words; empty when it works."},
     "uidvalidity":{"type":"integer","format":"int64","minimum":0},"last_uid":{"type":"integer","format":"int64","minimum":0,"description":"The highest UID processed."},
     "last_sync_at":{"type":"string","format":"date-time","nullable":True},
     "node":{"type":"string","description":"The node working the mailbox now (absent when none holds it)."}}),
 "Message":{"type":"object","required":["id","conversation_id","kind","author","body","html","attachments","source","email_message_id","created_at"],"properties":{
   "id":ID,"conversation_id":ID,"kind":{"type":"string","enum":["internal","external"]},"author":ref("Author"),
   "body":{"type":"string","description":"The new text only: quoted history and signature removed for email."},
   "html":{"type":"string","description":"Sanitized HTML of an email; empty otherwise."},
   "full_text":{"type":"string","description":"An email's whole text, quotes included."},
   "attachments":arr(ref("Attachment")),"source":{"type":"string","enum":["api","smtp","imap"]},
   "email_message_id":{"type":"string","description":"Message-ID of the email it came in as, without <>."},"created_at":T,
   "unverified":{"type":"boolean","description":"An email whose From is not proven: it fails DMARC, or it is not the recipient of the reply token it answered. The author is who the mail claims."},
   "cause":{"type":"string","description":"The automation that posted it (\"automation 2 “name”\"); absent otherwise, and for customer tokens."}}},
 "Session":{"type":"object","required":["token","expires_at"],"properties":{"token":{"type":"string","description":"A session token (dgs_…): use it as a Bearer token until expires_at. Stored hashed."},"expires_at":T}},
 "Team":{"type":"object","required":["id","name","user_ids"],"properties":{"id":ID,"name":S,"user_ids":IDS,"created_at":T}},
 "Invitation":{"type":"object","required":["id","status","project_id","invited_by","created_at"],"properties":{"id":ID,"status":{"type":"string","enum":["pending","accepted","declined"]},"project_id":ID,"user_id":ID,"team_id":ID,"invited_by":ID,"created_at":T,"settled_at":T}},
}
def err(desc): return {"description":desc,"content":{"application/json":{"schema":ref("Error")}}}
def ok(code,desc,schema=None):
  r={"description":desc}
  if schema: r["content"]={"application/json":{"schema":schema}}
  return {str(code):r}
def body(schema,required=True): return {"required":required,"content":{"application/json":{"schema":schema}}}
STD={"400":err("Malformed JSON."),"401":err("Missing or unknown token."),"403":err("Authenticated but not allowed."),"404":err("Unknown, or not visible to the caller."),"413":err("Body too large."),"422":err("A field is missing or invalid."),"503":err("Storage unavailable; retry.")}
def op(summary,responses,tag,reqbody=None,params=None,desc=None,security=True):
  o={"summary":summary,"tags":[tag],"responses":{**responses,**({k:v for k,v in STD.items()} if security else {})}}
  if reqbody: o["requestBody"]=reqbody
  if params: o["parameters"]=params
  if desc: o["description"]=desc
  if not security: o["security"]=[]
  return o
TN={"name":"name","in":"path","required":True,"schema":{"type":"string"},"description":"Template name."}
def pid(name="id",desc="Numeric id."): return {"name":name,"in":"path","required":True,"schema":{"type":"integer","format":"int64","minimum":1},"description":desc}
TID={"name":"token_id","in":"path","required":True,"schema":{"type":"string"},"description":"A token's id from the token list."}
paths={
 "/healthz":{"get":op("Liveness: 200 once the store is open and the listeners are up; which store and which node answered (SPEC §8).",{"200":{"description":"Ready","content":{"application/json":{"schema":obj(["status"],{"status":{"type":"string","enum":["ok"]},"store":{"type":"string","enum":["bbolt","postgres"]},"node":S})}}},"503":{"description":"Starting"}},"ops",security=False)},
 "/metrics":{"get":op("Prometheus metrics (text exposition format). Open to clients on loopback that did not come through a proxy; others need the bearer token of DESKGATE_METRICS_TOKEN (401 without it, and always when it is not set).",{"200":{"description":"Metrics","content":{"text/plain":{"schema":S}}},"401":err("Not on loopback, and no (or a wrong) DESKGATE_METRICS_TOKEN.")},"ops",security=False)},
 "/":{"get":op("The web console (SPEC §13): an HTML page; its script and stylesheet are /console/app.js and /console/app.css.",{"200":{"description":"The console","content":{"text/html":{"schema":S}}}},"console",security=False)},
 "/reset-password":{"get":op("The console's page for a password link from an email (?token=…).",{"200":{"description":"The console","content":{"text/html":{"schema":S}}}},"console",security=False)},
 "/setup":{"get":op("The first-run page of the setup link serve prints while there is no admin (?token=…): it creates the first admin (POST /api/v1/setup).",{"200":{"description":"The setup page","content":{"text/html":{"schema":S}}}},"console",security=False)},
 "/console/setup.js":{"get":op("The setup page's script.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/app.js":{"get":op("The console's script.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/metrics":{"get":op("Prometheus metrics (text exposition format).",{"200":{"description":"Metrics","content":{"text/plain":{"schema":S}}}},"ops",security=False)},
 "/":{"get":op("The web console (SPEC §13): an HTML page; its ES modules (app.js imports the others), stylesheet and icon are under /console/.",{"200":{"description":"The console","content":{"text/html":{"schema":S}}}},"console",security=False)},
 "/console/app.js":{"get":op("The console's app.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/api.js":{"get":op("The console's api.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/ui.js":{"get":op("The console's ui.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/events.js":{"get":op("The console's events.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/messenger.js":{"get":op("The console's messenger.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/conversation.js":{"get":op("The console's conversation.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/email.js":{"get":op("The console's email.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/maillog.js":{"get":op("The console's maillog.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/messaging.js":{"get":op("The console's messaging.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/automations.js":{"get":op("The console's automations.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/people.js":{"get":op("The console's people.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/mailread.js":{"get":op("The console's mailread.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/settings.js":{"get":op("The console's settings.js module.",{"200":{"description":"JavaScript module","content":{"text/javascript":{"schema":S}}}},"console",security=False)},
 "/console/favicon.svg":{"get":op("The console's icon.",{"200":{"description":"SVG","content":{"image/svg+xml":{"schema":S}}}},"console",security=False)},
 "/favicon.ico":{"get":op("The console's icon where browsers look for it (an SVG).",{"200":{"description":"SVG","content":{"image/svg+xml":{"schema":S}}}},"console",security=False)},
 "/console/app.css":{"get":op("The console's stylesheet.",{"200":{"description":"CSS","content":{"text/css":{"schema":S}}}},"console",security=False)},
 "/api/v1/openapi.json":{"get":op("This document.",{"200":{"description":"OpenAPI 3 document","content":{"application/json":{"schema":{"type":"object"}}}}},"ops",security=False)},
 "/api/v1/me":{"get":op("Who the token belongs to.",ok(200,"The caller",ref("Me")),"people")},
 "/api/v1/users":{"get":op("The staff users, oldest first (admins only).",ok(200,"Users",arr(ref("User"))),"people"),
   "post":op("Create a staff user (admin only).",ok(201,"Created",ref("User")),"people",body(obj(["email"],{"email":S,"name":S,"role":{"type":"string","enum":["admin","agent"],"default":"agent"}})),desc="409 when the address belongs to another user or a customer.")},
 "/api/v1/users/{id}/tokens":{"post":op("Issue an API token for a user (admin, or the user itself). An owner holds at most 100 tokens at once: 422 too_many_tokens until one is revoked.",ok(201,"Created",ref("Token")),"people",params=[pid()]),
   "get":op("A user's API tokens, oldest first: id, when issued and last used, never the secret (admin, or the user itself).",ok(200,"Tokens",arr(ref("TokenInfo"))),"people",params=[pid()])},
 "/api/v1/users/{id}/tokens/{token_id}":{"delete":op("Revoke a user's token: refused from the next request on; its open event streams are closed (admin, or the user itself).",ok(204,"Revoked"),"people",params=[pid(),TID])},
 "/api/v1/users/{id}/settings":{
   "get":op("A user's notification settings (admin, or the user itself).",ok(200,"Settings",ref("Settings")),"people",params=[pid()]),
   "put":op("Change settings; fields left out keep their value. conversation_visibility and show_from_customers are changed by admins only (403 for anyone else, the user included; sending the current value is no change).",ok(200,"Settings after the change",ref("Settings")),"people",body({"type":"object","properties":schemas["Settings"]["properties"]}),params=[pid()])},
 "/api/v1/customers":{"post":op("Create a customer (staff).",ok(201,"Created",ref("Customer")),"people",body(obj(["email"],{"email":S,"name":S})))},
 "/api/v1/customers/{id}/tokens":{"post":op("Issue a customer token for a chat widget or portal (admin, or the customer itself). An owner holds at most 100 tokens at once: 422 too_many_tokens until one is revoked.",ok(201,"Created",ref("Token")),"people",params=[pid()]),
   "get":op("A customer's tokens, oldest first: id, when issued and last used, never the secret (admin, or the customer itself).",ok(200,"Tokens",arr(ref("TokenInfo"))),"people",params=[pid()])},
 "/api/v1/customers/{id}/tokens/{token_id}":{"delete":op("Revoke a customer's token: refused from the next request on; its open event streams are closed (admin, or the customer itself).",ok(204,"Revoked"),"people",params=[pid(),TID])},
 "/api/v1/projects":{"post":op("Create a project (admin only).",ok(201,"Created",ref("Project")),"work",body(obj(["name"],{"name":S})))},
 "/api/v1/projects/{id}/followers":{"post":op("Follow a project: a user (an agent may add itself, an admin anyone) or a team (an admin, or a member of the team), whose members then follow through it. The project's followers get new_member when their email_new_members is on.",{"204":{"description":"Following"}},"work",body({"type":"object","properties":{"user_id":ID,"team_id":ID},"description":"Exactly one of user_id, team_id."}),params=[pid()])},
 "/api/v1/projects/{id}/invitations":{"post":op("Invite a user or a team to follow the project: accepted at once when the invitee accepts all invitations (a team: every member), else pending and the invitation email goes out. Inviting again while one is pending returns it.",ok(201,"The invitation",ref("Invitation")),"accounts",body({"type":"object","properties":{"user_id":ID,"team_id":ID},"description":"Exactly one of user_id, team_id."}),params=[pid()])},
 "/api/v1/items":{"post":op("Create an item (ticket/task) in a project the caller may see.",ok(201,"Created",ref("Item")),"work",body(obj(["project_id","title"],{"project_id":ID,"title":S})))},
 "/api/v1/items/{id}/followers":{"post":op("Follow an item.",{"204":{"description":"Following"}},"work",body(obj(["user_id"],{"user_id":ID})),params=[pid()])},
 "/api/v1/items/{id}":{"put":op("Change an item's status or title; a new status runs the item.status_changed automations.",ok(200,"The item",ref("Item")),"work",body({"type":"object","properties":{"status":S,"title":S}}),params=[pid()])},
 "/api/v1/items/{id}/assignees":{"put":op("Replace the item's assignees; an empty list clears them.",ok(200,"The item",ref("Item")),"work",body(obj(["user_ids"],{"user_ids":IDS})),params=[pid()])},
 "/api/v1/conversations":{
   "post":op("Create a conversation on an item.",ok(201,"Created",ref("Conversation")),"conversations",body(obj(["item_id","kind"],{"item_id":ID,"kind":{"type":"string","enum":["internal","external"]},"subject":S,"customer_ids":IDS})),desc="An internal conversation has no customers (422)."),
   "get":op("Conversations the caller may see, most recently active first, with what a list row shows; filtered and searched.",ok(200,"Conversations",arr(ref("ConversationRow"))),"conversations",params=[
     {"name":"tab","in":"query","required":False,"schema":{"type":"string","enum":["all","from_customers","internal"],"default":"all"},"description":"from_customers: external conversations; internal: staff-only ones. A customer token sees only its own external conversations."},
     {"name":"status","in":"query","required":False,"schema":{"type":"string"},"description":"Only conversations whose item has this status (open, closed, …); absent or empty: any."},
     {"name":"assignee","in":"query","required":False,"schema":{"type":"string"},"description":"me, none, or a user id: only conversations whose item is assigned so."},
     {"name":"item_id","in":"query","required":False,"schema":{"type":"integer","format":"int64","minimum":1},"description":"Only this item's conversations."},
     {"name":"customer_id","in":"query","required":False,"schema":{"type":"integer","format":"int64","minimum":1},"description":"Only conversations with this customer."},
     {"name":"q","in":"query","required":False,"schema":{"type":"string","maxLength":200},"description":"Search: conversations whose subject, customers' addresses and names, or message text have a word beginning with each word of q (case-insensitive; PostgreSQL answers from a full-text index). Only what the caller may see is searched: a customer token never finds an internal message. A search answers at most the 100 most recently active conversations found."}])},
 "/api/v1/conversations/{id}":{"get":op("One conversation with its item's status and assignees, customers and newest message (404 when the caller may not see it).",ok(200,"The conversation",ref("ConversationRow")),"conversations",params=[pid()])},
 "/api/v1/conversations/{id}/followers":{"post":op("Follow a conversation.",{"204":{"description":"Following"}},"conversations",body(obj(["user_id"],{"user_id":ID})),params=[pid()])},
 "/api/v1/conversations/{id}/followers/{user_id}":{"delete":op("Stop following a conversation directly (following its item or project, or being assigned, stays).",{"204":{"description":"Not following it directly"}},"conversations",params=[pid(),pid("user_id","The user (oneself, or anyone for an admin).")])},
 "/api/v1/conversations/start":{"post":op("Start an external conversation with a customer (staff): the customer is found by address or created, the conversation opens on a new item of the Inbox project with the caller following it, and body is its first message, emailed to the customer.",ok(201,"Started",ref("ConversationRow")),"conversations",body(obj(["customer_email","subject","body"],{"customer_email":S,"customer_name":{"type":"string","description":"For a new customer."},"subject":{"type":"string","maxLength":998},"body":{"type":"string","maxLength":262144}})))},
 "/api/v1/conversations/{id}/messages":{
   "post":op("Post a message; its recipients are notified at once and emailed what they leave unseen.",ok(201,"Created (committed)",ref("Message")),"conversations",body(obj(["body"],{"body":{"type":"string","maxLength":262144},"as_bot":{"type":"boolean","description":"Post as the bot (admins only)."},
     "attachments":{"type":"array","maxItems":10,"description":"Files sent with the message (and with its emails); the whole request stays under the API's body limit (1 MiB by default).","items":obj(["filename","content"],{"filename":S,"content_type":{"type":"string","description":"A media type; application/octet-stream when absent or unparsable."},"content":{"type":"string","format":"byte","description":"The file, base64."}})}})),params=[pid()]),
   "get":op("The conversation's messages, oldest first.",ok(200,"Messages",arr(ref("Message"))),"conversations",params=[pid()])},
 "/api/v1/messages/{id}/attachments/{att}":{"get":op("Download an attachment (always as a download; active content is served as application/octet-stream).",{"200":{"description":"The file, with its own media type when it is passive (text/plain, image/png, …)","content":{"*/*":{"schema":{"type":"string","format":"binary"}}}}},"conversations",params=[pid(),pid("att","Attachment id."),
   {"name":"expires","in":"query","required":False,"schema":{"type":"string"},"description":"signed link: unix time it expires"},
   {"name":"sig","in":"query","required":False,"schema":{"type":"string"},"description":"signed link from an email: with it no bearer token is needed until expires"}],
   desc="An email too large to carry a file links here with expires and sig; such a link works without a bearer token for 7 days.")},
 "/api/v1/messages/{id}/seen":{"post":op("Mark this message and every earlier message of its conversation seen by the caller; cancels emails still pending for them.",{"204":{"description":"Seen"}},"notifications",params=[pid()])},
 "/api/v1/messages/{id}/deliveries":{"get":op("Per recipient: notified, seen, emailed (staff who may see the conversation).",ok(200,"Deliveries",arr(ref("Delivery"))),"notifications",params=[pid()])},
 "/api/v1/me/notifications":{"get":op("The caller's notifications, newest first (at most 500).",ok(200,"Notifications",arr(ref("Notification"))),"notifications",params=[{"name":"unseen","in":"query","required":False,"schema":{"type":"string","enum":["0","1","true","false"]},"description":"1: only those not seen yet."}])},
 "/api/v1/me/unseen":{"get":op("Unseen notification counts per conversation.",ok(200,"Counts",ref("UnseenCounts")),"notifications")},
 "/api/v1/maillog":{"get":op("The mail log, newest first (admins only; entries older than DESKGATE_LOG_RETENTION are pruned).",ok(200,"Entries",arr(ref("MailLogEntry"))),"maillog",params=[
   {"name":"direction","in":"query","required":False,"schema":{"type":"string","enum":["inbound","outbound"]},"description":"Only this direction; both when absent."},
   {"name":"before","in":"query","required":False,"schema":{"type":"integer","format":"int64","minimum":0},"description":"Paging: only entries with a smaller id (pass the last id of the previous page)."},
   {"name":"limit","in":"query","required":False,"schema":{"type":"integer","minimum":1,"maximum":500,"default":100}}])},
 "/api/v1/maillog/{id}/raw":{"get":op("The raw message of a mail log entry, as a download (404 when none was kept, e.g. rejected mail, or pruned).",{"200":{"description":"The message as received, with deskgate's Received field","content":{"message/rfc822":{"schema":{"type":"string","format":"binary"}}}}},"maillog",params=[pid()])},
 "/api/v1/maillog/{id}/text":{"get":op("The message of a mail log entry decoded for reading (admins only): RFC 2047 headers, quoted-printable and base64 bodies and charsets decoded, the text part (else the HTML turned to text) whole, so a captured email's links read intact. 404 as for raw; 422 unparsable when nothing can be read.",{**ok(200,"The decoded message",ref("MailLogText")),"422":err("unparsable.")},"maillog",params=[pid()])},
 "/api/v1/mailboxes":{
   "post":op("Connect an existing IMAP mailbox (admins only). New mail in its folder becomes conversations as SMTP mail does.",ok(201,"Connected",ref("Mailbox")),"mailboxes",body(obj(["host","tls","username","password"],{
     "host":S,"port":{"type":"integer","minimum":1,"maximum":65535,"description":"993 for implicit TLS, else 143."},
     "tls":{"type":"string","enum":["implicit","starttls","none"],"description":"none only to a loopback host."},
     "username":S,"password":{"type":"string","format":"password","writeOnly":True,"description":"Stored to log in; never returned or logged."},
     "folder":{"type":"string","default":"INBOX"},"after":{"type":"string","default":"seen","description":"seen, move:<folder> or delete"},
     "poll_interval":{"type":"string","default":"60s","description":"Used where the server has no IDLE; 5s to 24h."},
     "import_since":{"type":"string","description":"A date (2026-11-30) or RFC 3339 time: also import mail received since then. Absent: mail received from the moment the mailbox is added."}}))),
   "get":op("The connected mailboxes and their status (admins only).",ok(200,"Mailboxes",arr(ref("Mailbox"))),"mailboxes")},
 "/api/v1/mailboxes/{id}":{"delete":op("Disconnect a mailbox (admins only); what it imported stays.",{"204":{"description":"Removed"}},"mailboxes",params=[pid()])},
 "/api/v1/me/events":{"get":op("Server-Sent Events: a `notification` event (id = message id, data = Notification JSON) per new notification; `: ping` comments as heartbeats; send Last-Event-ID on reconnect to get what was missed first. The stream ends when its token is revoked; a token holds at most 20 open streams and an owner (all its tokens and sessions) 40 (opening another ends the oldest); a node holds at most 500 in all (then 503 too_many_streams).",{"200":{"description":"An event stream","content":{"text/event-stream":{"schema":S}}},"503":err("too_many_streams: the node holds its most event streams; retry later.")},"notifications",params=[{"name":"Last-Event-ID","in":"header","required":False,"schema":{"type":"string"}}])},
 "/api/v1/templates":{
   "get":op("Every email template: the system ones, then custom ones (admins).",ok(200,"Templates",arr(ref("Template"))),"messaging"),
   "post":op("Create a custom template for automations (admins).",{**ok(201,"Created",ref("Template")),"409":err("The name is taken (by a custom or a system template).")},"messaging",body(obj(["name","subject","text"],{"name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},"subject":S,"text":S,"html":S,"enabled":B})),desc="422 naming the part and line when it does not parse or names an unknown variable; 409 when the name is taken.")},
 "/api/v1/templates/{name}":{
   "get":op("One template with its variables (admins).",ok(200,"The template",ref("Template")),"messaging",params=[TN]),
   "put":op("Edit a template; fields left out are kept. Applies to the next email rendered, on every node.",ok(200,"The template",ref("Template")),"messaging",body({"type":"object","properties":{"subject":S,"text":S,"html":S,"enabled":B}}),params=[TN],desc="422 naming the part and line when it does not parse or names an unknown variable; 422 code locked when disabling password_reset or notification."),
   "delete":op("Delete a custom template no automation uses (admins).",{"204":{"description":"Deleted"},"409":err("An automation uses it.")},"messaging",params=[TN],desc="A system template cannot be deleted (422 locked).")},
 "/api/v1/templates/{name}/preview":{"post":op("Render a template with sample data, laid under the data given; subject/text/html given preview an unsaved edit.",ok(200,"Rendered",ref("Rendered")),"messaging",body({"type":"object","properties":{"data":{"type":"object"},"subject":S,"text":S,"html":S}},required=False),params=[TN])},
 "/api/v1/templates/{name}/reset":{"post":op("Put a system template back to its default (keeps enabled).",ok(200,"The template",ref("Template")),"messaging",params=[TN])},
 "/api/v1/automations":{
   "get":op("Automations, automation 1 (the one-minute rule, locked) first (admins).",ok(200,"Automations",arr(ref("Automation"))),"messaging"),
   "post":op("Create an automation (admins).",ok(201,"Created",ref("Automation")),"messaging",body(obj(["name","trigger","actions"],{"name":S,"trigger":ref("Trigger"),"actions":arr(ref("AutomationAction")),"enabled":B})),desc="422 for an unknown event, condition, action type, template or audience.")},
 "/api/v1/automations/{id}":{
   "get":op("One automation (admins).",ok(200,"The automation",ref("Automation")),"messaging",params=[pid()]),
   "put":op("Edit an automation (admins): its name, trigger (event and conditions), actions or enabled; fields left out are kept, a trigger or actions given replace the current ones whole. runs and last_error stay. Automation 1 is locked (422 locked).",ok(200,"The automation",ref("Automation")),"messaging",body({"type":"object","properties":{"name":S,"trigger":ref("Trigger"),"actions":arr(ref("AutomationAction")),"enabled":B}}),params=[pid()],desc="422 for an unknown event, condition, action type, template or audience, as for POST."),
   "delete":op("Delete an automation (admins). Automation 1 is locked (422 locked).",{"204":{"description":"Deleted"}},"messaging",params=[pid()])},
 "/api/v1/auth/login":{"post":op("Sign in with email and password: a session token. A wrong address and a wrong password answer alike (401 invalid_credentials); attempts are limited per address and per client.",{**ok(200,"Signed in",ref("Session")),"400":err("Malformed JSON."),"401":err("Wrong email or password."),**{"429":{"description":"Too many attempts; wait Retry-After seconds.","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":ref("Error")}}}},"503":err("Storage unavailable; retry.")},"accounts",body(obj(["email","password"],{"email":S,"password":S})),security=False)},
 "/api/v1/setup":{"post":op("First run (SPEC §10): create the first admin with the token of the setup link serve prints while there is no admin (valid 24 h, single use), and sign them in. A used, expired or forged token, or one used after an admin exists, is 422 invalid_token.",{**ok(201,"The first admin, signed in",obj(["token","expires_at","user"],{"token":{"type":"string","description":"A session token (dgs_…)."},"expires_at":T,"user":ref("User")})),"400":err("Malformed JSON."),"409":err("The address belongs to a customer."),"422":err("invalid_token, invalid (email), or weak_password."),**{"429":{"description":"Too many attempts; wait Retry-After seconds.","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":ref("Error")}}}},"503":err("Storage unavailable; retry.")},"accounts",body(obj(["token","email","password"],{"token":S,"email":S,"name":S,"password":{"type":"string","minLength":8,"maxLength":1024}})),security=False)},
 "/api/v1/auth/session":{"delete":op("Sign out: end the session of the session token used (an API token is not a session: 404).",{"204":{"description":"Signed out"}},"accounts")},
 "/api/v1/auth/password-reset":{"post":op("Ask for a password-reset email. Always 202, whether or not the address has an account; the email carries a single-use link valid 1 hour.",{"202":{"description":"Accepted"},"400":err("Malformed JSON."),**{"429":{"description":"Too many attempts; wait Retry-After seconds.","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":ref("Error")}}}},"503":err("Storage unavailable; retry.")},"accounts",body(obj(["email"],{"email":S})),security=False)},
 "/api/v1/auth/password-reset/confirm":{"post":op("Set a password with the token of a reset or welcome link; every session of the user ends, and every API token minted from a session. Tokens an admin issued stay; with details=true the answer (200) lists them and what ended, else it is 204 (SPEC §10). A used, expired or forged token is 422 invalid_token.",{"204":{"description":"Password set"},**ok(200,"Password set (details=true): what ended, the tokens that still work",ref("ResetConfirmation")),"400":err("Malformed JSON."),"422":err("invalid_token, or weak_password."),**{"429":{"description":"Too many attempts; wait Retry-After seconds.","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":ref("Error")}}}},"503":err("Storage unavailable; retry.")},"accounts",body(obj(["token","password"],{"token":S,"password":{"type":"string","minLength":8,"maxLength":1024}})),params=[{"name":"details","in":"query","required":False,"schema":{"type":"string","enum":["true","false"]},"description":"true: answer 200 with what ended and the tokens that stay."}],security=False)},
 "/api/v1/me/password":{"put":op("Set the caller's own password (current_password required once one is set; attempts count against the address's sign-in limit); the caller's other sessions end, and every API token minted from a session but the one making the change.",{"204":{"description":"Password set"},"429":{"description":"Too many attempts; wait Retry-After seconds.","headers":{"Retry-After":{"schema":{"type":"integer"}}},"content":{"application/json":{"schema":ref("Error")}}}},"accounts",body(obj(["password"],{"current_password":S,"password":{"type":"string","minLength":8,"maxLength":1024}})))},
 "/api/v1/teams":{
   "post":op("Create a team (admins).",ok(201,"Created",ref("Team")),"accounts",body(obj(["name"],{"name":S,"user_ids":IDS}))),
   "get":op("Every team (staff).",ok(200,"Teams",arr(ref("Team"))),"accounts")},
 "/api/v1/me/invitations":{"get":op("Invitations of the caller and of its teams, oldest first.",ok(200,"Invitations",arr(ref("Invitation"))),"accounts",params=[{"name":"status","in":"query","required":False,"schema":{"type":"string","enum":["pending","accepted","declined"]}}])},
 "/api/v1/invitations/{id}/accept":{"post":op("Accept an invitation (the invited user, or a member of the invited team): the invitee follows the project. 409 when already settled.",{**ok(200,"Accepted",ref("Invitation")),"409":err("Already settled.")},"accounts",params=[pid()])},
 "/api/v1/invitations/{id}/decline":{"post":op("Decline an invitation. 409 when already settled.",{**ok(200,"Declined",ref("Invitation")),"409":err("Already settled.")},"accounts",params=[pid()])},
}
# --- SPEC §14: reading what you can write, editing, paging (issue 23) ---
schemas["User"]["properties"]["retired_at"]={"type":"string","format":"date-time","description":"When the user was retired (DELETE /users/{id}); absent while active."}
PAGE=[{"name":"limit","in":"query","required":False,"schema":{"type":"integer","minimum":1,"maximum":500,"default":100},"description":"At most this many entries."},
      {"name":"cursor","in":"query","required":False,"schema":{"type":"string"},"description":"Opaque: copy it from the Link header of the previous page, never build it."}]
LINK={"Link":{"schema":S,"description":"`<URL>; rel=\"next\"` (RFC 8288) when there are more entries: follow URL for the next page. Absent on the last page."}}
def paged(path,method="get"):
  o=paths[path][method]
  names={x["name"] for x in o.get("parameters",[])}
  o["parameters"]=o.get("parameters",[])+[x for x in PAGE if x["name"] not in names]
  o["responses"]["200"]["headers"]=LINK
  o["description"]=(o.get("description","")+" Paged: at most `limit` entries, and a Link header to the next page while there are more; following it never repeats or skips an entry while new ones arrive.").strip()
def q(name,schema,desc): return {"name":name,"in":"query","required":False,"schema":schema,"description":desc}
paths["/api/v1/projects"]["get"]=op("The projects the caller may see, by id (staff; an agent whose conversation_visibility is followed sees those it follows).",ok(200,"Projects",arr(ref("Project"))),"work")
paths["/api/v1/projects/{id}"]={"get":op("One project (404 when the caller may not see it).",ok(200,"The project",ref("Project")),"work",params=[pid()])}
paths["/api/v1/items"]["get"]=op("The items the caller may see, by id (staff).",ok(200,"Items",arr(ref("Item"))),"work",params=[
  q("project_id",{"type":"integer","format":"int64","minimum":1},"Only this project's items."),q("status",S,"Only items with this status (open, closed, …).")])
paths["/api/v1/items/{id}"]["get"]=op("One item (404 when the caller may not see it).",ok(200,"The item",ref("Item")),"work",params=[pid()])
paths["/api/v1/customers"]["get"]=op("Customers, by id (staff).",ok(200,"Customers",arr(ref("Customer"))),"people",params=[
  q("email",S,"Only the customer with this address (any case)."),q("q",S,"Only customers whose address or name contains this (any case).")])
paths["/api/v1/customers/{id}"]={
  "get":op("One customer (staff; a customer token only itself).",ok(200,"The customer",ref("Customer")),"people",params=[pid()]),
  "patch":op("Change a customer's name or address (staff); fields left out keep their value. 409 when the address belongs to another customer or a user.",{**ok(200,"The customer",ref("Customer")),"409":err("The address is taken.")},"people",body({"type":"object","properties":{"name":S,"email":S}}),params=[pid()])}
paths["/api/v1/users/{id}"]={
  "get":op("One staff user (staff).",ok(200,"The user",ref("User")),"people",params=[pid()]),
  "patch":op("Change a user: an admin anything, a user its own name. The last active admin cannot become an agent (409); a retired user cannot be changed (409).",{**ok(200,"The user",ref("User")),"409":err("The address is taken, the last admin, or retired.")},"people",body({"type":"object","properties":{"name":S,"email":S,"role":{"type":"string","enum":["admin","agent"]}}}),params=[pid()]),
  "delete":op("Retire a user (admins): its sessions, API tokens and password links end at once on every node (open event streams end at their next heartbeat), it is notified of nothing more and leaves its teams; its messages and history stay, shown by name, and GET shows retired_at. The last active admin cannot be retired (409). Retiring again is no change.",{"204":{"description":"Retired"},"409":err("The last active admin.")},"people",params=[pid()])}
paths["/api/v1/teams/{id}"]={
  "get":op("One team (staff).",ok(200,"The team",ref("Team")),"accounts",params=[pid()]),
  "patch":op("Rename a team or replace its members (admins); fields left out keep their value.",{**ok(200,"The team",ref("Team")),"409":err("The name is taken.")},"accounts",body({"type":"object","properties":{"name":S,"user_ids":IDS}}),params=[pid()]),
  "delete":op("Remove a team (admins): projects it followed drop it (members keep what they follow themselves); its pending invitations are declined.",{"204":{"description":"Removed"}},"accounts",params=[pid()])}
paths["/api/v1/mailboxes/{id}"]["patch"]=op("Change a mailbox's password, folder, after or poll_interval (admins); fields left out keep their value. The node working it reconnects with the new settings within a third of DESKGATE_NODE_LEASE; a new folder starts afresh (only mail arriving from then on).",ok(200,"The mailbox",ref("Mailbox")),"mailboxes",body({"type":"object","properties":{
  "password":{"type":"string","format":"password","writeOnly":True},"folder":S,"after":S,"poll_interval":S}}),params=[pid()])
paths["/api/v1/me/notifications"]["get"]["summary"]="The caller's notifications, newest first."
paths["/api/v1/maillog"]["get"]["parameters"]=[x for x in paths["/api/v1/maillog"]["get"]["parameters"] if x["name"]!="limit"]
for pth in ["/api/v1/users","/api/v1/teams","/api/v1/projects","/api/v1/items","/api/v1/customers","/api/v1/conversations","/api/v1/conversations/{id}/messages","/api/v1/me/notifications","/api/v1/maillog","/api/v1/mailboxes"]:
  paged(pth)

# --- SPEC §14: webhooks (issue 23) ---
EVENTS=["message.created","conversation.created","item.created","item.status_changed","item.assignees_changed","delivery.updated","maillog.inbound","mailbox.status_changed"]
schemas["Webhook"]={"type":"object","required":["id","url","events","enabled","created_at"],"properties":{
  "id":ID,"url":S,"events":arr({"type":"string","enum":EVENTS}),"enabled":B,
  "secret":{"type":"string","description":"whsec_ + base64 of the signing key (Standard Webhooks). In the answer to POST only: keep it."},
  "disabled_reason":{"type":"string","description":"Why deskgate disabled it (the receiver answered 410); absent otherwise."},
  "created_at":T}}
schemas["WebhookDelivery"]={"type":"object","required":["id","event","type","attempts","status","last_status_code","last_error","next_attempt_at","delivered_at","created_at"],"properties":{
  "id":ID,"event":{"type":"string","description":"The webhook-id header of every attempt (msg_<event id>)."},
  "type":{"type":"string","enum":EVENTS},"attempts":{"type":"integer"},
  "status":{"type":"string","enum":["pending","delivered","failed"]},
  "last_status_code":{"type":"integer","description":"0: no answer (connection refused, timeout)."},
  "last_error":S,"next_attempt_at":{"type":"string","format":"date-time","nullable":True},
  "delivered_at":{"type":"string","format":"date-time","nullable":True},"created_at":T}}
WIN={"type":"object","properties":{"url":{"type":"string","description":"http(s) URL; one resolving to a loopback, private or link-local address is refused (422) unless DESKGATE_WEBHOOK_ALLOW_PRIVATE=true."},
  "events":arr({"type":"string","enum":EVENTS}),"enabled":{"type":"boolean","default":True}}}
paths["/api/v1/webhooks"]={
  "post":op("Add a webhook (admins). Every event of the types listed is POSTed to url, signed as the Standard Webhooks specification says; see docs/building.md.",ok(201,"Created; secret shown this once",ref("Webhook")),"webhooks",body({**WIN,"required":["url","events"]})),
  "get":op("The webhooks (admins), by id; never their secrets.",ok(200,"Webhooks",arr(ref("Webhook"))),"webhooks")}
paths["/api/v1/webhooks/{id}"]={
  "get":op("One webhook (admins).",ok(200,"The webhook",ref("Webhook")),"webhooks",params=[pid()]),
  "put":op("Change a webhook's url, events or enabled (admins); fields left out keep their value. Enabling it again clears disabled_reason.",ok(200,"The webhook",ref("Webhook")),"webhooks",body(WIN),params=[pid()]),
  "delete":op("Remove a webhook and its delivery log (admins).",{"204":{"description":"Removed"}},"webhooks",params=[pid()])}
paths["/api/v1/webhooks/{id}/deliveries"]={"get":op("The webhook's deliveries of the last 72 h, newest first (admins).",ok(200,"Deliveries",arr(ref("WebhookDelivery"))),"webhooks",params=[pid()])}
paths["/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"]={"post":op("Send a delivery again now, whatever its state: the same body under the same webhook-id, retried for another 72 h (admins).",ok(202,"Due now",ref("WebhookDelivery")),"webhooks",params=[pid(),pid("delivery_id","Delivery id.")])}
paged("/api/v1/webhooks"); paged("/api/v1/webhooks/{id}/deliveries")

doc={"openapi":"3.0.3","info":{"title":"deskgate REST API","version":"1","description":"Self-hosted email gateway for a helpdesk messenger. JSON under /api/v1 with `Authorization: Bearer TOKEN`. Errors are `{\"error\":{\"code\",\"message\"}}`. Anything the caller may not see answers 404, never 403."},
 "servers":[{"url":"/"}],"security":[{"bearer":[]}],"paths":paths,
 "components":{"securitySchemes":{"bearer":{"type":"http","scheme":"bearer"}},"schemas":schemas}}
# An optional argument writes elsewhere (.ci/run diffs it against the committed file).
out=sys.argv[1] if len(sys.argv)>1 else os.path.join(os.path.dirname(__file__),"..","webapi","openapi.json")
open(out,"w").write(json.dumps(doc,indent=1)+"\n")

package boltstore

// Bucket names. Only this package uses them.
var (
	bMeta          = []byte("meta")
	bUsers         = []byte("users")
	bUsersEmail    = []byte("users_email")
	bCustomers     = []byte("customers")
	bCustEmail     = []byte("customers_email")
	bTokens        = []byte("tokens")
	bSettings      = []byte("settings")
	bProjects      = []byte("projects")
	bItems         = []byte("items")
	bConversations = []byte("conversations")
	// bConvByItem: item id (8 bytes) + conversation id (8) → nothing.
	bConvByItem = []byte("conversations_by_item")
	// bConvByActivity: activity (store.ConversationActivity, 8 bytes) +
	// conversation id (8) → nothing.
	bConvByActivity = []byte("conversations_by_activity")
	bMessages       = []byte("messages")
	bConvMessages   = []byte("conv_messages")
	bMsgIDs         = []byte("msgids")
	bMailLog        = []byte("maillog")
	bMailLogTime    = []byte("maillog_time")
	bRaw            = []byte("raw")
	bAttachments    = []byte("attachments")
	bDeliveries     = []byte("deliveries")
	bInbox          = []byte("inbox")
	bTimers         = []byte("timers")
	bTimerByPair    = []byte("timer_by_pair")
	bEmailDeliv     = []byte("email_deliveries")
	bBounced        = []byte("bounced_addresses")
	bOutCap         = []byte("outbound_cap")
	bOutCapTime     = []byte("outbound_cap_time")
	bOutbound       = []byte("outbound")
	bOutboundRaw    = []byte("outbound_raw")
	bOutboundDue    = []byte("outbound_due")
	bOutboundMsgID  = []byte("outbound_msgid")
)

// schemaVersion is written to meta/"schema" on creation and checked on open.
const schemaVersion = "2"

// allBuckets is created on open. A file that adds a concept adds its buckets here.
var allBuckets = [][]byte{
	bMeta, bUsers, bUsersEmail, bCustomers, bCustEmail, bTokens, bSettings,
	bProjects, bItems, bConversations, bConvByItem, bConvByActivity, bMessages, bConvMessages, bMsgIDs,
	bMailLog, bMailLogTime, bRaw, bAttachments, bConvRecipients, // bConvRecipients: notifications.go
	bDeliveries, bInbox, bTimers, bTimerByPair, bEmailDeliv, bBounced,
	bOutCap, bOutCapTime,
	bOutbound, bOutboundRaw, bOutboundDue, bOutboundMsgID,
	bPasswords, bSessions, bUserSessions, bPassLinks, bUserPassLinks, bRates, // accounts.go
	bTeams, bTeamNames, bInvitations, bInvitationsBy,
	bTemplates, bAutomations, // messaging.go
	bOutbox, bOutboxQueue, // outbox.go
	bWebhooks, bWebhookDeliv, bWebhookDue, bWebhookByHook, // webhooks.go
}

package store

// HotQueries are the statements every turn, the sender, the queues and the sweeper run,
// by name, for the test that checks how much of a big database each one reads.
var HotQueries = map[string]string{
	"receive":                qReceive,
	"next inbox":             qNextInbox,
	"mark handled":           qMarkHandled,
	"pending conversations":  qPendingConversations,
	"stale pending":          qStalePending,
	"due outbox":             qDueOutbox,
	"claim outbox rows":      qClaimOutboxRows,
	"mark outbox delivered":  qMarkOutboxDelivered,
	"outbox by keys":         qOutboxByKeys,
	"claim telegram update":  qClaimTelegramUpdate,
	"finish telegram update": qFinishNextTelegramUpdate,
	"claim job":              qClaimJob,
	"current conversation":   qCurrentConversation,
	"lock conversation":      selectConversation + "\nFOR UPDATE OF c",
	"messages":               qMessages,
}

// MaxPendingNotes is how many notifications a Notifier keeps waiting before it drops
// the oldest.
const MaxPendingNotes = maxPending

// NewNotifierGathering is NewNotifier with the wait of an idle notifier for the
// notifications behind its first one set to gather.
var NewNotifierGathering = newNotifier

// Package dialog is the conversation: the trip a traveller describes, the plan they get,
// the state machine that collects one and presents the other, the parsers that read
// Chinese and English messages, and the replies as values that know nothing of Telegram,
// HTTP or SQL.
package dialog

// Package pipeline takes every traveller's message, from whichever channel, to the
// dialog engine and back: stored first (a redelivery is dropped), handled one turn at a
// time per conversation inside one transaction with the conversation row locked, the
// replies written to the outbox of the traveller's channel in that same transaction. It
// also holds the sweeper that picks up messages nobody handled, the plan worker that
// writes plans outside any transaction, and the plan's progress reports. It knows no
// channel and no HTTP: a channel hands it an Inbound and gives it an OutboxWriter.
package pipeline

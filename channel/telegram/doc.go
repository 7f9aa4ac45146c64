// Package telegram is the Telegram channel: it receives updates by long polling (one
// poller across all instances) or by webhook, stores them before acknowledging them,
// turns them into the pipeline's inbound messages, renders the dialog's replies as
// Telegram HTML with inline keyboards, and sends everything through a durable outbox
// paced under Telegram's limits.
//
// It talks to the Bot API through go-telegram-bot-api v5.5.1, behind the small botAPI
// interface below, so that tests run it against an in-process fake of the Bot API.
package telegram

// Package bot is where people meet the service: the HTTP server and its routes, the
// inbound pipeline shared by every channel, the outbox, the Telegram and web channels,
// the agent console and authentication.
package bot

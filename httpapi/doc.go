// Package bot is the HTTP layer where people meet the service: the server and its routes,
// the web widget and its event streams, the agent console, authentication, the admin's
// announcements and recommendations. Messages go from here to package pipeline; the
// Telegram channel (channel/telegram) depends on the pipeline, never on this package.
package bot

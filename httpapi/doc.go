// Package httpapi is the HTTP layer where people meet the service: the server, its
// middleware and routes.go, which composes the areas, each a handler type holding only
// what it uses: accounts (logging in, and the authentication middleware that puts the
// principal in the request), agents (the console), admin, recommendations and
// announcements, and the static pages. The widget's handlers are the web channel's
// (channel/web), mounted here; the console borrows its event streams. Nothing but cmd
// imports this package: no channel depends on the HTTP layer.
package httpapi

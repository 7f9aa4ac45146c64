// Package web is the web channel: the widget's HTTP handlers (a session, its messages, its
// history, its event stream), the hub that wakes event streams from the process's one
// notification listener, and the limits on sessions, messages and open streams. Messages
// go from here to package pipeline. The HTTP layer (httpapi) mounts these handlers and
// borrows the event streams for the agents' console; this package never imports it.
package web

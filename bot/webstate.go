package bot

// webState is the web channel's in-process state: rate limiters and the event hub.
type webState struct{}

// Close stops the server's background work: the event listener and pending turns.
func (s *Server) Close() {}

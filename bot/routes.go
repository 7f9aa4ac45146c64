package bot

import "net/http"

// routes lists the whole HTTP surface.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.metricsHandler())
}

package bot

import "net/http"

// routes lists the whole HTTP surface.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	mux.Handle("GET /metrics", s.metricsHandler())

	// Accounts (seed 004 section 6). Bearer tokens only, no cookies: nothing for CSRF to ride on.
	mux.Handle("POST /api/login", s.handleLogin())
	mux.Handle("POST /api/token/refresh", s.handleRefresh())
	mux.Handle("POST /api/logout", s.requireRole(RoleAgent, RoleAdmin)(s.handleLogout()))

	// Recommendations (seed 004 section 6): a widget session or an agent may ask.
	mux.Handle("POST /api/recommendations", s.requireRole(RoleAgent, RoleAdmin, KindWidget)(s.handleCreateRecommendation()))
	mux.Handle("GET /api/recommendations/{id}", s.requireRole(RoleAgent, RoleAdmin, KindWidget)(s.handleGetRecommendation()))

	// Admins.
	mux.Handle("GET /api/admin/providers", s.requireRole(RoleAdmin)(s.handleProviders()))
}

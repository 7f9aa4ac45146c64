package httpapi

import (
	"net/http"

	"xingqu/auth"
	"xingqu/store"
)

// routes lists the whole HTTP surface.
func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /healthz", s.handleHealthz())
	mux.Handle("GET /readyz", s.handleReadyz())
	if !s.cfg.MetricsElsewhere {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("POST /telegram/webhook", s.telegramWebhook())

	// Accounts (seed 004 section 6). Bearer tokens only, no cookies: nothing for CSRF to ride on.
	mux.Handle("POST /api/login", s.accounts.handleLogin())
	mux.Handle("POST /api/token/refresh", s.accounts.handleRefresh())
	mux.Handle("POST /api/logout", s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin)(s.accounts.handleLogout()))

	// The widget (SPEC section 6): session tokens in the Authorization header only.
	widget := s.accounts.requireRole(auth.KindWidget)
	mux.Handle("GET /{$}", handleStatic("index.html"))
	mux.Handle("GET /demo.css", handleStatic("demo.css"))
	mux.Handle("GET /favicon.svg", handleStatic("favicon.svg"))
	mux.Handle("GET /favicon.ico", handleStatic("favicon.svg")) // browsers ask for it unprompted
	mux.Handle("GET /widget.js", handleStatic("widget.js"))
	mux.Handle("GET /widget.css", handleStatic("widget.css"))
	mux.Handle("OPTIONS /api/widget/", s.widget.CORS(http.NotFoundHandler()))
	mux.Handle("POST /api/widget/session", s.widget.CORS(s.widget.HandleSession()))
	mux.Handle("POST /api/widget/messages", s.widget.CORS(widget(s.widget.HandlePost())))
	mux.Handle("GET /api/widget/messages", s.widget.CORS(widget(s.widget.HandleHistory())))
	mux.Handle("GET /api/widget/events", s.widget.CORS(widget(s.widget.HandleEvents())))

	// The agent console and its API.
	agent := s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin)
	mux.Handle("GET /console", handleStatic("console.html"))
	mux.Handle("GET /console.js", handleStatic("console.js"))
	mux.Handle("GET /console.css", handleStatic("console.css"))
	mux.Handle("GET /api/agent/conversations", agent(s.agents.handleAgentList()))
	mux.Handle("GET /api/agent/conversations/{id}", agent(s.agents.handleAgentConversation()))
	mux.Handle("POST /api/agent/conversations/{id}/takeover", agent(s.agents.handleTakeover()))
	mux.Handle("POST /api/agent/conversations/{id}/messages", agent(s.agents.handleAgentReply()))
	mux.Handle("POST /api/agent/conversations/{id}/handback", agent(s.agents.handleHandback()))
	mux.Handle("GET /api/agent/events", agent(s.agents.handleAgentEvents()))
	mux.Handle("GET /api/agent/cases", agent(s.agents.handleCaseQueue()))
	for _, change := range []string{caseAcknowledge, caseAssign, caseNote, caseResolve} {
		mux.Handle("POST /api/agent/cases/{id}/"+change, agent(s.agents.handleCaseChange(change)))
	}
	mux.Handle("GET /api/admin/users", s.accounts.requireRole(auth.RoleAdmin)(s.accounts.handleAdminUsers()))

	// Recommendations (seed 004 section 6): a widget session or an agent may ask.
	mux.Handle("POST /api/recommendations", s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.recommendations.handleCreateRecommendation()))
	mux.Handle("GET /api/recommendations/{id}", s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.recommendations.handleGetRecommendation()))
	mux.Handle("POST /api/recommendations/{id}/edits", s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.recommendations.handleEditRecommendation()))

	// Admins.
	admin := s.accounts.requireRole(auth.RoleAdmin)
	mux.Handle("GET /api/admin/providers", admin(s.admin.handleProviders()))
	mux.Handle("GET /api/admin/outbox", admin(s.admin.handleOutbox()))
	mux.Handle("GET /api/admin/feedback", admin(s.admin.handleAdminFeedback()))
	mux.Handle("POST /api/admin/feedback/{id}/handle", agent(s.agents.handleFeedbackReply()))

	// People: admins manage accounts; everyone may change their own password, and one with a
	// temporary password may do nothing else first.
	mux.Handle("POST /api/admin/users", admin(s.accounts.handleCreateUser()))
	mux.Handle("POST /api/admin/users/{id}/disable", admin(s.accounts.handleDisableUser()))
	mux.Handle("POST /api/admin/users/{id}/password", admin(s.accounts.handleResetPassword()))
	account := s.accounts.requireRole(auth.RoleAgent, auth.RoleAdmin, passwordChange)
	mux.Handle("GET /api/account", account(s.accounts.handleAccount()))
	mux.Handle("POST /api/account/password", account(s.accounts.handleChangePassword()))
	mux.Handle("GET /admin.js", handleStatic("admin.js"))
	mux.Handle("GET /admin.css", handleStatic("admin.css"))

	// Announcements and maintenance (SPEC section 7): admins publish, everyone reads.
	mux.Handle("GET /api/admin/announcements", admin(s.announcements.handleListAnnouncements()))
	mux.Handle("POST /api/admin/announcements", admin(s.announcements.handleCreateAnnouncement()))
	mux.Handle("POST /api/admin/announcements/preview", admin(s.announcements.handlePreviewAnnouncement()))
	mux.Handle("POST /api/admin/announcements/{id}/updates", admin(s.announcements.handleAddUpdate()))
	mux.Handle("GET /api/admin/announcements/{id}", admin(s.announcements.handleGetAnnouncement()))
	mux.Handle("POST /api/admin/announcements/{id}/cancel", admin(s.announcements.handleCloseAnnouncement(store.AnnCancelled)))
	mux.Handle("POST /api/admin/announcements/{id}/complete", admin(s.announcements.handleCloseAnnouncement(store.AnnCompleted)))
	mux.Handle("GET /api/admin/maintenance", admin(s.announcements.handleGetMaintenance()))
	mux.Handle("POST /api/admin/maintenance", admin(s.announcements.handleMaintenance()))
	mux.Handle("OPTIONS /api/announcements", s.widget.CORS(http.NotFoundHandler()))
	mux.Handle("GET /api/announcements", s.widget.CORS(s.announcements.handlePublicAnnouncements()))
	mux.Handle("GET /changelog", s.announcements.handleChangelog())
}

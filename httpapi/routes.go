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
	if !s.MetricsElsewhere {
		mux.Handle("GET /metrics", s.MetricsHandler())
	}
	mux.Handle("POST /telegram/webhook", s.telegramWebhook())

	// Accounts (seed 004 section 6). Bearer tokens only, no cookies: nothing for CSRF to ride on.
	mux.Handle("POST /api/login", s.handleLogin())
	mux.Handle("POST /api/token/refresh", s.handleRefresh())
	mux.Handle("POST /api/logout", s.requireRole(auth.RoleAgent, auth.RoleAdmin)(s.handleLogout()))

	// The widget (SPEC section 6): session tokens in the Authorization header only.
	widget := s.requireRole(auth.KindWidget)
	mux.Handle("GET /{$}", s.handleStatic("index.html"))
	mux.Handle("GET /demo.css", s.handleStatic("demo.css"))
	mux.Handle("GET /favicon.svg", s.handleStatic("favicon.svg"))
	mux.Handle("GET /favicon.ico", s.handleStatic("favicon.svg")) // browsers ask for it unprompted
	mux.Handle("GET /widget.js", s.handleStatic("widget.js"))
	mux.Handle("GET /widget.css", s.handleStatic("widget.css"))
	mux.Handle("OPTIONS /api/widget/", s.cors(http.NotFoundHandler()))
	mux.Handle("POST /api/widget/session", s.cors(s.handleWidgetSession()))
	mux.Handle("POST /api/widget/messages", s.cors(widget(s.handleWidgetPost())))
	mux.Handle("GET /api/widget/messages", s.cors(widget(s.handleWidgetHistory())))
	mux.Handle("GET /api/widget/events", s.cors(widget(s.handleWidgetEvents())))

	// The agent console and its API.
	agent := s.requireRole(auth.RoleAgent, auth.RoleAdmin)
	mux.Handle("GET /console", s.handleStatic("console.html"))
	mux.Handle("GET /console.js", s.handleStatic("console.js"))
	mux.Handle("GET /console.css", s.handleStatic("console.css"))
	mux.Handle("GET /api/agent/conversations", agent(s.handleAgentList()))
	mux.Handle("GET /api/agent/conversations/{id}", agent(s.handleAgentConversation()))
	mux.Handle("POST /api/agent/conversations/{id}/takeover", agent(s.handleTakeover()))
	mux.Handle("POST /api/agent/conversations/{id}/messages", agent(s.handleAgentReply()))
	mux.Handle("POST /api/agent/conversations/{id}/handback", agent(s.handleHandback()))
	mux.Handle("GET /api/agent/events", agent(s.handleAgentEvents()))
	mux.Handle("GET /api/agent/cases", agent(s.handleCaseQueue()))
	for _, change := range []string{caseAcknowledge, caseAssign, caseNote, caseResolve} {
		mux.Handle("POST /api/agent/cases/{id}/"+change, agent(s.handleCaseChange(change)))
	}
	mux.Handle("GET /api/admin/users", s.requireRole(auth.RoleAdmin)(s.handleAdminUsers()))

	// Recommendations (seed 004 section 6): a widget session or an agent may ask.
	mux.Handle("POST /api/recommendations", s.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.handleCreateRecommendation()))
	mux.Handle("GET /api/recommendations/{id}", s.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.handleGetRecommendation()))
	mux.Handle("POST /api/recommendations/{id}/edits", s.requireRole(auth.RoleAgent, auth.RoleAdmin, auth.KindWidget)(s.handleEditRecommendation()))

	// Admins.
	admin := s.requireRole(auth.RoleAdmin)
	mux.Handle("GET /api/admin/providers", admin(s.handleProviders()))
	mux.Handle("GET /api/admin/outbox", admin(s.handleOutbox()))
	mux.Handle("GET /api/admin/feedback", admin(s.handleAdminFeedback()))
	mux.Handle("POST /api/admin/feedback/{id}/handle", agent(s.handleFeedbackReply()))

	// People: admins manage accounts; everyone may change their own password, and one with a
	// temporary password may do nothing else first.
	mux.Handle("POST /api/admin/users", admin(s.handleCreateUser()))
	mux.Handle("POST /api/admin/users/{id}/disable", admin(s.handleDisableUser()))
	mux.Handle("POST /api/admin/users/{id}/password", admin(s.handleResetPassword()))
	account := s.requireRole(auth.RoleAgent, auth.RoleAdmin, passwordChange)
	mux.Handle("GET /api/account", account(s.handleAccount()))
	mux.Handle("POST /api/account/password", account(s.handleChangePassword()))
	mux.Handle("GET /admin.js", s.handleStatic("admin.js"))
	mux.Handle("GET /admin.css", s.handleStatic("admin.css"))

	// Announcements and maintenance (SPEC section 7): admins publish, everyone reads.
	mux.Handle("GET /api/admin/announcements", admin(s.handleListAnnouncements()))
	mux.Handle("POST /api/admin/announcements", admin(s.handleCreateAnnouncement()))
	mux.Handle("POST /api/admin/announcements/preview", admin(s.handlePreviewAnnouncement()))
	mux.Handle("POST /api/admin/announcements/{id}/updates", admin(s.handleAddUpdate()))
	mux.Handle("GET /api/admin/announcements/{id}", admin(s.handleGetAnnouncement()))
	mux.Handle("POST /api/admin/announcements/{id}/cancel", admin(s.handleCloseAnnouncement(store.AnnCancelled)))
	mux.Handle("POST /api/admin/announcements/{id}/complete", admin(s.handleCloseAnnouncement(store.AnnCompleted)))
	mux.Handle("GET /api/admin/maintenance", admin(s.handleGetMaintenance()))
	mux.Handle("POST /api/admin/maintenance", admin(s.handleMaintenance()))
	mux.Handle("OPTIONS /api/announcements", s.cors(http.NotFoundHandler()))
	mux.Handle("GET /api/announcements", s.cors(s.handlePublicAnnouncements()))
	mux.Handle("GET /changelog", s.handleChangelog())
}

package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"xingqu/api"
	"xingqu/channel/web"
	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/providers/llm"
	"xingqu/store"
)

// Config is what the HTTP layer is made from. New reads it once: nothing is attached or
// changed after the server is made.
type Config struct {
	DB      *store.DB
	Log     *slog.Logger
	Version string
	// Registry is where the service's metrics are registered and /metrics reads them;
	// nil: a registry of the server's own.
	Registry *prometheus.Registry
	// TelegramWebhook receives Telegram's updates in webhook mode; nil answers 404.
	TelegramWebhook http.Handler
	// Pipeline takes the widget's messages and the agents' events; Web configures the web
	// channel, whose streams the console shares.
	Pipeline *pipeline.Pipeline
	// Recommend makes a plan for the recommendations API, synchronously; who is the
	// caller and their address, whose daily model budgets it is charged to. The report
	// says whether the plan is a draft because a budget was spent.
	Recommend func(ctx context.Context, trip dialog.TripRequest, lang string, who llm.Spender) (dialog.Plan, llm.Report, error)
	// EditRecommendation makes an edit of a recommendation's plan; nil makes it offline.
	EditRecommendation EditRecommendationFunc
	// ProviderHealth reports the planning providers for the admin console.
	ProviderHealth func() []llm.ProviderHealth
	Web            web.Config
	// ReadyWarn, when set, names a condition /readyz logs without failing: a backup
	// older than it should be.
	ReadyWarn func(ctx context.Context) error

	// Spending reports the model spending of this instance for the admin console.
	Spending func() llm.Spending
	// Now is the clock announcements are scheduled by; nil: time.Now.
	Now func() time.Time
	// MetricsElsewhere leaves /metrics off the routes: it is served on a listener of its
	// own (XINGQU_METRICS_ADDR) through MetricsHandler.
	MetricsElsewhere bool

	AccessTTL      time.Duration // 0: auth.AccessTTL
	LoginFailDelay time.Duration // pause before a failed login is answered; 0: 400ms
	// RecommendRate is how many POST /api/recommendations one caller may make per minute
	// (0: 6), RecommendAddrRate how many from one client address (0: 30).
	RecommendRate     int
	RecommendAddrRate int
}

// Server is the HTTP surface: the areas routes.go composes, and the middleware around them.
type Server struct {
	cfg Config

	widget          *web.Widget
	accounts        *accounts
	agents          *agents
	admin           *admin
	recommendations *recommendations
	announcements   *announcements
	handler         http.Handler

	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// errorLog is the log an area's failures go to, and how a failure is answered.
type errorLog struct{ Log *slog.Logger }

// serverError logs err and answers 500 without showing it.
func (e errorLog) serverError(w http.ResponseWriter, r *http.Request, err error) {
	api.ServerError(w, r, e.Log, err)
}

// New makes the server, each area with what it uses, and registers the server's metrics,
// the Go runtime's and the pool's.
func New(cfg Config) *Server {
	db, log, proxies := cfg.DB, cfg.Log, cfg.Web.TrustedProxies
	s := &Server{cfg: cfg, registry: cfg.Registry}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	s.widget = web.New(db, cfg.Pipeline, cfg.Web, log)
	s.accounts = &accounts{errorLog: errorLog{log}, DB: db, proxies: proxies, ttl: cfg.AccessTTL, failWait: cfg.LoginFailDelay, auth: newAuthState()}
	s.agents = &agents{errorLog: errorLog{log}, DB: db, Pipeline: cfg.Pipeline, streams: s.widget, proxies: proxies}
	s.admin = &admin{errorLog: errorLog{log}, DB: db, Pipeline: cfg.Pipeline, ProviderHealth: cfg.ProviderHealth, Spending: cfg.Spending}
	s.recommendations = &recommendations{errorLog: errorLog{log}, DB: db, Recommend: cfg.Recommend, EditRecommendation: cfg.EditRecommendation,
		proxies: proxies, callerRate: cfg.RecommendRate, addrRate: cfg.RecommendAddrRate}
	s.announcements = newAnnouncements(db, cfg.Pipeline, cfg.Now, log)
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "xingqu_http_requests_total", Help: "HTTP requests by route and status.",
	}, []string{"route", "method", "status"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "xingqu_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	s.registry.MustRegister(s.requests, s.latency,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.DB.DB, "xingqu"),
	)
	mux := http.NewServeMux()
	s.routes(mux)
	s.handler = s.observe(mux)
	return s
}

// Registry is where other parts of the service register their metrics.
func (s *Server) Registry() prometheus.Registerer { return s.registry }

// MaxMetricsScrapes is how many scrapes of /metrics run at once; more are answered 503 at
// once, so that scraping cannot be turned into a lever on the database.
const MaxMetricsScrapes = 2

// MetricsHandler serves the Prometheus metrics.
func (s *Server) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		MaxRequestsInFlight: MaxMetricsScrapes,
		Timeout:             10 * time.Second,
		ErrorLog:            slog.NewLogLogger(s.cfg.Log.Handler(), slog.LevelWarn),
	})
}

// Handler is the whole HTTP surface with its middleware.
func (s *Server) Handler() http.Handler { return s.handler }

// RecordProviderHealth reads the planning providers' totals every interval until ctx
// ends, keeping the last six hours for the admin console's chart.
func (s *Server) RecordProviderHealth(ctx context.Context, every time.Duration) {
	s.admin.RecordProviderHealth(ctx, every)
}

// Close ends the web channel's event streams and stops the widget's turns in flight,
// and waits for them. Every call waits: serve registers it to end event streams
// as shutdown begins, then calls it again so that the database outlives the last turn.
func (s *Server) Close() { s.widget.Close() }

// HTTPServer wraps h with the timeouts every listener needs. There is no WriteTimeout:
// event streams stay open for as long as the client listens.
func HTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush on the real writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe gives each request an id, caps its body, and logs and counts it by route.
func (s *Server) observe(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 64 {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		r = r.WithContext(api.WithRequestID(r.Context(), id))
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, api.MaxBodyBytes)
		}
		rec := &statusRecorder{ResponseWriter: w}
		_, route := next.Handler(r)
		if route == "" {
			route = "unmatched"
		}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		d := time.Since(start)
		s.requests.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Inc()
		s.latency.WithLabelValues(route, r.Method).Observe(d.Seconds())
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelWarn
		} else if route != "GET /healthz" && route != "GET /readyz" && route != "GET /metrics" {
			level = slog.LevelInfo
		}
		attrs := []any{"request_id", id, "method", r.Method, "route", route, "status", rec.status, "duration_ms", float64(d.Microseconds()) / 1000}
		if route == "unmatched" {
			// No route names the request, so its path is the only clue to what was wanted.
			p := r.URL.Path
			if len(p) > 200 {
				p = p[:200]
			}
			attrs = append(attrs, "path", p)
		}
		s.cfg.Log.Log(r.Context(), level, "http", attrs...)
	})
}

func (s *Server) handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.cfg.Version})
	})
}

// handleReadyz answers 503 while the database is unreachable or behind on migrations,
// so a load balancer stops sending traffic until it recovers.
func (s *Server) handleReadyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.DB.Ready(ctx); err != nil {
			s.cfg.Log.Warn("not ready", "err", err)
			// The reason stays in the log: it names hosts and socket paths.
			api.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		if s.cfg.ReadyWarn != nil {
			if err := s.cfg.ReadyWarn(ctx); err != nil {
				s.cfg.Log.Warn("ready, with a warning", "warning", err)
			}
		}
		api.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}

// telegramWebhook is the Telegram channel's webhook, or 404 when it is not in webhook mode.
func (s *Server) telegramWebhook() http.Handler {
	if s.cfg.TelegramWebhook != nil {
		return s.cfg.TelegramWebhook
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		api.WriteError(w, http.StatusNotFound, api.NotFound, "the Telegram channel is not in webhook mode", "")
	})
}

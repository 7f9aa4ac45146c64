package llm

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	openai "github.com/sashabaranov/go-openai"
	"github.com/sony/gobreaker/v2"

	"xingqu/dialog"
	"xingqu/providers/offline"
)

// Retry policy: a 429 is retried once when the server asks for at most maxRetryAfter; a
// longer wait costs more than the next provider does. A transient 5xx is retried once
// after retryJitterMin..+retryJitterSpan, so instances do not retry in lockstep.
const (
	maxRetryAfter   = 2 * time.Second
	retryJitterMin  = 100 * time.Millisecond
	retryJitterSpan = 200 * time.Millisecond
)

// Breaker defaults: five failures in a row open a provider for 30 s; then one probe.
const (
	defaultBreakerTrips    = 5
	defaultBreakerCooldown = 30 * time.Second
)

// Why a plan came from the offline planner (Report.Offline).
const (
	OfflineNoProviders = "no providers configured"
	OfflineAllFailed   = "all providers failed"
	OfflineBudget      = "daily token budget spent"
)

// Chain plans with the configured providers in order and falls back to the offline
// planner. It is safe for concurrent use; one Chain serves the whole process.
type Chain struct {
	cfg       Config
	providers []*provider
	log       *slog.Logger
	metrics   *metrics
	now       func() time.Time
	ledger    TokenLedger
	places    PlaceNames
	inFlight  slots
	spend     spendStats

	rndMu sync.Mutex
	rnd   *rand.Rand
}

type provider struct {
	cfg     ProviderConfig
	client  *openai.Client
	breaker *gobreaker.TwoStepCircuitBreaker[struct{}]
	stats   stats
}

type options struct {
	log             *slog.Logger
	reg             prometheus.Registerer
	now             func() time.Time
	rnd             *rand.Rand
	http            *http.Client
	ledger          TokenLedger
	places          PlaceNames
	breakerTrips    uint32
	breakerCooldown time.Duration
	maxBytes        int64
}

// Option adjusts a Chain.
type Option func(*options)

// WithLogger logs one line per provider failure; the default discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegisterer registers the chain's Prometheus metrics; by default they are not exported.
func WithRegisterer(r prometheus.Registerer) Option { return func(o *options) { o.reg = r } }

// WithClock sets what "now" is for plan timestamps and the token budget's day.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRand sets the source of the retry jitter.
func WithRand(r *rand.Rand) Option { return func(o *options) { o.rnd = r } }

// WithHTTPClient sets the client every provider uses. Its Timeout should be zero: the
// chain bounds each call with a context, and a client timeout would also cut streams.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.http = c } }

// WithTokenLedger sets where per-traveller token spending is kept; the default is in memory.
func WithTokenLedger(l TokenLedger) Option { return func(o *options) { o.ledger = l } }

// WithPlaceNames sets where extraction looks up the other names of a place, to accept
// "Fuzhou" for a message that says 福州.
func WithPlaceNames(f PlaceNames) Option { return func(o *options) { o.places = f } }

// WithBreaker sets how many consecutive failures open a provider's breaker and how long it
// stays open before one probe is let through.
func WithBreaker(trips uint32, cooldown time.Duration) Option {
	return func(o *options) { o.breakerTrips, o.breakerCooldown = trips, cooldown }
}

// WithMaxResponseBytes caps the bytes read from one response.
func WithMaxResponseBytes(n int64) Option { return func(o *options) { o.maxBytes = n } }

// New builds the chain. Providers without a base URL (an unknown name with no
// LLM_<NAME>_BASE_URL) are left out with a warning rather than failing every plan.
func New(cfg Config, opts ...Option) *Chain {
	o := options{
		log:             slog.New(slog.DiscardHandler),
		now:             time.Now,
		breakerTrips:    defaultBreakerTrips,
		breakerCooldown: defaultBreakerCooldown,
		maxBytes:        DefaultMaxResponseBytes,
	}
	for _, opt := range opts {
		opt(&o)
	}
	if o.http == nil {
		o.http = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if o.rnd == nil {
		o.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if o.ledger == nil {
		o.ledger = NewMemoryLedger()
	}
	c := &Chain{
		cfg:      cfg.withDefaults(),
		log:      o.log,
		metrics:  newMetrics(o.reg),
		now:      o.now,
		ledger:   o.ledger,
		places:   o.places,
		inFlight: newSlots(cfg.MaxInFlight),
		rnd:      o.rnd,
	}
	hc := &doer{client: o.http, maxBytes: o.maxBytes, now: o.now}
	for _, pc := range cfg.Providers {
		pc = pc.withDefaults()
		if pc.BaseURL == "" {
			c.log.Warn("llm provider has no base URL, skipped", "provider", pc.Name)
			continue
		}
		oc := openai.DefaultConfig(pc.APIKey)
		oc.BaseURL = pc.BaseURL
		oc.HTTPClient = hc
		p := &provider{cfg: pc, client: openai.NewClientWithConfig(oc)}
		trips := o.breakerTrips
		p.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
			Name:        pc.Name,
			Timeout:     o.breakerCooldown,
			ReadyToTrip: func(n gobreaker.Counts) bool { return n.ConsecutiveFailures >= trips },
			// The breaker guards against a provider that is down, not one that wrote a
			// bad plan or lost a hedge: those leave its state alone.
			IsExcluded:   func(err error) bool { return errors.Is(err, codeErr(codeCancelled)) },
			IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, codeErr(codeAnswered)) },
			OnStateChange: func(name string, from, to gobreaker.State) {
				c.log.Info("llm breaker", "provider", name, "from", from.String(), "to", to.String())
			},
		})
		c.providers = append(c.providers, p)
	}
	return c
}

// PlanRequest is one trip to plan.
type PlanRequest struct {
	Trip        dialog.TripRequest
	Lang        string                    // "zh" or "en"
	TravellerID string                    // for the daily token budget; see spender
	Address     string                    // the client's network, for the per-address budget; see spender
	Weather     map[string]dialog.Weather // by ISO date, optional; attached to the days
	OnProgress  func(Progress)            // optional; called serially, must not block
}

// spender is who the plan's model calls are charged to: the request's traveller and
// address when it names either, else the Spender in ctx (WithSpender, WithSpenderFunc);
// nobody, and no limit, when neither says.
func (r PlanRequest) spender(ctx context.Context) Spender {
	if r.TravellerID != "" || r.Address != "" {
		return Spender{r.TravellerID, r.Address}
	}
	return spenderOf(ctx)
}

// Progress is a streamed answer growing.
type Progress struct {
	Provider string
	Chars    int    // characters received so far
	Text     string // the partial answer (raw JSON) so far
}

// Attempt is one provider's part in a plan. Code is "" for the provider that wrote the
// plan, else the seed code of its failure (LLM-104 with ErrBreakerOpen when skipped).
type Attempt struct {
	Provider string
	Code     string
	Err      error
	Latency  time.Duration
}

// Report says how a plan was made.
type Report struct {
	Source   string    // Plan.Source
	Attempts []Attempt // in the order they finished; hedges that were cancelled are left out
	Offline  string    // why the offline planner wrote it; "" when a provider did
}

// Failed returns the attempts that failed.
func (r Report) Failed() []Attempt {
	var out []Attempt
	for _, a := range r.Attempts {
		if a.Code != "" {
			out = append(out, a)
		}
	}
	return out
}

// Plan returns the three options for a trip. Provider failures never surface as errors:
// the worst case is the offline draft. The error is only ever the caller's ctx.Err().
func (c *Chain) Plan(ctx context.Context, req PlanRequest) (dialog.Plan, error) {
	p, _, err := c.PlanWithReport(ctx, req)
	return p, err
}

// PlanWithReport is Plan that also says which providers failed and how.
func (c *Chain) PlanWithReport(ctx context.Context, req PlanRequest) (dialog.Plan, Report, error) {
	if err := ctx.Err(); err != nil {
		return dialog.Plan{}, Report{}, err
	}
	now := c.now()
	var rep Report
	var plan dialog.Plan
	switch {
	case len(c.providers) == 0:
		rep.Offline = OfflineNoProviders
	case c.overBudget(ctx, req.spender(ctx), now):
		rep.Offline = OfflineBudget
		c.metrics.budgetDrafts.Inc()
		c.spend.mu.Lock()
		c.spend.budgetDrafts++
		c.spend.mu.Unlock()
	default:
		dctx, cancel := context.WithTimeout(ctx, c.cfg.Deadline)
		in := newPlanInput(req.Trip, req.Lang, offline.Dates(req.Trip, now), req.Weather)
		opts, src := c.race(dctx, in, req, &rep)
		cancel()
		if err := ctx.Err(); err != nil {
			return dialog.Plan{}, rep, err
		}
		if opts != nil {
			plan = dialog.Plan{Trip: req.Trip, Options: opts, Source: src, CreatedAt: now}
		} else {
			rep.Offline = OfflineAllFailed
		}
	}
	if rep.Offline != "" {
		plan = offline.PlanWithWeather(req.Trip, req.Lang, now, req.Weather)
		if rep.Offline == OfflineBudget {
			plan.DraftCode = CodeRateLimited
		}
	}
	rep.Source = plan.Source
	attachWeather(&plan, req.Weather)
	return plan, rep, nil
}

func attachWeather(p *dialog.Plan, byDate map[string]dialog.Weather) {
	if len(byDate) == 0 {
		return
	}
	for i := range p.Options {
		for j := range p.Options[i].Days {
			d := &p.Options[i].Days[j]
			if w, ok := byDate[d.Date.String()]; ok {
				d.Weather = &w
			}
		}
	}
}

// progressSink serialises OnProgress across concurrent hedges and silences it once the
// plan is decided, so a losing stream cannot report after Plan returned.
type progressSink struct {
	mu     sync.Mutex
	fn     func(Progress)
	closed bool
}

func (s *progressSink) send(p Progress) {
	if s.fn == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.fn(p)
	}
}

func (s *progressSink) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

type outcome struct {
	idx  int
	opts []dialog.Option
	att  Attempt
}

// race runs the providers: one at a time while they answer promptly, the next one as well
// when the current one has not produced a first token within HedgeAfter, and the next one
// at once when one fails. The first valid plan wins and the others are cancelled. It
// returns nil options when every provider failed or ctx ended.
func (c *Chain) race(ctx context.Context, in *planInput, req PlanRequest, rep *Report) ([]dialog.Option, string) {
	n := len(c.providers)
	results := make(chan outcome, n) // buffered: losers finish after race returned
	firstToken := make(chan int, n)
	cancels := make([]context.CancelFunc, n)
	sink := &progressSink{fn: req.OnProgress}
	defer sink.close()
	spender := req.spender(ctx)
	defer func() {
		for _, cancel := range cancels {
			if cancel != nil {
				cancel()
			}
		}
	}()

	hedge := time.NewTimer(time.Hour)
	hedge.Stop()
	defer hedge.Stop()
	next, current, running := 0, -1, 0

	launch := func() {
		for next < n {
			i := next
			next++
			p := c.providers[i]
			done, err := p.breaker.Allow()
			if err != nil {
				// Open, or half-open with its probe already out: skip it at no cost.
				c.metrics.calls.WithLabelValues(p.cfg.Name, "skipped").Inc()
				rep.Attempts = append(rep.Attempts, Attempt{Provider: p.cfg.Name, Code: CodeUnavailable, Err: ErrBreakerOpen})
				continue
			}
			actx, cancel := context.WithCancel(ctx)
			cancels[i], current = cancel, i
			running++
			go func() {
				var once sync.Once
				onFirst := func() { once.Do(func() { firstToken <- i }) }
				opts, att := c.attemptPlan(actx, p, in, spender, onFirst, sink.send)
				done(breakerOutcome(att))
				results <- outcome{idx: i, opts: opts, att: att}
			}()
			hedge.Reset(c.cfg.HedgeAfter)
			return
		}
	}

	launch()
	for running > 0 {
		select {
		case o := <-results:
			running--
			cancels[o.idx]()
			rep.Attempts = append(rep.Attempts, o.att)
			if o.att.Err == nil {
				return o.opts, o.att.Provider
			}
			if ctx.Err() == nil {
				launch()
			}
		case i := <-firstToken:
			if i == current {
				hedge.Stop()
			}
		case <-hedge.C:
			launch()
		case <-ctx.Done():
			// The deadline (or the caller) ended the plan. Every attempt's context derives
			// from ctx, so they stop on their own and report why (a timeout, not a
			// cancellation, which an explicit cancel here could win the race to say).
			var won *outcome
			for ; running > 0; running-- {
				o := <-results
				rep.Attempts = append(rep.Attempts, o.att)
				if o.att.Err == nil && won == nil {
					won = &o // finished in the same instant: still worth using
				}
			}
			if won != nil {
				return won.opts, won.att.Provider
			}
		}
	}
	return nil, ""
}

// attemptPlan is one provider's whole try: the streamed answer (with its retries), the
// validation, and one repair round if the answer is not a valid plan.
func (c *Chain) attemptPlan(ctx context.Context, p *provider, in *planInput, spender Spender,
	onFirst func(), progress func(Progress)) ([]dialog.Option, Attempt) {
	start := time.Now()
	if err := c.inFlight.acquire(ctx); err != nil {
		att := Attempt{Provider: p.cfg.Name, Code: classify(ctx, err), Err: err, Latency: time.Since(start)}
		c.finish(p, "plan", att)
		return nil, att
	}
	defer c.inFlight.release()
	tokens := 0
	text, used, code, err := c.withRetry(ctx, p, func(cctx context.Context) (string, int, error) {
		return c.stream(cctx, p, in.messages, onFirst, progress)
	})
	tokens += used
	var opts []dialog.Option
	if err == nil {
		var problems []string
		opts, problems = validate(text, in)
		if problems != nil {
			var fixed string
			fixed, used, code, err = c.withRetry(ctx, p, func(cctx context.Context) (string, int, error) {
				return c.complete(cctx, p, repairMessages(in, text, problems))
			})
			tokens += used
			if err == nil {
				if opts, problems = validate(fixed, in); problems != nil {
					err = invalidPlan(problems)
					code = CodeMalformed
				}
			}
		}
	}
	c.charge(spender, "plan", tokens)
	att := Attempt{Provider: p.cfg.Name, Code: code, Err: err, Latency: time.Since(start)}
	c.finish(p, "plan", att)
	if err != nil {
		return nil, att
	}
	return opts, att
}

// codeAnswered marks, for the breaker only, an answer that was not a valid plan.
const codeAnswered = "answered"

// codeErr is what the breaker is told: only the code matters to it.
type codeErr string

func (e codeErr) Error() string { return string(e) }

// breakerOutcome tells the breaker what an attempt says about the provider's health. A
// model that answered, even with a plan that failed validation, is up; a request the
// endpoint refused (400, 404 for a wrong model name) fails every time and counts.
func breakerOutcome(a Attempt) error {
	switch {
	case a.Code == "":
		return nil
	case a.Code == CodeMalformed && httpStatus(a.Err) == 0:
		return codeErr(codeAnswered)
	}
	return codeErr(a.Code)
}

func invalidPlan(problems []string) error {
	return errors.Join(append([]error{ErrInvalidPlan}, errorsOf(problems)...)...)
}

func errorsOf(ss []string) []error {
	out := make([]error, len(ss))
	for i, s := range ss {
		out[i] = errors.New(s)
	}
	return out
}

// finish records a call's outcome: health, metrics, and one log line per failure.
func (c *Chain) finish(p *provider, what string, a Attempt) {
	p.stats.record(a.Code, a.Latency)
	c.metrics.observe(p.cfg.Name, a.Code, a.Latency)
	if a.Code != "" && a.Code != codeCancelled {
		c.log.Warn("llm call failed", "provider", p.cfg.Name, "call", what, "code", a.Code,
			"latency_ms", a.Latency.Milliseconds(), "err", redact(a.Err.Error(), p.cfg.APIKey))
	}
}

// withRetry runs call with the provider's timeout, and once more where that can help.
// It returns the seed code of the final failure.
func (c *Chain) withRetry(ctx context.Context, p *provider, call func(context.Context) (string, int, error)) (string, int, string, error) {
	tokens := 0
	for try := 0; ; try++ {
		mctx, meta := withCallMeta(ctx)
		cctx, cancel := context.WithTimeout(mctx, p.cfg.Timeout)
		text, used, err := call(cctx)
		code := classify(cctx, err)
		cancel()
		tokens += used
		if err == nil || try > 0 {
			return text, tokens, code, err
		}
		var wait time.Duration
		switch {
		case code == CodeRateLimited && meta.hasRetryAfter && meta.retryAfter <= maxRetryAfter:
			wait = meta.retryAfter
		case code == CodeUnavailable && retryable5xx(err):
			wait = c.jitter()
		default:
			return text, tokens, code, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return text, tokens, classify(ctx, ctx.Err()), err
		case <-t.C:
		}
	}
}

func (c *Chain) jitter() time.Duration {
	c.rndMu.Lock()
	defer c.rndMu.Unlock()
	return retryJitterMin + time.Duration(c.rnd.Int64N(int64(retryJitterSpan)))
}

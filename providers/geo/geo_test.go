package geo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"xingqu/providers"
)

// fake is an httptest server answering each path with a recorded response.
type fake struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request
	times    []time.Time
	count    atomic.Int32
}

type reply struct {
	status int
	file   string // under testdata
	delay  time.Duration
}

func newFake(t *testing.T, routes map[string]reply) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.count.Add(1)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.times = append(f.times, time.Now())
		f.mu.Unlock()
		rep, ok := routes[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		time.Sleep(rep.delay)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.status)
		if rep.file != "" {
			b, err := os.ReadFile(filepath.Join("testdata", rep.file))
			if err != nil {
				t.Error(err)
			}
			w.Write(b)
		}
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) last() *http.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1]
}

// unpaced lifts the one-request-a-second rule for a fake Nominatim, for the tests that
// are not about it.
func unpaced(f *fake) *fake {
	pacerFor(f.URL).interval = 0
	return f
}

const testUA = "xingqu/test (+https://xingqu.example)"

func TestLocationIQForward(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {200, "locationiq_search_lisbon.json", 0}})
	r := New(Config{LocationIQKey: "k3y", LocationIQBaseURL: liq.URL, NominatimBaseURL: "off", UserAgent: testUA})
	res, err := r.Forward(context.Background(), "Lisbon", "en")
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != SourceLocationIQ || res.Place == nil {
		t.Fatalf("got %+v, want one place from locationiq", res)
	}
	if p := *res.Place; p.Name != "Lisbon" || p.CountryCode != "PT" || p.Lat != 38.7077507 || p.Lon != -9.1365919 {
		t.Errorf("got %+v", p)
	}
	q := liq.last().URL.Query()
	for k, want := range map[string]string{"key": "k3y", "q": "Lisbon", "format": "json", "accept-language": "en", "limit": "5"} {
		if got := q.Get(k); got != want {
			t.Errorf("query %s: got %q, want %q", k, got, want)
		}
	}
}

func TestLocationIQFailureFallsToNominatim(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {500, "", 0}})
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_search_lisbon.json", 0}}))
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: nom.URL, UserAgent: testUA})
	res, err := r.Forward(context.Background(), "Lisboa", "pt")
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != SourceNominatim || res.Place == nil || res.Place.Name != "Lisboa" || res.Place.CountryCode != "PT" {
		t.Fatalf("got %+v (place %v), want Lisboa, PT from nominatim", res, res.Place)
	}
	req := nom.last()
	if got := req.Header.Get("User-Agent"); got != testUA {
		t.Errorf("User-Agent: got %q, want %q", got, testUA)
	}
	if got := req.URL.Query().Get("format"); got != "jsonv2" {
		t.Errorf("format: got %q, want jsonv2", got)
	}
	if got := req.URL.Query().Get("accept-language"); got != "pt" {
		t.Errorf("accept-language: got %q, want pt", got)
	}
	if got := r.SourceErrors()[SourceLocationIQ]; got != 1 {
		t.Errorf("locationiq errors counted: got %d, want 1", got)
	}
}

func TestAllServicesDownFallsToGazetteer(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {429, "", 0}})
	nom := unpaced(newFake(t, map[string]reply{"/search": {503, "", 0}}))
	cache := providers.NewMemoryCache()
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: nom.URL, UserAgent: testUA, Cache: cache})
	res, err := r.Forward(context.Background(), "里斯本", "zh")
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != SourceGazetteer || res.Place == nil || res.Place.CountryCode != "PT" {
		t.Fatalf("got %+v, want Lisbon from the gazetteer", res)
	}
	if liq.count.Load() != 1 || nom.count.Load() != 1 {
		t.Errorf("requests: locationiq %d, nominatim %d; want 1 each", liq.count.Load(), nom.count.Load())
	}
	if cache.Len() != 0 {
		t.Errorf("a failure was cached: %d entries", cache.Len())
	}
	errs := r.SourceErrors()
	if errs[SourceLocationIQ] != 1 || errs[SourceNominatim] != 1 {
		t.Errorf("errors counted: %v", errs)
	}
}

func TestUnreachableServicesFallToGazetteer(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close() // connection refused from now on
	pacerFor(dead.URL).interval = 0
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: dead.URL, NominatimBaseURL: dead.URL})
	res, err := r.Forward(context.Background(), "福州", "zh")
	if err != nil || res.Place == nil || res.Place.Name != "福州" || res.Source != SourceGazetteer {
		t.Fatalf("got %+v, %v; want 福州 from the gazetteer", res, err)
	}
}

func TestNoResultFallsThroughWithoutCountingAsError(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {404, "locationiq_error.json", 0}})
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_search_empty.json", 0}}))
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: nom.URL})
	res, err := r.Forward(context.Background(), "Lisbn", "en")
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	if len(res.Candidates) == 0 || res.Candidates[0].Name != "Lisbon" || res.Candidates[0].CountryCode != "PT" {
		t.Errorf("suggestions: got %v, want Lisbon, PT first", res.Candidates)
	}
	if nom.count.Load() != 1 {
		t.Errorf("nominatim asked %d times, want 1", nom.count.Load())
	}
	if errs := r.SourceErrors(); len(errs) != 0 {
		t.Errorf("a definite no-result counted as an error: %v", errs)
	}
}

func TestRemoteAmbiguousNameGivesCandidates(t *testing.T) {
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_search_springfield.json", 0}}))
	r := New(Config{NominatimBaseURL: nom.URL})
	res, err := r.Forward(context.Background(), "Springfield", "en")
	if err != nil {
		t.Fatal(err)
	}
	if res.Place != nil {
		t.Fatalf("got one place %+v, want candidates", *res.Place)
	}
	want := []string{"Springfield, Illinois", "Springfield, Missouri", "Springfield, Massachusetts"}
	if len(res.Candidates) != len(want) {
		t.Fatalf("got %v, want %v", res.Candidates, want)
	}
	for i, w := range want {
		if res.Candidates[i].Name != w || res.Candidates[i].CountryCode != "US" {
			t.Errorf("candidate %d: got %+v, want %s, US", i, res.Candidates[i], w)
		}
	}
	// Naming the state settles it: the service's first answer is taken.
	res, err = r.Forward(context.Background(), "Springfield, Illinois", "en")
	if err != nil || res.Place == nil || res.Place.Lat != 39.7990175 {
		t.Errorf("qualified: got %+v, %v", res, err)
	}
}

func TestNominatimPacedAndIdentified(t *testing.T) {
	nom := newFake(t, map[string]reply{"/search": {200, "nominatim_search_lisbon.json", 0}})
	r := New(Config{NominatimBaseURL: nom.URL, UserAgent: testUA})
	// Three look-ups at once, from two Resolvers: the pace is the process's.
	r2 := New(Config{NominatimBaseURL: nom.URL, UserAgent: testUA})
	// The turns the shared pacer hands out are what the pace is; when each request then
	// reaches the server also depends on how soon the machine runs its goroutine, so the
	// server's clock only confirms that the requests did wait.
	pc := pacerFor(nom.URL)
	var mu sync.Mutex
	var turns []time.Time
	pc.mu.Lock()
	pc.granted = func(at time.Time) {
		mu.Lock()
		turns = append(turns, at)
		mu.Unlock()
	}
	pc.mu.Unlock()
	t.Cleanup(func() { pc.mu.Lock(); pc.granted = nil; pc.mu.Unlock() })
	var wg sync.WaitGroup
	for i, q := range []string{"Lisbon", "Lisboa", "Lissabon"} {
		res := r
		if i == 2 {
			res = r2
		}
		wg.Go(func() {
			if _, err := res.Forward(context.Background(), q, "en"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(nom.times) != 3 || len(turns) != 3 {
		t.Fatalf("got %d requests and %d turns, want 3", len(nom.times), len(turns))
	}
	slices.SortFunc(turns, func(a, b time.Time) int { return a.Compare(b) })
	for i := 1; i < len(turns); i++ {
		if gap := turns[i].Sub(turns[i-1]); gap < time.Second {
			t.Errorf("turn %d given %v after the previous one, want ≥ 1s", i, gap)
		}
	}
	// No request is sent before its turn: the last to arrive came after the last turn.
	if last := slices.MaxFunc(nom.times, func(a, b time.Time) int { return a.Compare(b) }); last.Before(turns[2]) {
		t.Errorf("the last request reached the server at %v, before the last turn at %v", last, turns[2])
	}
	for _, req := range nom.requests {
		if got := req.Header.Get("User-Agent"); got != testUA {
			t.Errorf("User-Agent: got %q, want %q", got, testUA)
		}
	}
}

func TestPacerSpacesWaiters(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	var mu sync.Mutex
	var slept []time.Duration
	p := &pacer{interval: time.Second, now: func() time.Time { return now },
		sleep: func(_ context.Context, d time.Duration) error {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			return nil
		}}
	for range 4 {
		p.wait(context.Background())
	}
	want := []time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second}
	for i := range want {
		if slept[i] != want[i] {
			t.Fatalf("waits: got %v, want %v", slept, want)
		}
	}
	now = now.Add(10 * time.Second) // long idle: no debt carried over
	p.wait(context.Background())
	if got := slept[len(slept)-1]; got != 0 {
		t.Errorf("after idling: waited %v, want 0", got)
	}
}

// A caller whose deadline comes before its turn gets no turn, so callers that gave up
// do not keep everyone after them waiting.
func TestPacerRefusesTurnsPastTheDeadline(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	p := &pacer{interval: time.Second, now: func() time.Time { return now },
		sleep: func(context.Context, time.Duration) error { return nil }}
	ctx, cancel := context.WithDeadline(context.Background(), now.Add(2500*time.Millisecond))
	defer cancel()
	for i := 0; i < 3; i++ { // turns at 0, 1 s and 2 s fit
		if err := p.wait(ctx); err != nil {
			t.Fatalf("turn %d: %v", i, err)
		}
	}
	for i := 0; i < 5; i++ { // the turn at 3 s does not, however often it is asked for
		if err := p.wait(ctx); !errors.Is(err, errPacerBusy) {
			t.Fatalf("turn past the deadline: err = %v, want errPacerBusy", err)
		}
	}
	// Refused turns were not booked: the next caller with time to spare gets 3 s.
	var waited time.Duration
	p.sleep = func(_ context.Context, d time.Duration) error { waited = d; return nil }
	if err := p.wait(context.Background()); err != nil || waited != 3*time.Second {
		t.Fatalf("next turn after %v (%v), want 3s", waited, err)
	}
}

func TestReverse(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/reverse": {200, "locationiq_reverse.json", 0}})
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: "off"})
	p, err := r.Reverse(context.Background(), 26.0766, 119.2966, "zh")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "福州市" || p.CountryCode != "CN" || p.Lat != 26.0766146 {
		t.Errorf("locationiq: got %+v, want 福州市, CN", p)
	}
	q := liq.last().URL.Query()
	if q.Get("lat") != "26.076600" || q.Get("lon") != "119.296600" || q.Get("format") != "json" {
		t.Errorf("query: %v", q)
	}

	nom := unpaced(newFake(t, map[string]reply{"/reverse": {200, "nominatim_reverse_lisbon.json", 0}}))
	r = New(Config{NominatimBaseURL: nom.URL})
	p, err = r.Reverse(context.Background(), 38.71, -9.14, "pt")
	if err != nil || p.Name != "Lisboa" || p.CountryCode != "PT" {
		t.Errorf("nominatim: got %+v, %v; want Lisboa, PT", p, err)
	}

	// Nominatim's "Unable to geocode" comes with status 200; the gazetteer answers.
	nomErr := unpaced(newFake(t, map[string]reply{"/reverse": {200, "nominatim_reverse_error.json", 0}}))
	r = New(Config{NominatimBaseURL: nomErr.URL})
	p, err = r.Reverse(context.Background(), 38.72, -9.14, "en")
	if err != nil || p.Name != "Lisbon" || p.CountryCode != "PT" {
		t.Errorf("fallback: got %+v, %v; want Lisbon, PT from the gazetteer", p, err)
	}
	if _, err := r.Reverse(context.Background(), 91, 0, "en"); !errors.Is(err, ErrNotFound) {
		t.Errorf("latitude 91: got %v, want ErrNotFound", err)
	}
}

func TestCacheHitMakesNoRequest(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {200, "locationiq_search_lisbon.json", 0}})
	cache := providers.NewMemoryCache()
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: "off", Cache: cache})
	ctx := context.Background()
	if _, err := r.Forward(ctx, "Lisbon", "en"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := cache.Get(ctx, "geo:fwd:en:lisbon"); !ok {
		t.Fatal("answer not kept under geo:fwd:en:lisbon")
	}
	// Another spelling that folds to the same key is the same look-up.
	res, err := r.Forward(ctx, "  LISBON ", "en")
	if err != nil || res.Place == nil || res.Place.CountryCode != "PT" || res.Source != SourceLocationIQ {
		t.Fatalf("cached: got %+v, %v", res, err)
	}
	if n := liq.count.Load(); n != 1 {
		t.Errorf("requests: got %d, want 1", n)
	}
}

func TestConcurrentIdenticalLookupsShareOneRequest(t *testing.T) {
	liq := newFake(t, map[string]reply{"/v1/search": {200, "locationiq_search_lisbon.json", 200 * time.Millisecond}})
	r := New(Config{LocationIQKey: "k", LocationIQBaseURL: liq.URL, NominatimBaseURL: "off", Cache: providers.NewMemoryCache()})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range 20 {
		wg.Go(func() {
			res, err := r.Forward(context.Background(), "Lisbon", "en")
			if err == nil && res.Place != nil && res.Place.CountryCode == "PT" {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if n := liq.count.Load(); n != 1 {
		t.Errorf("requests: got %d, want 1", n)
	}
	if ok.Load() != 20 {
		t.Errorf("%d of 20 callers got Lisbon", ok.Load())
	}
}

func TestNoServicesConfiguredUsesGazetteerOnly(t *testing.T) {
	r := New(Config{NominatimBaseURL: "off"})
	res, err := r.Forward(context.Background(), "Paris", "en")
	if err != nil || res.Place == nil || res.Place.CountryCode != "FR" || res.Source != SourceGazetteer {
		t.Fatalf("got %+v, %v; want Paris, FR from the gazetteer", res, err)
	}
	if _, err := r.Forward(context.Background(), "  ", "en"); !errors.Is(err, ErrNotFound) {
		t.Errorf("blank query: got %v, want ErrNotFound", err)
	}
}

func TestChineseNamePrefersChineseTownFromService(t *testing.T) {
	nom := unpaced(newFake(t, map[string]reply{"/search": {200, "nominatim_search_fuzhou.json", 0}}))
	r := New(Config{NominatimBaseURL: nom.URL})
	res, err := r.Forward(context.Background(), "福州", "zh")
	if err != nil || res.Place == nil || res.Place.CountryCode != "CN" || res.Place.Name != "福州市" {
		t.Fatalf("got %+v, %v; want 福州市, CN", res, err)
	}
}

func TestUserAgent(t *testing.T) {
	if got, want := UserAgent("1.4.0", "https://trips.example"), "xingqu/1.4.0 (+https://trips.example)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCountryName(t *testing.T) {
	for _, c := range []struct{ code, lang, want string }{
		{"JP", "en", "Japan"}, {"jp", "zh", "日本"}, {"PT", "en", "Portugal"}, {"XX", "en", "XX"},
	} {
		if got := CountryName(c.code, c.lang); got != c.want {
			t.Errorf("CountryName(%q, %q) = %q, want %q", c.code, c.lang, got, c.want)
		}
	}
}

package geo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"xingqu/dialog"
	"xingqu/providers/geo/internal/fold"
)

// locationIQ speaks LocationIQ's Nominatim-like API (/v1/search, /v1/reverse).
type locationIQ struct {
	base, key, ua string
	client        *http.Client
}

func (l *locationIQ) name() string { return SourceLocationIQ }

func (l *locationIQ) forward(ctx context.Context, query, lang string) (Result, error) {
	q := url.Values{"key": {l.key}, "q": {query}, "format": {"json"}, "limit": {"5"},
		"addressdetails": {"1"}, "normalizecity": {"1"}}
	setLang(q, lang)
	var places []osmPlace
	if err := l.get(ctx, "/v1/search", q, &places); err != nil {
		return Result{}, err
	}
	return resultOf(places, query, lang)
}

func (l *locationIQ) reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	q := url.Values{"key": {l.key}, "lat": {ftoa(lat)}, "lon": {ftoa(lon)}, "format": {"json"},
		"zoom": {"10"}, "normalizecity": {"1"}}
	setLang(q, lang)
	var p osmPlace
	if err := l.get(ctx, "/v1/reverse", q, &p); err != nil {
		return dialog.Place{}, err
	}
	return reversePlace(p)
}

func (l *locationIQ) get(ctx context.Context, path string, q url.Values, out any) error {
	status, body, err := fetch(ctx, l.client, l.base+path+"?"+q.Encode(), l.ua)
	if err != nil {
		return err
	}
	if status == http.StatusNotFound {
		// LocationIQ's {"error":"Unable to geocode"}: it looked and found nothing.
		return errNoResult
	}
	if status != http.StatusOK {
		return fmt.Errorf("locationiq %s: status %d: %s", path, status, errorText(body))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("locationiq %s: %w", path, err)
	}
	return nil
}

// nominatim speaks the OpenStreetMap Nominatim API with format=jsonv2. Its usage policy
// asks for at most one request a second and a User-Agent that identifies the service.
type nominatim struct {
	base, ua string
	client   *http.Client
	pace     *pacer
}

func (n *nominatim) name() string { return SourceNominatim }

func (n *nominatim) forward(ctx context.Context, query, lang string) (Result, error) {
	q := url.Values{"q": {query}, "format": {"jsonv2"}, "limit": {"5"}, "addressdetails": {"1"}}
	setLang(q, lang)
	var places []osmPlace
	if err := n.get(ctx, "/search", q, &places); err != nil {
		return Result{}, err
	}
	return resultOf(places, query, lang)
}

func (n *nominatim) reverse(ctx context.Context, lat, lon float64, lang string) (dialog.Place, error) {
	q := url.Values{"lat": {ftoa(lat)}, "lon": {ftoa(lon)}, "format": {"jsonv2"}, "zoom": {"10"}, "addressdetails": {"1"}}
	setLang(q, lang)
	var p osmPlace
	if err := n.get(ctx, "/reverse", q, &p); err != nil {
		return dialog.Place{}, err
	}
	return reversePlace(p)
}

func (n *nominatim) get(ctx context.Context, path string, q url.Values, out any) error {
	if err := n.pace.wait(ctx); err != nil {
		return err
	}
	status, body, err := fetch(ctx, n.client, n.base+path+"?"+q.Encode(), n.ua)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return fmt.Errorf("nominatim %s: status %d: %s", path, status, errorText(body))
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("nominatim %s: %w", path, err)
	}
	return nil
}

// pacer spaces requests to one service at least interval apart, across the process.
type pacer struct {
	mu       sync.Mutex
	next     time.Time
	interval time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error
	granted  func(at time.Time) // when set, told each turn handed out (tests)
}

var (
	pacersMu sync.Mutex
	pacers   = map[string]*pacer{}
)

// pacerFor returns the one pacer of a Nominatim endpoint, shared by every Resolver.
func pacerFor(base string) *pacer {
	pacersMu.Lock()
	defer pacersMu.Unlock()
	p := pacers[base]
	if p == nil {
		p = &pacer{interval: time.Second, now: time.Now, sleep: sleepCtx}
		pacers[base] = p
	}
	return p
}

func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	now := p.now()
	at := p.next
	if at.Before(now) {
		at = now
	}
	// A turn the caller could not live to use is not taken: otherwise requests whose
	// callers gave up would still be sent, and keep everyone after them waiting.
	if dl, ok := ctx.Deadline(); ok && at.After(dl) {
		p.mu.Unlock()
		return errPacerBusy
	}
	p.next = at.Add(p.interval)
	if p.granted != nil {
		p.granted(at)
	}
	p.mu.Unlock()
	return p.sleep(ctx, at.Sub(now))
}

// errPacerBusy says a rate-limited service has no turn free before the caller's deadline.
var errPacerBusy = errors.New("rate-limited service busy: no turn before the deadline")

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// osmPlace is one result of LocationIQ or Nominatim (json and jsonv2 share these fields).
type osmPlace struct {
	Lat         string            `json:"lat"`
	Lon         string            `json:"lon"`
	Name        string            `json:"name"` // jsonv2 only
	DisplayName string            `json:"display_name"`
	Importance  float64           `json:"importance"`
	Address     map[string]string `json:"address"`
	Error       string            `json:"error"` // reverse: "Unable to geocode"
}

// importanceMargin is how much more important the first result must be than the second
// to be taken as meant: Paris, France (0.88) over Paris, Texas (0.55), but not Springfield,
// Illinois over Springfield, Missouri.
const importanceMargin = 0.15

func resultOf(places []osmPlace, query, lang string) (Result, error) {
	type found struct {
		p      dialog.Place
		region string
		imp    float64
	}
	var list []found
	for _, o := range places {
		p, ok := o.place()
		if !ok {
			continue
		}
		dup := false
		for _, f := range list {
			// The same town often comes back twice, as a boundary and as a point.
			if f.p.Name == p.Name && f.p.CountryCode == p.CountryCode && distanceKm(f.p.Lat, f.p.Lon, p.Lat, p.Lon) < 30 {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, found{p, o.Address["state"], o.Importance})
		}
	}
	if len(list) == 0 {
		return Result{}, errNoResult
	}
	if fold.IsHan(query) {
		// A Chinese name of a Chinese town means that town, as in the gazetteer.
		for _, f := range list {
			if f.p.CountryCode == "CN" {
				return Result{Place: &f.p}, nil
			}
		}
	}
	qualified := strings.ContainsAny(query, ",，")
	if len(list) == 1 || qualified || list[0].imp >= list[1].imp+importanceMargin {
		return Result{Place: &list[0].p}, nil
	}
	var res Result
	for _, f := range list[:min(len(list), maxCandidates)] {
		p := f.p
		if f.region != "" && f.region != p.Name {
			p.Name += ", " + f.region
		}
		res.Candidates = append(res.Candidates, p)
	}
	return res, nil
}

func reversePlace(o osmPlace) (dialog.Place, error) {
	if o.Error != "" {
		return dialog.Place{}, errNoResult
	}
	// A reverse answer's own name may be a street or a building; the town is what a
	// trip is to.
	o.Name = firstOf(o.Address, "city", "town", "village", "municipality", "county", "state")
	p, ok := o.place()
	if !ok {
		return dialog.Place{}, errNoResult
	}
	return p, nil
}

func (o osmPlace) place() (dialog.Place, bool) {
	lat, err1 := strconv.ParseFloat(o.Lat, 64)
	lon, err2 := strconv.ParseFloat(o.Lon, 64)
	if err1 != nil || err2 != nil {
		return dialog.Place{}, false
	}
	name := o.Name
	if name == "" {
		name = firstOf(o.Address, "city", "town", "village", "municipality", "hamlet", "county", "state")
	}
	if name == "" {
		name, _, _ = strings.Cut(o.DisplayName, ",")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return dialog.Place{}, false
	}
	return dialog.Place{Name: name, CountryCode: strings.ToUpper(o.Address["country_code"]), Lat: lat, Lon: lon}, true
}

func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}

func setLang(q url.Values, lang string) {
	if lang != "" {
		q.Set("accept-language", lang)
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

// fetch GETs u and returns the status and at most 1 MiB of body. Transport failures and
// the statuses worth trying elsewhere (429, 5xx) are errors.
func fetch(ctx context.Context, client *http.Client, u, ua string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("User-Agent", ua)
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, redact(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, nil, redact(err)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return resp.StatusCode, body, fmt.Errorf("status %d: %s", resp.StatusCode, errorText(body))
	}
	return resp.StatusCode, body, nil
}

// redact drops the URL from a transport error: it carries the API key.
func redact(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// errorText is the message of a service's JSON error, or the start of the body.
func errorText(body []byte) string {
	var e struct {
		Error any `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != nil {
		if m, ok := e.Error.(map[string]any); ok {
			return fmt.Sprint(m["message"])
		}
		return fmt.Sprint(e.Error)
	}
	s := string(body)
	if len(s) > 120 {
		s = s[:120]
	}
	return s
}

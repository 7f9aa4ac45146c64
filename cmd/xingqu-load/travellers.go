package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// script is one trip, a slot a message; the confirmation gets the plan, and the next
// round starts over.
var script = []string{"/new", "福州", "12月25日到12月30日", "每人2000", "没有", "海边", "好的"}

// confirmStep is the message whose answer includes the plan.
const confirmStep = 6

// replyTimeout is how long a traveller waits for an answer before counting an error.
const replyTimeout = 30 * time.Second

// recorder gathers what the travellers saw inside the measured window.
type recorder struct {
	mu        sync.Mutex
	from, to  time.Time
	latencies []time.Duration
	at        []time.Time // when each of latencies came
	timeouts  int
	errors    int
	over5s    int
}

func (r *recorder) window(from, to time.Time) {
	r.mu.Lock()
	r.from, r.to = from, to
	r.mu.Unlock()
}

// answered records a first reply that came at at, d after its message.
func (r *recorder) answered(at time.Time, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.from.IsZero() || at.Before(r.from) || at.After(r.to) {
		return
	}
	r.latencies = append(r.latencies, d)
	r.at = append(r.at, at)
	if d > 5*time.Second {
		r.over5s++
	}
}

func (r *recorder) failed(at time.Time, timeout bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.from.IsZero() || at.Before(r.from) || at.After(r.to) {
		return
	}
	if timeout {
		r.timeouts++
	} else {
		r.errors++
	}
}

// percentile of sorted durations.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(p*float64(len(ds)) + 0.5)
	return ds[min(max(i-1, 0), len(ds)-1)]
}

func (r *recorder) result() (n int, p50, p95, p99, maxD time.Duration, timeouts, errors, over5s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ds := append([]time.Duration(nil), r.latencies...)
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	if len(ds) > 0 {
		maxD = ds[len(ds)-1]
	}
	return len(ds), percentile(ds, .50), percentile(ds, .95), percentile(ds, .99), maxD, r.timeouts, r.errors, r.over5s
}

// perSecond is the window's first replies second by second: how many came and how long
// they had taken (p50, p99, max, in ms), to tell a stall (a pause of the database, a
// wave of travellers held up together) from a tail spread over the run.
func (r *recorder) perSecond(w io.Writer) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	secs := map[int][]time.Duration{}
	last := 0
	for i, at := range r.at {
		s := int(at.Sub(r.from) / time.Second)
		secs[s] = append(secs[s], r.latencies[i])
		last = max(last, s)
	}
	if _, err := fmt.Fprintln(w, "second,replies,p50_ms,p99_ms,max_ms"); err != nil {
		return err
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for s := 0; s <= last; s++ {
		ds := secs[s]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		var p50, p99, top time.Duration
		if len(ds) > 0 {
			p50, p99, top = percentile(ds, .50), percentile(ds, .99), ds[len(ds)-1]
		}
		if _, err := fmt.Fprintf(w, "%d,%d,%.0f,%.0f,%.0f\n", s, len(ds), ms(p50), ms(p99), ms(top)); err != nil {
			return err
		}
	}
	return nil
}

// pause waits d or until ctx ends, reporting whether to go on.
func pause(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// telegramTraveller plays the script in one chat of the fake Bot API.
func telegramTraveller(ctx context.Context, bot *fakeBot, chat int64, think time.Duration, rec *recorder) {
	replies := bot.chat(chat)
	for step := 0; ; step = (step + 1) % len(script) {
		for drained := false; !drained; { // late parts of an earlier answer
			select {
			case <-replies:
			default:
				drained = true
			}
		}
		sent := bot.say(chat, script[step])
		timeout := time.NewTimer(replyTimeout)
		first := true
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				timeout.Stop()
				return
			case <-timeout.C:
				rec.failed(time.Now(), true)
				waiting = false
			case r := <-replies:
				if first {
					rec.answered(r.At, r.At.Sub(sent))
					first = false
				}
				// The confirmation is answered with "typing…", then the plan card.
				waiting = step == confirmStep && !strings.Contains(r.Markup, `"pd:`)
			}
		}
		timeout.Stop()
		if !pause(ctx, think) {
			return
		}
	}
}

// widgetClient speaks to the service's widget API as one browser.
type widgetClient struct {
	base, addr, token string
	http              *http.Client
}

func (c *widgetClient) do(ctx context.Context, method, path string, body, out any) (int, error) {
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", c.addr)
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			return resp.StatusCode, err
		}
	}
	return resp.StatusCode, nil
}

// widgetEvent is a message the event stream delivered.
type widgetEvent struct {
	At   time.Time
	Role string `json:"role"`
	Kind string `json:"kind"`
}

// events opens the session's event stream and passes on the messages it carries.
func (c *widgetClient) events(ctx context.Context) (<-chan widgetEvent, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/widget/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("X-Forwarded-For", c.addr)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return nil, fmt.Errorf("event stream: %s", resp.Status)
	}
	out := make(chan widgetEvent, 64)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "message":
				ev := widgetEvent{At: time.Now()}
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev) == nil {
					select {
					case out <- ev:
					case <-ctx.Done():
						return
					}
				}
			case line == "":
				event = ""
			}
		}
	}()
	return out, nil
}

// widgetTraveller plays the script through the widget API, reading answers from the
// event stream.
func widgetTraveller(ctx context.Context, base string, n int, think time.Duration, rec *recorder, hc *http.Client) {
	c := &widgetClient{base: base, addr: fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255), http: hc}
	var s struct {
		Token string `json:"sessionToken"`
	}
	if code, err := c.do(ctx, "POST", "/api/widget/session", map[string]string{"lang": "zh", "timeZone": "Asia/Shanghai"}, &s); err != nil || code != 201 {
		rec.failed(time.Now(), false)
		return
	}
	c.token = s.Token
	events, err := c.events(ctx)
	if err != nil {
		rec.failed(time.Now(), false)
		return
	}
	for i := 0; ; i++ {
		step := i % len(script)
		for drained := false; !drained; {
			select {
			case <-events:
			default:
				drained = true
			}
		}
		sent := time.Now()
		code, err := c.do(ctx, "POST", "/api/widget/messages", map[string]string{"text": script[step], "id": fmt.Sprint("m", i)}, nil)
		if ctx.Err() != nil {
			return
		}
		if err != nil || code != 202 {
			rec.failed(time.Now(), false)
			if !pause(ctx, think) {
				return
			}
			continue
		}
		timeout := time.NewTimer(replyTimeout)
		first := true
		for waiting := true; waiting; {
			select {
			case <-ctx.Done():
				timeout.Stop()
				return
			case <-timeout.C:
				rec.failed(time.Now(), true)
				waiting = false
			case ev, ok := <-events:
				if !ok {
					rec.failed(time.Now(), false)
					return
				}
				if ev.Role == "traveller" {
					continue
				}
				if first {
					rec.answered(ev.At, ev.At.Sub(sent))
					first = false
				}
				waiting = step == confirmStep && ev.Kind != "plan"
			}
		}
		timeout.Stop()
		if !pause(ctx, think) {
			return
		}
	}
}

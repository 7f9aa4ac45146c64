package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"xingqu/store"
)

// Progress is how far the plan for a conversation has got.
type Progress struct {
	ConversationID int64  `json:"conversationId"`
	PlanRequest    int    `json:"planRequest"`
	Provider       string `json:"provider"`
	Chars          int    `json:"chars"`
	Preview        string `json:"preview"` // readable text of what has been written so far
}

// ReportFunc tells the channels how far the plan of a job has got: the provider writing
// it, how many characters it has written and the text so far.
type ReportFunc func(provider string, chars int, partial string)

// publisher sends a job's progress at most once per interval, never blocking the planner.
type publisher struct {
	mu       sync.Mutex
	last     time.Time
	interval time.Duration
	send     func(Progress)
	job      PlanJob
}

func (p *publisher) report(provider string, chars int, partial string) {
	p.mu.Lock()
	if time.Since(p.last) < p.interval {
		p.mu.Unlock()
		return
	}
	p.last = time.Now()
	p.mu.Unlock()
	go p.send(Progress{ConversationID: p.job.ConversationID, PlanRequest: p.job.PlanRequest,
		Provider: provider, Chars: chars, Preview: Preview(partial)})
}

// reporter is the job's throttled progress reporter, which notifies listeners on every
// instance. Nothing is reported in the plan's first second: a plan a model has written
// by then is shown as it is, after "typing", with no progress message to send, edit and
// delete, and no notification or transaction to write one.
func (w *PlanWorker) reporter(ctx context.Context, job PlanJob) ReportFunc {
	p := &publisher{interval: time.Second, last: time.Now(), job: job, send: func(pr Progress) {
		b, err := progressPayload(pr)
		if err == nil {
			err = store.Notify(context.WithoutCancel(ctx), w.Pipeline.DB, store.ProgressChannel, string(b))
		}
		if err != nil {
			w.Log.Warn("plan progress not published", "conversation", pr.ConversationID, "err", err)
		}
	}}
	return p.report
}

// progressPayload encodes pr for a notification. Escaping can make the encoding several
// times longer than the text, so the limit is checked after encoding, shortening the
// preview from its start (the newest lines are at its end) until it fits.
func progressPayload(pr Progress) ([]byte, error) {
	if len(pr.Provider) > 64 {
		pr.Provider = pr.Provider[:64]
	}
	for {
		b, err := json.Marshal(pr)
		if err != nil || len(b) <= store.MaxNotifyPayload {
			return b, err
		}
		if pr.Preview == "" {
			return nil, fmt.Errorf("progress of conversation %d: %d bytes without a preview", pr.ConversationID, len(b))
		}
		// A byte of text takes at most six encoded (\u00XX), so this never cuts too much.
		cut := min(len(pr.Preview), max(1, (len(b)-store.MaxNotifyPayload)/6))
		pr.Preview = strings.ToValidUTF8(pr.Preview[cut:], "")
	}
}

// A model writes the plan as JSON; these are the values worth showing while it does.
var previewField = regexp.MustCompile(`"(title|date|morning|afternoon|evening)"\s*:\s*"((?:[^"\\]|\\.)*)"`)

// Preview turns a partial JSON plan into the last few readable lines, each under a
// notification's size limit.
func Preview(partial string) string {
	if len(partial) > 16<<10 {
		partial = partial[len(partial)-16<<10:]
	}
	ms := previewField.FindAllStringSubmatch(partial, -1)
	var lines []string
	for _, m := range ms {
		var v string
		if json.Unmarshal([]byte(`"`+m[2]+`"`), &v) != nil {
			continue
		}
		switch m[1] {
		case "title":
			lines = append(lines, "== "+v)
		case "date":
			lines = append(lines, v)
		default:
			lines = append(lines, "  "+v)
		}
	}
	if len(lines) > 8 {
		lines = lines[len(lines)-8:]
	}
	out := strings.Join(lines, "\n")
	if len(out) > 2000 {
		out = out[len(out)-2000:]
	}
	return strings.ToValidUTF8(out, "")
}

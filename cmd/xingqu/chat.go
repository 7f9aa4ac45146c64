package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"xingqu/dialog"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
	"xingqu/providers/offline"
)

// chat talks to the dialog engine in the terminal, with the offline planner, so the
// conversation can be tried with no database, network or Telegram. A line "#N" presses
// the Nth button of the last reply.
func chat(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cfg, err := parseConfig(getenv)
	if err != nil {
		return err
	}
	e := &dialog.Engine{DefaultLoc: cfg.DefaultTZ, Places: geo.Places{}, EmergencyHelp: emergency.Help}
	conv := &dialog.Conversation{}
	fmt.Fprintln(stdout, "xingqu chat — type a message; #N presses button N; Ctrl-D ends.")
	var choices []dialog.Choice
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for {
		fmt.Fprint(stdout, "> ")
		if !sc.Scan() {
			fmt.Fprintln(stdout)
			return sc.Err()
		}
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		in := dialog.Inbound{Text: line}
		if n, err := strconv.Atoi(strings.TrimPrefix(line, "#")); strings.HasPrefix(line, "#") && err == nil && n >= 1 && n <= len(choices) {
			in = dialog.Inbound{Action: choices[n-1].Action}
			fmt.Fprintf(stdout, "  [%s]\n", choices[n-1].Label)
		}
		res := e.Handle(conv, in)
		for {
			choices = printResult(stdout, conv, res)
			req := planRequest(res.Effects)
			if req == nil {
				break
			}
			// The planner runs as a job in the service; here it answers at once.
			p := offline.Plan(*req.Trip, conv.Lang, time.Now())
			p.Version = conv.Memo.PlanVersion + 1
			res = e.Handle(conv, dialog.Inbound{Event: dialog.EventPlanReady, Plan: &p, PlanRequest: req.PlanRequest})
		}
	}
}

func planRequest(effects []dialog.Effect) *dialog.Effect {
	for i, ef := range effects {
		if ef.Kind == dialog.EffectRequestPlan && ef.Trip != nil {
			return &effects[i]
		}
	}
	return nil
}

func printResult(w io.Writer, conv *dialog.Conversation, res dialog.Result) []dialog.Choice {
	var choices []dialog.Choice
	for _, r := range res.Replies {
		prefix := "bot: "
		if r.Kind == dialog.ReplyWorking {
			prefix = "bot (working): "
		}
		fmt.Fprintln(w, prefix+r.Text)
		if r.Plan != nil {
			fmt.Fprint(w, planText(conv.Lang, r.Plan))
		}
		if len(r.Choices) > 0 {
			choices = r.Choices
			for i, c := range r.Choices {
				fmt.Fprintf(w, "  #%d %s\n", i+1, c.Label)
			}
		}
	}
	return choices
}

// planText renders a plan card as plain text.
func planText(lang string, p *dialog.Plan) string {
	var b strings.Builder
	for _, o := range p.Options {
		fmt.Fprintf(&b, "\n== %s  %s–%s ==\n", dialog.TierTitle(lang, o.Tier),
			dialog.FormatMoney(lang, o.BudgetLow, o.Currency), dialog.FormatMoney(lang, o.BudgetHigh, o.Currency))
		for _, d := range o.Days {
			fmt.Fprintf(&b, "%s  %s / %s / %s", d.Date, d.Morning, d.Afternoon, d.Evening)
			if d.Weather != nil {
				fmt.Fprintf(&b, "  (%s %.0f–%.0f°C)", d.Weather.Summary, d.Weather.TempMinC, d.Weather.TempMaxC)
			}
			b.WriteString("\n")
		}
		// Labels in the traveller's language: a Chinese plan has no "food:" in it.
		sep := map[bool]string{true: "：", false: ": "}[lang == dialog.LangZH]
		if len(o.Food) > 0 {
			fmt.Fprintf(&b, "%s%s%s\n", dialog.T(lang, "tg_food"), sep, strings.Join(o.Food, map[bool]string{true: "；", false: "; "}[lang == dialog.LangZH]))
		}
		for _, t := range o.Tips {
			fmt.Fprintf(&b, "%s%s%s\n", dialog.T(lang, "tg_tips"), sep, t)
		}
	}
	return b.String()
}

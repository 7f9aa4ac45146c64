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
	"xingqu/pipeline"
	"xingqu/providers/emergency"
	"xingqu/providers/geo"
	"xingqu/providers/offline"
	"xingqu/store"
)

// chat talks to the dialog engine in the terminal, with the offline planner, so the
// conversation can be tried with no database, network or Telegram: plans, their edits
// and versions are made at once, in memory. A line "#N" presses
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
	// The plan's versions, which the service keeps in its database.
	plans := map[int]dialog.Plan{}
	planAt := func(version int) (dialog.Plan, error) {
		p, ok := plans[version]
		if !ok {
			return dialog.Plan{}, store.ErrNotFound
		}
		return p, nil
	}
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
			if err := pipeline.FillPlanCards(&res, planAt); err != nil {
				return err
			}
			choices = printResult(stdout, conv, res)
			next, ok := jobResult(ctx, conv, res.Effects, planAt)
			if !ok {
				break
			}
			if next.Plan != nil {
				plans[next.Plan.Version] = *next.Plan
			}
			res = e.Handle(conv, next)
		}
	}
}

// jobResult does at once what the service's jobs do for a turn's effects, with the
// offline planner: a plan, an edit of one, a forecast (none offline). It returns the
// event that tells the dialog, and false when the turn asked for none of these.
func jobResult(ctx context.Context, conv *dialog.Conversation, effects []dialog.Effect, planAt func(int) (dialog.Plan, error)) (dialog.Inbound, bool) {
	for _, ef := range effects {
		switch {
		case ef.Kind == dialog.EffectRequestPlan && ef.Trip != nil:
			p := offline.Plan(*ef.Trip, conv.Lang, time.Now())
			p.Version, p.Base = conv.Memo.PlanVersion+1, pipeline.ReplanBase(conv)
			return dialog.Inbound{Event: dialog.EventPlanReady, Plan: &p, PlanRequest: ef.PlanRequest}, true
		case ef.Kind == dialog.EffectEditPlan && ef.Edit != nil:
			pj := pipeline.PlanJob{PlanRequest: ef.PlanRequest, Lang: ef.Lang, Trip: conv.Trip, Edit: ef.Edit, Tier: ef.Tier, Version: ef.Version}
			p, err := pipeline.NextVersion(ctx, pj, pipeline.OfflineEdit, planAt)
			if err != nil {
				return dialog.Inbound{Event: dialog.EventEditFailed, PlanRequest: ef.PlanRequest, EditError: pipeline.EditReason(err)}, true
			}
			p.Version = conv.Memo.PlanVersion + 1
			return dialog.Inbound{Event: dialog.EventPlanReady, Plan: &p, PlanRequest: ef.PlanRequest}, true
		case ef.Kind == dialog.EffectCheckWeather:
			// No forecast without the network: the dialog says it is still unavailable.
			return dialog.Inbound{Event: dialog.EventWeather}, true
		}
	}
	return dialog.Inbound{}, false
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
		fmt.Fprintf(&b, "\n== %s  %s ==\n", dialog.TierTitle(lang, o.Tier),
			dialog.T(lang, "tg_per_person", dialog.FormatMoney(lang, o.BudgetLow, o.Currency)+"–"+dialog.FormatMoney(lang, o.BudgetHigh, o.Currency)))
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

package dialog

// draftNote tells the traveller, once per plan, that it is an offline draft: with a
// plan made afresh, and with the first edit that turned a model's plan into a draft,
// but not with every edit of a draft already noted.
func (t *turn) draftNote(p *Plan) {
	m := &t.c.Memo
	edited := p.Edit != nil || p.Base != 0
	if !p.Draft {
		m.DraftNoted = false
		return
	}
	if edited && m.DraftNoted {
		return
	}
	m.DraftNoted = true
	if p.DraftCode == "LLM-105" {
		t.say("plan_budget_note")
		return
	}
	t.say("plan_draft_note")
}

package httpapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"xingqu/api"
	"xingqu/auth"
	"xingqu/store"
)

func TestAdminAnnouncementListFiltersAndPages(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	var ids []int64
	for i := range 5 {
		_, out := e.announce(admin, map[string]any{"title": fmt.Sprintf("更新 %d", i)})
		ids = append(ids, idOf(t, out))
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/announcements/%d/cancel", ids[1]), admin, nil, nil); code != 200 {
		t.Fatal(code)
	}
	if code := e.do("GET", "/api/admin/announcements", agent, nil, nil); code != http.StatusForbidden {
		t.Errorf("agent: got %d, want 403", code)
	}
	if code := e.do("GET", "/api/admin/announcements", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("anonymous: got %d, want 401", code)
	}

	// Newest first, two a page, the cursor leading to the next page until there is none.
	var seen []int64
	cursor := ""
	for page := 0; ; page++ {
		var l AnnouncementList
		path := "/api/admin/announcements?limit=2"
		if cursor != "" {
			path += "&before=" + cursor
		}
		if code := e.do("GET", path, admin, nil, &l); code != 200 {
			t.Fatalf("page %d: %d", page, code)
		}
		for _, a := range l.Announcements {
			seen = append(seen, a.ID)
			if a.Delivery == nil {
				t.Errorf("announcement %d without delivery counts", a.ID)
			}
		}
		if cursor = l.Cursor; cursor == "" {
			break
		}
		if page > 5 {
			t.Fatal("the cursor never ends")
		}
	}
	if want := []int64{ids[4], ids[3], ids[2], ids[1], ids[0]}; fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Errorf("pages: got %v, want %v", seen, want)
	}

	var l AnnouncementList
	if code := e.do("GET", "/api/admin/announcements?state=cancelled", admin, nil, &l); code != 200 || len(l.Announcements) != 1 || l.Announcements[0].ID != ids[1] || l.Cursor != "" {
		t.Errorf("cancelled: %d %+v", code, l)
	}
	l = AnnouncementList{}
	if code := e.do("GET", "/api/admin/announcements?state=published", admin, nil, &l); code != 200 || len(l.Announcements) != 4 {
		t.Errorf("published: %d, %d announcements, want 4", code, len(l.Announcements))
	}
	for _, bad := range []string{"state=running", "limit=0", "limit=101", "before=x"} {
		var out api.Error
		if code := e.do("GET", "/api/admin/announcements?"+bad, admin, nil, &out); code != 400 || out.Field != strings.Split(bad, "=")[0] {
			t.Errorf("%s: got %d %+v, want 400 naming the field", bad, code, out)
		}
	}
}

func TestAnnouncementBilingualAndShortNotice(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)

	// Plain strings, as before: one language for both.
	code, out := e.announce(admin, nil)
	if code != 201 {
		t.Fatal(code, out)
	}
	v := e.getAnnouncement(admin, idOf(t, out), "en")
	if v.Title != "行程导出 PDF" || v.Translations["en"].Title != "行程导出 PDF" || v.Translations["zh"].Notes != "请提前完成重要操作" {
		t.Errorf("plain strings: %+v", v)
	}

	// Both languages; one language given in an object serves for both.
	code, out = e.announce(admin, map[string]any{
		"title": map[string]string{"zh": "行程导出", "en": "Trip export"},
		"body":  map[string]string{"en": "Export your trip as a PDF."},
	})
	if code != 201 {
		t.Fatal(code, out)
	}
	id := idOf(t, out)
	en, zh := e.getAnnouncement(admin, id, "en"), e.getAnnouncement(admin, id, "zh")
	if en.Title != "Trip export" || zh.Title != "行程导出" || zh.Body != "Export your trip as a PDF." || en.Impact != "服务暂停约1小时" {
		t.Errorf("bilingual: en %+v zh %+v", en, zh)
	}
	var pub AnnouncementsResponse
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/announcements", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&pub)
	resp.Body.Close()
	if err != nil || len(pub.Announcements) != 2 || pub.Announcements[1].Title != "Trip export" {
		t.Errorf("public in English: %v %+v", err, pub.Announcements)
	}

	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"both languages empty", map[string]any{"title": map[string]string{"zh": " ", "en": ""}}, "title"},
		{"neither string nor object", map[string]any{"title": 7}, ""},
		{"too long in English", map[string]any{"body": map[string]string{"zh": "短", "en": strings.Repeat("x", 1501)}}, "body"},
	} {
		code, out := e.announce(admin, c.body)
		if code != 400 || c.field != "" && out["field"] != c.field {
			t.Errorf("%s: got %d %v, want 400 naming %q", c.name, code, out, c.field)
		}
	}

	// Too soon: refused naming startsAt and how to go ahead; with shortNotice, published.
	soon := map[string]any{"type": "feature", "startsAt": ahead(4 * day), "endsAt": ahead(4*day + time.Hour)}
	code, out = e.announce(admin, soon)
	if msg, _ := out["message"].(string); code != 400 || out["field"] != "startsAt" || !strings.Contains(msg, "shortNotice") {
		t.Errorf("too soon: %d %v", code, out)
	}
	soon["shortNotice"] = true
	code, out = e.announce(admin, soon)
	if code != 201 || out["shortNotice"] != true || out["status"] != "published" {
		t.Errorf("short notice: %d %v", code, out)
	}
}

func (e *webEnv) getAnnouncement(tok string, id int64, lang string) AnnouncementView {
	e.t.Helper()
	var v AnnouncementView
	if code := e.do("GET", fmt.Sprintf("/api/admin/announcements/%d?lang=%s", id, lang), tok, nil, &v); code != 200 {
		e.t.Fatalf("get %d: %d", id, code)
	}
	return v
}

func TestMaintenanceBilingualAndHeldCount(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	var mv MaintenanceView
	body := map[string]any{"on": true, "until": ahead(time.Hour), "message": map[string]string{"zh": "数据库升级", "en": "Database upgrade"}}
	if code := e.do("POST", "/api/admin/maintenance?lang=en", admin, body, &mv); code != 200 || mv.Message != "Database upgrade" || mv.Translations == nil || mv.Translations.ZH != "数据库升级" || mv.Held == nil || *mv.Held != 0 {
		t.Fatalf("on: %d %+v", code, mv)
	}
	if code := e.do("GET", "/api/admin/maintenance", agent, nil, nil); code != http.StatusForbidden {
		t.Errorf("agent: got %d, want 403", code)
	}
	s := e.session("en")
	e.say(s.Token, "I want to go to Lisbon")
	waitFor(t, 5*time.Second, "the held message counted", func() bool {
		mv = MaintenanceView{}
		e.do("GET", "/api/admin/maintenance", admin, nil, &mv)
		return mv.Held != nil && *mv.Held == 1
	})
	if !hasRole(e.history(s.Token, "").Messages, "system", "Database upgrade") {
		t.Errorf("an English visitor is not told in English: %+v", e.history(s.Token, "").Messages)
	}
	var pub AnnouncementsResponse
	e.do("GET", "/api/announcements?lang=zh", "", nil, &pub)
	if !pub.Maintenance.On || pub.Maintenance.Message != "数据库升级" || pub.Maintenance.Held != nil || pub.Maintenance.Translations != nil {
		t.Errorf("public maintenance: %+v", pub.Maintenance)
	}
}

func TestAdminManagesPeople(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	var created UserCreated
	if code := e.do("POST", "/api/admin/users", admin, map[string]string{"username": "Mei", "role": "agent"}, &created); code != 201 {
		t.Fatalf("create: %d", code)
	}
	if created.User.Username != "mei" || created.User.Role != auth.RoleAgent || !created.User.MustChangePassword || len(created.TemporaryPassword) < auth.MinPasswordLen {
		t.Fatalf("created: %+v", created)
	}
	for _, c := range []struct {
		body  map[string]string
		code  int
		field string
	}{
		{map[string]string{"username": "mei", "role": "agent"}, 409, "username"},
		{map[string]string{"username": "", "role": "agent"}, 400, "username"},
		{map[string]string{"username": "x y", "role": "agent"}, 400, "username"},
		{map[string]string{"username": "zed", "role": "root"}, 400, "role"},
	} {
		var out api.Error
		if code := e.do("POST", "/api/admin/users", admin, c.body, &out); code != c.code || out.Field != c.field {
			t.Errorf("%v: got %d %+v, want %d naming %s", c.body, code, out, c.code, c.field)
		}
	}
	if code := e.do("POST", "/api/admin/users", agent, map[string]string{"username": "x", "role": "admin"}, nil); code != http.StatusForbidden {
		t.Errorf("an agent creating an admin: got %d, want 403", code)
	}

	// The first login works, says to change the password, and allows nothing else first.
	lr := e.login("mei", created.TemporaryPassword)
	if lr.Message != passwordChangeNeeded {
		t.Errorf("first login message: %q", lr.Message)
	}
	var out api.Error
	if code := e.do("GET", "/api/agent/conversations?status=waiting", lr.AccessToken, nil, &out); code != 403 || out.Field != "password" {
		t.Errorf("before changing the password: got %d %+v, want 403 naming password", code, out)
	}
	var me AccountView
	if code := e.do("GET", "/api/account", lr.AccessToken, nil, &me); code != 200 || !me.MustChangePassword || me.Username != "mei" {
		t.Errorf("account: %d %+v", code, me)
	}
	refused := func(cur, nw, field string) {
		t.Helper()
		var out api.Error
		if code := e.do("POST", "/api/account/password", lr.AccessToken, map[string]string{"current": cur, "new": nw}, &out); code != 400 || out.Field != field {
			t.Errorf("change password %q -> %q: got %d %+v, want 400 naming %q", cur, nw, code, out, field)
		}
	}
	refused("wrong password", "a brand new secret", "current")
	refused(created.TemporaryPassword, "short", "new")
	refused(created.TemporaryPassword, created.TemporaryPassword, "new")
	var fresh LoginResponse
	if code := e.do("POST", "/api/account/password", lr.AccessToken, map[string]string{"current": created.TemporaryPassword, "new": "a brand new secret"}, &fresh); code != 200 || fresh.AccessToken == "" {
		t.Fatalf("change: %d %+v", code, fresh)
	}
	if code := e.do("GET", "/api/agent/conversations?status=waiting", fresh.AccessToken, nil, nil); code != 200 {
		t.Errorf("after changing the password: got %d, want 200", code)
	}
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": lr.RefreshToken}, nil); code != 401 {
		t.Errorf("the temporary login's refresh token still works: %d", code)
	}
	if lr := e.login("mei", "a brand new secret"); lr.Message == passwordChangeNeeded {
		t.Errorf("the new password still counts as temporary")
	}

	// An admin resets it: the old password and sessions stop, the new temporary one must be changed.
	var reset UserCreated
	if code := e.do("POST", fmt.Sprintf("/api/admin/users/%d/password", created.User.ID), admin, nil, &reset); code != 200 || !reset.User.MustChangePassword || reset.TemporaryPassword == created.TemporaryPassword {
		t.Fatalf("reset: %d %+v", code, reset)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "mei", "password": "a brand new secret"}, nil); code != 401 {
		t.Errorf("old password after a reset: got %d, want 401", code)
	}
	if code := e.do("POST", "/api/token/refresh", "", map[string]string{"refresh_token": fresh.RefreshToken}, nil); code != 401 {
		t.Errorf("a session from before the reset: got %d, want 401", code)
	}
	if lr := e.login("mei", reset.TemporaryPassword); lr.Message != passwordChangeNeeded {
		t.Errorf("after a reset: %q", lr.Message)
	}

	// Disabled: no login, no token; an admin cannot disable themself.
	var users struct{ Users []store.Account }
	e.do("GET", "/api/admin/users", admin, nil, &users)
	var adminID int64
	for _, u := range users.Users {
		if u.Username == "admin1" {
			adminID = u.ID
		}
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/users/%d/disable", adminID), admin, nil, nil); code != 409 {
		t.Errorf("disable self: got %d, want 409", code)
	}
	if code := e.do("POST", fmt.Sprintf("/api/admin/users/%d/disable", created.User.ID), admin, nil, nil); code != 200 {
		t.Fatalf("disable: %d", code)
	}
	if code := e.do("POST", "/api/login", "", map[string]string{"username": "mei", "password": reset.TemporaryPassword}, nil); code != 401 {
		t.Errorf("login after disable: got %d, want 401", code)
	}
	for _, p := range []string{"/api/admin/users/999999/disable", "/api/admin/users/x/password"} {
		if code := e.do("POST", p, admin, nil, nil); code != 404 {
			t.Errorf("%s: got %d, want 404", p, code)
		}
	}
}

func TestAnnouncementPreviewStoresNothing(t *testing.T) {
	t.Parallel()
	e, admin, agent := noticeEnv(t)
	body := map[string]any{"type": "downtime", "title": map[string]string{"zh": "机房搬迁", "en": "Data centre move"},
		"body": "迁往新机房", "notes": "请提前完成重要操作", "impact": "服务暂停约2小时", "startsAt": ahead(3 * day), "endsAt": ahead(3*day + 2*time.Hour), "shortNotice": true}
	var p AnnouncementPreview
	if code := e.do("POST", "/api/admin/announcements/preview?lang=en", admin, body, &p); code != 200 {
		t.Fatalf("preview: %d", code)
	}
	if !strings.Contains(p.Telegram.ZH, "机房搬迁") || !strings.Contains(p.Telegram.ZH, "提前7天") ||
		!strings.Contains(p.Telegram.EN, "Data centre move") || !strings.Contains(p.Telegram.EN, "shorter notice than usual") {
		t.Errorf("telegram preview:\n%s\n%s", p.Telegram.ZH, p.Telegram.EN)
	}
	if p.Widget.Title != "Data centre move" || p.Widget.Translations["zh"].Title != "机房搬迁" || p.Widget.Phase != "upcoming" || !p.Widget.ShortNotice {
		t.Errorf("widget preview: %+v", p.Widget)
	}
	delete(body, "shortNotice")
	var out api.Error
	if code := e.do("POST", "/api/admin/announcements/preview", admin, body, &out); code != 400 || out.Field != "startsAt" {
		t.Errorf("preview of a window too soon: %d %+v", code, out)
	}
	if code := e.do("POST", "/api/admin/announcements/preview", agent, body, nil); code != http.StatusForbidden {
		t.Errorf("agent preview: got %d, want 403", code)
	}
	var n int
	e.db.Get(&n, `SELECT (SELECT count(*) FROM announcements) + (SELECT count(*) FROM jobs)`)
	if n != 0 {
		t.Errorf("the preview stored %d rows", n)
	}
}

// The changelog groups finished updates by month, newest first, in the reader's language.
func TestChangelogByMonthInTwoLanguages(t *testing.T) {
	t.Parallel()
	e, admin, _ := noticeEnv(t)
	for _, u := range []struct {
		zh, en, ended string
	}{
		{"新增智能售后助手", "After-sales assistant", "2026-01-20T10:00:00+08:00"},
		{"优化移动端界面", "Mobile layout", "2026-02-03T10:00:00+08:00"},
		{"新增故障进度实时查询", "Live fault progress", "2026-02-25T10:00:00+08:00"},
	} {
		_, out := e.announce(admin, map[string]any{"title": map[string]string{"zh": u.zh, "en": u.en}})
		if _, err := e.db.Exec(`UPDATE announcements SET status = 'completed', starts_at = $2::timestamptz - interval '1 hour',
ends_at = $2, closed_at = $2 WHERE id = $1`, idOf(t, out), u.ended); err != nil {
			t.Fatal(err)
		}
	}
	page := func(lang string) string {
		resp, err := http.Get(e.ts.URL + "/changelog?lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		if _, err := io.Copy(&b, resp.Body); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	inOrder := func(s string, parts ...string) bool {
		for _, p := range parts {
			i := strings.Index(s, p)
			if i < 0 {
				return false
			}
			s = s[i+len(p):]
		}
		return true
	}
	if zh := page("zh"); !inOrder(zh, "2026年2月更新", "新增故障进度实时查询", "优化移动端界面", "2026年1月更新", "新增智能售后助手") || strings.Count(zh, "<h2>") != 2 {
		t.Errorf("zh changelog:\n%s", zh)
	}
	if en := page("en"); !inOrder(en, "February 2026", "Live fault progress", "Mobile layout", "January 2026", "After-sales assistant") || strings.Contains(en, "新增") {
		t.Errorf("en changelog:\n%s", en)
	}
}

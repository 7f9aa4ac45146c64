package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/pipeline"
	"xingqu/store"
)

// process handles one stored update and says what was done with it. Every kind ends in
// an outcome recorded with the update; none is dropped without a trace. finished says
// the outcome was recorded already, in the transaction that stored the traveller's
// message: then ErrUpdateDone and ErrUpdateNotNext say why nothing was done.
func (c *Channel) process(ctx context.Context, su *store.TelegramUpdate) (outcome string, convID int64, finished bool, err error) {
	var u tgbotapi.Update
	if err := json.Unmarshal(su.Payload, &u); err != nil {
		return "ignored: unreadable update", 0, false, nil
	}
	switch {
	case u.CallbackQuery != nil:
		return c.callback(ctx, su, u.CallbackQuery)
	case u.Message != nil:
		return c.message(ctx, su, u.Message, false)
	case u.EditedMessage != nil:
		return c.message(ctx, su, u.EditedMessage, true)
	case u.MyChatMember != nil:
		outcome, err := c.membership(ctx, u.MyChatMember)
		return outcome, 0, false, err
	case u.ChannelPost != nil, u.EditedChannelPost != nil:
		// The bot is an administrator of a channel: posts there are not conversations.
		return "ignored: channel post", 0, false, nil
	}
	return "ignored: update kind not used", 0, false, nil
}

// receive hands a traveller's message to the pipeline and records the update's outcome
// in the same transaction; more, if set, writes what else the update needs in it. The
// conversation it returns has turns left for a drain; 0 when there are none.
//
// A message over the traveller's rate is not stored: tooFast says what the traveller is
// told, if anything, and the update's outcome.
func (c *Channel) receive(ctx context.Context, su *store.TelegramUpdate, in pipeline.Inbound, kind string, more func(tx *sqlx.Tx) error,
	tooFast func(*pipeline.TooFast) (string, error)) (string, int64, bool, error) {
	outcome := kind
	var convID int64
	var err error
	if more == nil {
		// The message, the outcome and, as a rule, the message's turn in one transaction.
		var dup, kick bool
		convID, dup, kick, err = c.pipe.ReceiveUpdateAndTurn(ctx, in, store.UpdateDone{UpdateID: su.UpdateID, ChatID: su.ChatID,
			Outcome: kind, DupOutcome: kind + ": duplicate"})
		if dup {
			outcome = kind + ": duplicate"
		}
		if !kick {
			convID = 0 // nothing left for a drain
		}
	} else {
		convID, _, err = c.pipe.ReceiveWith(ctx, in, func(tx *sqlx.Tx, convID int64, dup bool) error {
			if err := more(tx); err != nil {
				return err
			}
			if dup {
				outcome = kind + ": duplicate"
			}
			return store.FinishNextTelegramUpdate(ctx, tx, su.UpdateID, su.ChatID, outcome)
		})
	}
	if tf := (*pipeline.TooFast)(nil); errors.As(err, &tf) {
		outcome, err := tooFast(tf)
		return outcome, 0, false, err
	}
	if err != nil {
		return "", 0, false, err
	}
	return outcome, convID, true, nil
}

func langHint(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
}

// langOf is the language of a Telegram user; without a hint, English.
func langOf(hint string) string {
	if l := dialog.LangOfHint(hint); l != "" {
		return l
	}
	return dialog.LangEN
}

func displayName(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	n := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if n == "" {
		n = u.UserName
	}
	return n
}

// commandText strips a command's @BotName (group menus add it) and separates a /start
// deep-link payload.
func (c *Channel) commandText(text string) (clean, payload string) {
	if !strings.HasPrefix(text, "/") {
		return text, ""
	}
	cmd, rest, _ := strings.Cut(text, " ")
	if at := strings.IndexByte(cmd, '@'); at > 0 {
		cmd = cmd[:at]
	}
	if strings.EqualFold(cmd, "/start") {
		return cmd, strings.TrimSpace(rest)
	}
	if rest == "" {
		return cmd, ""
	}
	return cmd + " " + rest, ""
}

// message handles a new or edited message. An edit is read as a new message: a
// traveller who fixes "预算2000" into "预算5000" means the correction.
func (c *Channel) message(ctx context.Context, su *store.TelegramUpdate, m *tgbotapi.Message, edited bool) (string, int64, bool, error) {
	updateID := su.UpdateID
	chatID := strconv.FormatInt(m.Chat.ID, 10)
	lang := langOf(langHint(m.From))
	if m.From != nil && m.From.IsBot {
		return "ignored: from a bot", 0, false, nil
	}
	if !m.Chat.IsPrivate() {
		// Trip planning is personal: in a group the bot answers only when addressed.
		name := c.botName()
		addressed := strings.HasPrefix(m.Text, "/") || (name != "" && strings.Contains(m.Text, "@"+name))
		if !addressed || edited {
			return "ignored: group message", 0, false, nil
		}
		t := chatTarget{chatID: chatID, group: true, lang: lang}
		err := sendText(ctx, c.db, t, Escape(dialog.T(lang, "tg_group_only_dm")), nil, fmt.Sprintf("u%d", updateID))
		return "answered: group", 0, false, err
	}
	in := pipeline.Inbound{Channel: "telegram", ExternalID: chatID, InboundID: fmt.Sprintf("tg:%d", updateID),
		DisplayName: displayName(m.From), LangHint: langHint(m.From)}
	kind := "message"
	switch {
	case m.Location != nil:
		kind = "location"
		in.Place = c.place(ctx, m.Location.Latitude, m.Location.Longitude, lang)
		if m.Venue != nil && m.Venue.Title != "" {
			in.Place.Name = m.Venue.Title
		}
	case m.Text != "":
		text, payload := c.commandText(m.Text)
		in.Text = text
		if payload != "" {
			kind = "start: " + payload
			if p := strings.ToLower(payload); p == dialog.LangZH || p == dialog.LangEN {
				in.LangHint = p
			}
		}
	case m.Caption != "":
		// A photo with a caption: the caption is what the traveller is telling us.
		in.Text = m.Caption
	default:
		what := "tg_kind_file"
		switch {
		case m.Sticker != nil:
			what = "tg_kind_sticker"
		case m.Photo != nil:
			what = "tg_kind_photo"
		case m.Voice != nil || m.Audio != nil || m.VideoNote != nil:
			what = "tg_kind_voice"
		}
		if m.NewChatMembers != nil || m.LeftChatMember != nil || m.PinnedMessage != nil {
			return "ignored: service message", 0, false, nil
		}
		text := dialog.T(lang, "tg_unsupported", dialog.T(lang, what))
		err := sendText(ctx, c.db, chatTarget{chatID: chatID, lang: lang}, Escape(text), nil, fmt.Sprintf("u%d", updateID))
		return "answered: " + strings.TrimPrefix(what, "tg_kind_"), 0, false, err
	}
	if edited {
		kind = "edited"
	}
	return c.receive(ctx, su, in, kind, nil, func(tooFast *pipeline.TooFast) (string, error) {
		// A flood hears about the limit once per window.
		if !tooFast.First {
			return "ignored: too fast", nil
		}
		t := chatTarget{chatID: chatID, group: !m.Chat.IsPrivate(), lang: lang}
		return "answered: too fast", sendText(ctx, c.db, t, Escape(tooFast.Notice()), nil, fmt.Sprintf("u%d", updateID))
	})
}

// place names a shared location. Without a geocoder, or when it fails, the coordinates
// themselves are the name: the dialog still gets a place it can plan for.
func (c *Channel) place(ctx context.Context, lat, lon float64, lang string) *dialog.Place {
	p := dialog.Place{Name: fmt.Sprintf("%.4f, %.4f", lat, lon), Lat: lat, Lon: lon}
	if c.geo == nil {
		return &p
	}
	gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := c.geo.Reverse(gctx, lat, lon, lang)
	if err != nil || got.Name == "" {
		c.log.Info("telegram: reverse geocoding failed, using coordinates", "err", err)
		return &p
	}
	if got.Lat == 0 && got.Lon == 0 {
		got.Lat, got.Lon = lat, lon
	}
	return &got
}

// callback handles a button press: it is answered (the spinner stops), the keyboard is
// updated so that the choice cannot be pressed again, and the action is handed on.
func (c *Channel) callback(ctx context.Context, su *store.TelegramUpdate, q *tgbotapi.CallbackQuery) (string, int64, bool, error) {
	updateID := su.UpdateID
	lang := langOf(langHint(q.From))
	chatID := ""
	if q.Message != nil && q.Message.Chat != nil {
		chatID = strconv.FormatInt(q.Message.Chat.ID, 10)
	} else if q.From != nil {
		chatID = strconv.FormatInt(q.From.ID, 10)
	}
	answer := func(db store.Queryer, text string) error {
		p := map[string]string{"callback_query_id": q.ID}
		if text != "" {
			p["text"] = text
		}
		_, err := store.EnqueueOutbox(ctx, db, store.NewOutbox{ChatID: chatID, Method: "answerCallbackQuery", Params: p, DedupeKey: "cb:" + q.ID})
		return err
	}
	// removeButtons edits the pressed message's keyboard: all of it for a dialog choice
	// (the question is answered), only the pressed button for a detail view.
	removeButtons := func(db store.Queryer, onlyPressed bool) error {
		if q.Message == nil {
			return nil
		}
		var keep inlineMarkup
		keep.InlineKeyboard = [][]inlineButton{}
		if onlyPressed && q.Message.ReplyMarkup != nil {
			for _, row := range q.Message.ReplyMarkup.InlineKeyboard {
				var r []inlineButton
				for _, b := range row {
					if b.CallbackData != nil && *b.CallbackData != q.Data {
						r = append(r, inlineButton{Text: b.Text, CallbackData: *b.CallbackData})
					}
				}
				if len(r) > 0 {
					keep.InlineKeyboard = append(keep.InlineKeyboard, r)
				}
			}
		}
		b, _ := json.Marshal(keep)
		_, err := store.EnqueueOutbox(ctx, db, store.NewOutbox{ChatID: chatID, Method: "editMessageReplyMarkup",
			Params:    map[string]string{"chat_id": chatID, "message_id": strconv.Itoa(q.Message.MessageID), "reply_markup": string(b)},
			DedupeKey: fmt.Sprintf("kb:%s:%d:%s", chatID, q.Message.MessageID, q.Data)})
		return err
	}

	if strings.HasPrefix(q.Data, cbDetail) {
		err := c.planDetail(ctx, chatID, lang, q.Data)
		if err == nil {
			err = answer(c.db, "")
		}
		if err == nil {
			err = removeButtons(c.db, true)
		}
		return "plan detail", 0, false, err
	}
	action, err := resolveCallback(ctx, c.db, q.Data)
	if errors.Is(err, errNoAction) {
		return "answered: unknown button", 0, false, errors.Join(answer(c.db, dialog.T(lang, "err_unknown_action")), removeButtons(c.db, false))
	}
	if err != nil {
		return "", 0, false, err
	}
	in := pipeline.Inbound{Channel: "telegram", ExternalID: chatID, InboundID: fmt.Sprintf("tg:%d", updateID),
		DisplayName: displayName(q.From), LangHint: langHint(q.From), Action: action}
	if q.Message != nil && !q.Message.Chat.IsPrivate() {
		err := answer(c.db, dialog.T(lang, "tg_group_only_dm"))
		return "answered: group button", 0, false, err
	}
	// Answered even on a redelivery: the dedupe keys keep it to one answer and one edit.
	return c.receive(ctx, su, in, "button", func(tx *sqlx.Tx) error {
		if err := answer(tx, ""); err != nil {
			return err
		}
		return removeButtons(tx, false)
	}, func(tooFast *pipeline.TooFast) (string, error) {
		// A button is always answered, or its spinner turns until Telegram gives up.
		return "answered: too fast", answer(c.db, tooFast.Notice())
	})
}

// planDetail sends one option of a plan day by day.
func (c *Channel) planDetail(ctx context.Context, chatID, lang, data string) error {
	var version, idx int
	if _, err := fmt.Sscanf(strings.TrimPrefix(data, cbDetail), "%d:%d", &version, &idx); err != nil {
		return nil
	}
	tr, err := store.EnsureTraveller(ctx, c.db, "telegram", chatID, "", "", "")
	if err != nil {
		return err
	}
	convID, err := store.CurrentConversation(ctx, c.db, tr.ID, tr.Lang)
	if err != nil {
		return err
	}
	if l, err := store.ConversationLang(ctx, c.db, convID); err == nil && l != "" {
		lang = l
	}
	t := chatTarget{chatID: chatID, travellerID: tr.ID, convID: convID, lang: lang}
	raw, err := store.PlanOfVersion(ctx, c.db, convID, version)
	var p dialog.Plan
	if err == nil {
		err = json.Unmarshal(raw, &p)
	}
	if err != nil || idx < 0 || idx >= len(p.Options) {
		return sendText(ctx, c.db, t, Escape(dialog.T(lang, "tg_plan_gone")), nil, "pd:"+chatID+":"+data)
	}
	return sendText(ctx, c.db, t, PlanDetail(lang, p.Options[idx]), nil, "pd:"+chatID+":"+data)
}

// membership records the bot being blocked or unblocked in a private chat, or added to
// and removed from groups.
func (c *Channel) membership(ctx context.Context, m *tgbotapi.ChatMemberUpdated) (string, error) {
	chatID := strconv.FormatInt(m.Chat.ID, 10)
	switch m.NewChatMember.Status {
	case "kicked", "left":
		if _, err := store.BlockRecipient(ctx, c.db, "telegram", chatID, "bot "+m.NewChatMember.Status); err != nil {
			return "", err
		}
		return "blocked", nil
	case "member", "administrator":
		if err := store.SetReachable(ctx, c.db, "telegram", chatID, true); err != nil {
			return "", err
		}
		return "unblocked", nil
	}
	return "ignored: membership " + m.NewChatMember.Status, nil
}

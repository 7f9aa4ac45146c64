package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"xingqu/dialog"
	"xingqu/store"
)

// chatTarget is where rows for one chat go.
type chatTarget struct {
	chatID      string
	travellerID int64
	convID      int64
	group       bool
	lang        string
}

// WriteReplies implements bot.OutboxWriter: it renders a turn's replies as Bot API
// requests in the turn's transaction. Replies for travellers of other channels are not
// its business.
func (c *Channel) WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	return WriteReplies(ctx, tx, conv, travellerID, replies)
}

// WriteReplies is the outbox writer without a running channel: replies are queued even
// while Telegram is unreachable, and sent when it comes back.
func WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	external, ok, err := telegramChat(ctx, tx, travellerID)
	if err != nil || !ok {
		return err
	}
	t := chatTarget{chatID: external, travellerID: travellerID, convID: conv.ID, lang: conv.Lang}
	for _, r := range replies {
		if err := writeReply(ctx, tx, t, r); err != nil {
			return err
		}
	}
	return finishProgress(ctx, tx, t, conv)
}

// telegramChat returns the chat of a traveller; ok is false for other channels'.
func telegramChat(ctx context.Context, q store.Queryer, travellerID int64) (chatID string, ok bool, err error) {
	var channel string
	if err := q.QueryRowxContext(ctx, `SELECT channel, external_id FROM travellers WHERE id = $1`, travellerID).Scan(&channel, &chatID); err != nil {
		return "", false, fmt.Errorf("traveller %d: %w", travellerID, err)
	}
	return chatID, channel == "telegram", nil
}

func writeReply(ctx context.Context, q store.Queryer, t chatTarget, r dialog.Reply) error {
	var text string
	var buttons []Button
	switch r.Kind {
	case dialog.ReplyPlan:
		if r.Plan == nil {
			text = Escape(r.Text)
			break
		}
		text, buttons = PlanCard(t.lang, r.Text, r.Plan)
	default:
		text = Escape(r.Text)
	}
	for _, ch := range r.Choices {
		buttons = append(buttons, Button{Label: ch.Label, Action: ch.Action})
	}
	if err := sendText(ctx, q, t, text, buttons, ""); err != nil {
		return err
	}
	if r.Kind == dialog.ReplyWorking {
		// "typing…" after the notice: a message sent ends the indicator, so it goes last.
		_, err := store.EnqueueOutbox(ctx, q, store.NewOutbox{
			TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID, IsGroup: t.group,
			Method: "sendChatAction", Params: map[string]string{"chat_id": t.chatID, "action": "typing"},
		})
		return err
	}
	return nil
}

// sendText queues an HTML text as one or more messages, the keyboard on the last.
func sendText(ctx context.Context, q store.Queryer, t chatTarget, text string, buttons []Button, dedupe string) error {
	pieces := SplitHTML(text, MaxMessageLen)
	if len(pieces) == 0 && len(buttons) > 0 {
		pieces = []string{"·"}
	}
	for i, p := range pieces {
		params := map[string]string{
			"chat_id": t.chatID, "text": p, "parse_mode": "HTML", "disable_web_page_preview": "true",
		}
		if i == len(pieces)-1 && len(buttons) > 0 {
			markup, err := keyboardMarkup(ctx, q, buttons)
			if err != nil {
				return err
			}
			params["reply_markup"] = markup
		}
		key := ""
		if dedupe != "" {
			key = fmt.Sprintf("%s:%d", dedupe, i)
		}
		if _, err := store.EnqueueOutbox(ctx, q, store.NewOutbox{
			TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID, IsGroup: t.group,
			Method: "sendMessage", Params: params, DedupeKey: key,
		}); err != nil {
			return err
		}
	}
	return nil
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type inlineMarkup struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

// keyboardMarkup gives each button callback_data of at most 64 bytes: the action itself
// when it fits, otherwise the id of a stored copy.
func keyboardMarkup(ctx context.Context, q store.Queryer, buttons []Button) (string, error) {
	var m inlineMarkup
	for _, row := range Keyboard(buttons) {
		var r []inlineButton
		for _, b := range row {
			data, err := callbackData(ctx, q, b.Action)
			if err != nil {
				return "", err
			}
			r = append(r, inlineButton{Text: Label(b.Label), CallbackData: data})
		}
		m.InlineKeyboard = append(m.InlineKeyboard, r)
	}
	out, err := json.Marshal(m)
	return string(out), err
}

func callbackData(ctx context.Context, q store.Queryer, action string) (string, error) {
	if strings.HasPrefix(action, cbDetail) {
		return action, nil // the channel's own, always short
	}
	if d, ok := inlineCallback(action); ok {
		return d, nil
	}
	id, err := store.SaveCallbackAction(ctx, q, action)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%d", cbKey, id), nil
}

// errNoAction is a callback_data the channel does not know (an old or forged button).
var errNoAction = errors.New("unknown callback data")

// resolveCallback turns callback_data back into a dialog action.
func resolveCallback(ctx context.Context, q store.Queryer, data string) (string, error) {
	switch {
	case strings.HasPrefix(data, cbAction):
		return strings.TrimPrefix(data, cbAction), nil
	case strings.HasPrefix(data, cbKey):
		var id int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(data, cbKey), "%d", &id); err != nil {
			return "", errNoAction
		}
		a, err := store.CallbackAction(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) {
			return "", errNoAction
		}
		return a, err
	}
	return "", errNoAction
}

package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"xingqu/api"
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

// WriteReplies implements pipeline.OutboxWriter: it renders a turn's replies as Bot API
// requests in the turn's transaction. Replies for travellers of other channels are not
// its business.
func (c *Channel) WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	return WriteReplies(ctx, tx, conv, travellerID, replies)
}

// QueueReplies implements pipeline.ReplyQueuer: WriteReplies, except that the turn's
// message, when nothing has to follow it, is returned for the turn's closing statement
// to queue (store.TurnEnd.Outbox) rather than inserted now.
func (c *Channel) QueueReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) ([]store.NewOutbox, error) {
	return QueueReplies(ctx, tx, conv, travellerID, replies)
}

// Writer is the outbox writer without a running channel (WriteReplies, QueueReplies):
// replies are queued even while Telegram is unreachable, and sent when it comes back.
type Writer struct{}

// WriteReplies implements pipeline.OutboxWriter.
func (Writer) WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	return WriteReplies(ctx, tx, conv, travellerID, replies)
}

// QueueReplies implements pipeline.ReplyQueuer.
func (Writer) QueueReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) ([]store.NewOutbox, error) {
	return QueueReplies(ctx, tx, conv, travellerID, replies)
}

// WriteReplies is the outbox writer without a running channel: replies are queued even
// while Telegram is unreachable, and sent when it comes back.
//
// A turn's replies go out as one message, the buttons of all of them on it (split only
// past Telegram's length limit): Telegram paces a chat at one message a second, and three
// messages would keep the traveller waiting two seconds more. A "working on it" notice
// is the exception: "typing…" goes at once and the notice only a second later, unless
// the plan has come by then and taken its place.
func WriteReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) error {
	rows, err := QueueReplies(ctx, tx, conv, travellerID, replies)
	if err != nil {
		return err
	}
	return queueRows(ctx, tx, rows)
}

// QueueReplies is WriteReplies leaving the caller the rows of the turn's message, to
// queue after everything else the turn queues: it returns them when nothing it writes
// has to follow them (a "working on it" notice, the end of a plan's progress), and
// queues them itself otherwise.
func QueueReplies(ctx context.Context, tx *sqlx.Tx, conv *dialog.Conversation, travellerID int64, replies []dialog.Reply) ([]store.NewOutbox, error) {
	external, ok, err := telegramChat(ctx, tx, conv, travellerID)
	if err != nil || !ok {
		return nil, err
	}
	t := chatTarget{chatID: external, travellerID: travellerID, convID: conv.ID, lang: conv.Lang}
	var texts []string
	var buttons []Button
	var working []dialog.Reply
	for _, r := range replies {
		if r.Kind == dialog.ReplyWorking {
			working = append(working, r)
			continue
		}
		text, bs := renderReply(t.lang, r)
		if hasText(text) {
			texts = append(texts, text)
		}
		buttons = append(buttons, bs...)
	}
	var rows []store.NewOutbox
	if len(texts) > 0 || len(buttons) > 0 {
		if rows, err = textRows(ctx, tx, t, strings.Join(texts, "\n\n"), buttons, ""); err != nil {
			return nil, err
		}
	}
	// What follows the message is queued after it.
	flush := func() error {
		err := queueRows(ctx, tx, rows)
		rows = nil
		return err
	}
	if len(working) > 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	for _, r := range working {
		if err := writeWorking(ctx, tx, t, conv, r); err != nil {
			return nil, err
		}
	}
	if err := finishProgress(ctx, tx, t, conv, flush); err != nil {
		return nil, err
	}
	return rows, nil
}

// queueRows queues rows in their order.
func queueRows(ctx context.Context, q store.Queryer, rows []store.NewOutbox) error {
	for _, r := range rows {
		if _, err := store.EnqueueOutbox(ctx, q, r); err != nil {
			return err
		}
	}
	return nil
}

// telegramChat returns the chat of a conversation's traveller; ok is false for other
// channels'. A conversation read with its traveller's address (LockConversation) costs
// no query.
func telegramChat(ctx context.Context, q store.Queryer, conv *dialog.Conversation, travellerID int64) (chatID string, ok bool, err error) {
	channel, chatID := conv.Channel, conv.ExternalID
	if channel == "" {
		if channel, chatID, err = store.TravellerAddress(ctx, q, travellerID); err != nil {
			return "", false, err
		}
	}
	return chatID, channel == "telegram", nil
}

// renderReply is a reply as HTML text and the buttons that go with it.
func renderReply(lang string, r dialog.Reply) (string, []Button) {
	var text string
	var buttons []Button
	if r.Kind == dialog.ReplyPlan && r.Plan != nil {
		text, buttons = PlanCard(lang, r.Text, r.Plan)
	} else {
		text = Escape(r.Text)
	}
	for _, ch := range r.Choices {
		buttons = append(buttons, Button{Label: ch.Label, Action: ch.Action})
	}
	return text, buttons
}

// workingDelay is how long a "working on it" notice waits for the plan to make it
// needless.
const workingDelay = time.Second

// workingKey names the notice of a plan request, so that the plan's turn can find it.
func workingKey(convID int64, request int) string {
	return fmt.Sprintf("tgworking:%d:%d", convID, request)
}

// writeWorking queues "typing…" and, a second later, the notice itself; finishProgress
// drops the notice if the plan arrives first. A second notice for the same request
// (the traveller wrote while the plan was being made) goes at once.
func writeWorking(ctx context.Context, q store.Queryer, t chatTarget, conv *dialog.Conversation, r dialog.Reply) error {
	_, err := store.EnqueueOutbox(ctx, q, store.NewOutbox{
		TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID, IsGroup: t.group,
		Method: "sendChatAction", Params: map[string]string{"chat_id": t.chatID, "action": "typing"},
	})
	if err != nil {
		return err
	}
	text, buttons := renderReply(t.lang, r)
	if len(buttons) > 0 || conv.Memo.PlanRequest == 0 || !dialog.AwaitsPlan(conv, conv.Memo.PlanRequest) {
		return sendText(ctx, q, t, text, buttons, "")
	}
	params := map[string]string{"chat_id": t.chatID, "text": text, "parse_mode": "HTML", "disable_web_page_preview": "true"}
	id, err := store.EnqueueOutbox(ctx, q, store.NewOutbox{
		TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID, IsGroup: t.group,
		Method: "sendMessage", Params: params, DedupeKey: workingKey(conv.ID, conv.Memo.PlanRequest),
		NotBefore: time.Now().Add(workingDelay),
	})
	if err != nil || id != 0 {
		return err
	}
	return sendText(ctx, q, t, text, nil, "")
}

// sendText queues an HTML text as one or more messages, the keyboard on the last.
func sendText(ctx context.Context, q store.Queryer, t chatTarget, text string, buttons []Button, dedupe string) error {
	rows, err := textRows(ctx, q, t, text, buttons, dedupe)
	if err != nil {
		return err
	}
	return queueRows(ctx, q, rows)
}

// textRows are the outbox rows of an HTML text: one or more messages, the keyboard on
// the last. Telegram counts a message's length after parsing its entities; counting the
// raw HTML (tags and escapes included) is never less, so a piece that fits by our count
// fits.
func textRows(ctx context.Context, q store.Queryer, t chatTarget, text string, buttons []Button, dedupe string) ([]store.NewOutbox, error) {
	pieces := SplitHTML(text, api.MaxMessageLen)
	if len(pieces) == 0 && len(buttons) > 0 {
		pieces = []string{"·"}
	}
	var rows []store.NewOutbox
	for i, p := range pieces {
		params := map[string]string{
			"chat_id": t.chatID, "text": p, "parse_mode": "HTML", "disable_web_page_preview": "true",
		}
		if i == len(pieces)-1 && len(buttons) > 0 {
			markup, err := keyboardMarkup(ctx, q, buttons)
			if err != nil {
				return nil, err
			}
			params["reply_markup"] = markup
		}
		key := ""
		if dedupe != "" {
			key = fmt.Sprintf("%s:%d", dedupe, i)
		}
		rows = append(rows, store.NewOutbox{
			TravellerID: t.travellerID, ConversationID: t.convID, ChatID: t.chatID, IsGroup: t.group,
			Method: "sendMessage", Params: params, DedupeKey: key,
		})
	}
	return rows, nil
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
	if k, ok := locationKeyboard(buttons); ok {
		return k, nil
	}
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

package telegram

import "encoding/json"

// shareLocation is the action of the button that asks for the traveller's location.
const shareLocation = "location"

type replyButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
}

type replyKeyboard struct {
	Keyboard [][]replyButton `json:"keyboard"`
	OneTime  bool            `json:"one_time_keyboard"`
	Resize   bool            `json:"resize_keyboard"`
}

// locationKeyboard lays out buttons that include the share-location one as a reply
// keyboard: only a reply keyboard's button can send the traveller's location
// (request_location), and inline and reply buttons cannot share a message. The other
// buttons send their labels, which the conversation reads as pressing them.
func locationKeyboard(buttons []Button) (string, bool) {
	found := false
	for _, b := range buttons {
		found = found || b.Action == shareLocation
	}
	if !found {
		return "", false
	}
	k := replyKeyboard{OneTime: true, Resize: true}
	for _, row := range Keyboard(buttons) {
		var r []replyButton
		for _, b := range row {
			r = append(r, replyButton{Text: Label(b.Label), RequestLocation: b.Action == shareLocation})
		}
		k.Keyboard = append(k.Keyboard, r)
	}
	out, err := json.Marshal(k)
	return string(out), err == nil
}

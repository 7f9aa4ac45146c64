package pipeline

import (
	"fmt"
	"time"

	"xingqu/dialog"
)

// TooFast is the error Receive returns for a message over the traveller's rate
// (XINGQU_MESSAGE_RATE): the message is dropped. First says it is the first dropped in
// the current window; a channel tells the traveller then, and stays quiet for the rest.
type TooFast struct {
	RetryAfter time.Duration
	First      bool
	Lang       string
}

func (e *TooFast) Error() string {
	return fmt.Sprintf("too many messages: try again in %v", e.RetryAfter.Round(time.Second))
}

// Notice is what the traveller is told, in their language.
func (e *TooFast) Notice() string {
	secs := int(e.RetryAfter.Seconds()) + 1
	if e.Lang == dialog.LangEN {
		return fmt.Sprintf("You are sending messages too fast; I will read new ones again in %d seconds.", secs)
	}
	return fmt.Sprintf("消息发得太快了，%d 秒后我再接着看新消息。(You are sending messages too fast.)", secs)
}

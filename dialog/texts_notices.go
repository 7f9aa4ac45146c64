package dialog

import "fmt"

// noticeTexts are the catalogue's entries for service notices in chat: subscriptions,
// the changelog and the answers that depend on the current notices. They join the
// catalogue at start-up, so T reads them like any other.
var noticeTexts = map[string][2]string{ // [zh, en]
	"notices_unknown": {"没有「%s」这类通知。可以订阅：feature（功能更新）、performance（性能优化）、security（安全更新）、ui（界面优化）、maintenance（系统维护）、downtime（系统停服），例如 /subscribe maintenance downtime；也可以点下面的按钮。",
		"There's no kind of notice called \"%s\". You can choose feature, performance, security, ui, maintenance and downtime, e.g. /subscribe maintenance downtime, or tap the buttons below."},
	"notices_web": {"这个网页聊天不会另外给你发通知：当前和即将进行的更新、维护会在你打开聊天时弹窗显示，停服和抢修进展会显示在顶部横幅。想收到消息提醒，可以在 Telegram 上给我发 /subscribe。",
		"This web chat doesn't send you notices of its own: current and upcoming updates and maintenance pop up when you open the chat, and downtime and repair progress show in the banner at the top. To get notices as messages, send /subscribe to me on Telegram."},
	"notices_web_unsub": {"网页聊天没有订阅可以退订：通知只在你打开聊天时显示。", "There's nothing to unsubscribe from in this web chat: it shows notices only while it's open."},
	"btn_notices_all":   {"全部开启", "All on"},
	"btn_notices_none":  {"全部关闭", "All off"},
	"changelog_recent":  {"最近的更新：\n%s\n\n完整的更新日志：%s", "Recent updates:\n%s\n\nThe full changelog: %s"},
	"changelog_empty":   {"还没有已完成的更新记录。更新日志页面：%s", "No updates have been completed yet. The changelog page: %s"},
	"faq_now":           {"当前的通知：\n%s", "Current notices:\n%s"},
	"notice_correction": {"说明：%s", "Note: %s"},
}

func init() {
	for k, v := range noticeTexts {
		if _, dup := catalogue[k]; dup {
			panic(fmt.Sprintf("dialog: text %q defined twice", k))
		}
		catalogue[k] = v
	}
}

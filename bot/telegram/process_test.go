package telegram

func childSender() {}
func childPoller() {}

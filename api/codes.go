package api

// Code is an error code of seed 004 section 7.1, or one of the HTTP codes added to them.
type Code string

// The codes of seed 004 section 7.1.
const (
	Network        Code = "E-101" // a dependency could not be reached
	Location       Code = "E-202" // location not shared or not permitted
	Weather        Code = "E-303" // weather unavailable
	Login          Code = "E-505" // login failed
	Sync           Code = "E-606" // the widget lost sync
	PlaceLookup    Code = "E-707" // map or place look-up failed
	EditFailed     Code = "E-808" // an itinerary edit failed
	LLMTimeout     Code = "LLM-101"
	LLMMalformed   Code = "LLM-102"
	LLMAuth        Code = "LLM-103"
	LLMUnavailable Code = "LLM-104"
	LLMRateLimited Code = "LLM-105"
)

// The HTTP codes, named after their status.
const (
	BadRequest   Code = "E-400"
	Unauthorized Code = "E-401"
	Forbidden    Code = "E-403"
	NotFound     Code = "E-404"
	Conflict     Code = "E-409"
	TooLarge     Code = "E-413"
	TooMany      Code = "E-429"
	Internal     Code = "E-500"
)

// Text is what a code tells a person, in both languages.
type Text struct {
	ZH, EN string
}

// Codes is the one table of error codes: every code the service answers or records, with
// the seed's text (zh) and its English.
var Codes = map[Code]Text{
	Network:        {"网络连接失败，请检查您的网络设置或稍后重试。", "Network connection failed; check your network or try again later."},
	Location:       {"未能获取位置信息，请在设置中开启位置信息权限。", "Could not get your location; allow location access in your settings, or type the place."},
	Weather:        {"无法加载天气数据，请稍后重试或检查网络连接。", "Could not load the weather; try again later or check your connection."},
	Login:          {"登录失败，请检查您的账户和密码。", "Login failed; check your account and password."},
	Sync:           {"数据同步出现问题，请检查网络或稍后再试。", "Syncing failed; check your network or try again later."},
	PlaceLookup:    {"地图加载失败，请检查网络或稍后再试。", "The map could not be loaded; check your network or try again later."},
	EditFailed:     {"行程更新失败，请重试或检查您的网络连接。", "The itinerary could not be updated; try again or check your connection."},
	LLMTimeout:     {"响应超时，LLM未能及时返回结果。", "The planning model did not answer in time."},
	LLMMalformed:   {"请求数据格式错误，无法处理。", "The request to the planning model was malformed."},
	LLMAuth:        {"调用服务授权失败，请检查您的权限。", "The planning service refused our credentials."},
	LLMUnavailable: {"当前无法连接到语言模型服务，请稍后再试。", "The planning model is unavailable; try again later."},
	LLMRateLimited: {"已达请求次数上限，请稍后再试。", "Too many requests to the planning model; try again later."},
	BadRequest:     {"请求无效。", "The request is not valid."},
	Unauthorized:   {"请先登录。", "Log in first."},
	Forbidden:      {"没有权限执行此操作。", "You may not do that."},
	NotFound:       {"找不到该内容。", "Not found."},
	Conflict:       {"操作与当前状态冲突。", "That conflicts with the current state."},
	TooLarge:       {"内容过长。", "Too long."},
	TooMany:        {"请求过于频繁，请稍后再试。", "Too many requests; try again later."},
	Internal:       {"服务内部错误，请稍后重试。", "Internal error; try again later."},
}

// Text returns what the code tells a person in lang ("zh" or anything else for English).
func (c Code) Text(lang string) string {
	t := Codes[c]
	if lang == "zh" {
		return t.ZH
	}
	return t.EN
}

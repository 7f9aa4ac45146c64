package emergency

import (
	"strings"

	"xingqu/dialog"
	"xingqu/providers/geo"
)

func countryName(code string, zh bool) string {
	return geo.CountryName(code, pick(zh, dialog.LangZH, dialog.LangEN))
}

// advice is what to do, per category, [zh, en]. It is short: it is read under stress,
// and a person takes over within minutes.
var advice = map[dialog.EmergencyCategory][2]string{
	dialog.EmergencyMedical: {
		"如果情况严重（胸痛、呼吸困难、意识不清、大量出血），请立即拨打急救电话。保持冷静，待在安全的地方；如有随身药物或过敏史，请告诉医护人员。我已通知人工客服，可以帮你找附近的医院。",
		"If it is serious (chest pain, trouble breathing, confusion, heavy bleeding), call an ambulance now. Stay calm and somewhere safe; tell the medics about any medicines or allergies. I've alerted a person who can help you find the nearest hospital."},
	dialog.EmergencyInjury: {
		"先确保自己和他人的安全，不要随意移动重伤者。出血时用干净的布用力按压伤口。需要时立即拨打急救电话；遇到交通事故请同时报警并保留现场照片和对方信息。我已通知人工客服。",
		"First make sure you and others are safe; don't move someone badly hurt. Press a clean cloth firmly on any bleeding. Call an ambulance if needed; after a traffic accident call the police too, and keep photos and the other party's details. I've alerted a person to help."},
	dialog.EmergencyDocuments: {
		"证件丢失或被盗：1) 尽快到当地警察局报案，取得报案证明；2) 准备证件复印件或照片、证件照；3) 联系本国驻当地使领馆补办旅行证件。我已通知人工客服协助你。",
		"Lost or stolen passport or ID: 1) report it at the local police station and get a copy of the report; 2) gather a copy or photo of the document and passport photos; 3) contact your embassy or consulate for an emergency travel document. I've alerted a person to help."},
	dialog.EmergencyCrime: {
		"先确保人身安全，离开危险的地方到人多的场所。立即报警并取得报案证明（保险理赔需要）。银行卡被盗请马上挂失，手机被盗请联系运营商停机。我已通知人工客服。",
		"Get yourself safe first: leave and go somewhere with people around. Report it to the police and ask for a written report (insurers need it). Block stolen cards with your bank now, and a stolen phone's SIM with your carrier. I've alerted a person to help."},
	dialog.EmergencyDisaster: {
		"听从当地政府和救援人员的指示，远离海岸、河流、山坡和危险建筑。地震时先蹲下、掩护、抓牢；火灾时沿安全出口撤离，不要乘电梯。给手机省电，告诉家人你的位置。我已通知人工客服。",
		"Follow the instructions of local authorities and rescuers; keep away from coasts, rivers, slopes and damaged buildings. In an earthquake drop, cover and hold on; in a fire leave by the stairs, never the lift. Save your phone's battery and tell family where you are. I've alerted a person to help."},
	dialog.EmergencyTransport: {
		"航班或火车取消、误机误车：先到承运方柜台或官方应用改签、申请退款或住宿，保留所有票据。行李丢失请在到达区的行李服务处登记并拿到登记编号。我已通知人工客服，也可以帮你调整行程。",
		"Cancelled flight or train, or a missed connection: go to the carrier's desk or app to rebook, ask for a refund or a hotel, and keep every receipt. For lost luggage, file a report at the baggage desk in arrivals and keep its reference number. I've alerted a person, who can also help change your plan."},
	dialog.EmergencyLostPerson: {
		"有人走失：立即报警，提供走失者的照片、衣着和最后出现的位置；留一个人在原地等候。如果是你自己迷路了，请留在安全、人多的地方并分享你的位置。我已通知人工客服。",
		"Someone missing: call the police now with a photo, what they were wearing and where they were last seen; keep one person where you lost them. If you are the one who is lost, stay somewhere safe and busy and share your location. I've alerted a person to help."},
	dialog.EmergencyOther: {
		"我已通知人工客服，会尽快联系你。如果有人有危险，请立即拨打上面的电话。可以分享你的位置，方便我们帮你。",
		"I've alerted a person, who will contact you as soon as possible. If anyone is in danger, call the number above now. Share your location if you can, so we can help."},
}

// Advice returns what to do for a category, in lang (dialog.LangZH or dialog.LangEN);
// an unknown category gets the general advice.
func Advice(cat dialog.EmergencyCategory, lang string) string {
	a, ok := advice[cat]
	if !ok {
		a = advice[dialog.EmergencyOther]
	}
	if lang == dialog.LangZH {
		return a[0]
	}
	return a[1]
}

// ChinaConsularHotline is the Ministry of Foreign Affairs' global consular protection
// hotline (外交部全球领事保护与服务应急热线), answered around the clock.
const ChinaConsularHotline = "+86-10-12308"

// embassyLists are foreign ministries' own lists of their embassies and consulates,
// for the nationalities the service sees most. Others get the general advice.
var embassyLists = map[string]string{
	"AU": "https://www.dfat.gov.au/about-us/our-locations/missions",
	"CA": "https://travel.gc.ca/assistance/embassies-consulates",
	"DE": "https://www.auswaertiges-amt.de/",
	"ES": "https://www.exteriores.gob.es/",
	"FR": "https://www.diplomatie.gouv.fr/",
	"GB": "https://www.gov.uk/world/embassies",
	"IN": "https://www.mea.gov.in/",
	"IT": "https://www.esteri.it/",
	"JP": "https://www.mofa.go.jp/about/emb_cons/mofaserv.html",
	"KR": "https://overseas.mofa.go.kr/",
	"NL": "https://www.netherlandsworldwide.nl/",
	"NZ": "https://www.mfat.govt.nz/",
	"PT": "https://portaldiplomatico.mne.gov.pt/",
	"SG": "https://www.mfa.gov.sg/",
	"US": "https://www.usembassy.gov/",
}

// chinese are the citizenships the Chinese consular hotline serves.
var chinese = map[string]bool{"CN": true, "HK": true, "MO": true}

// Consular says whom to call about a lost passport: for Chinese citizens the consular
// protection hotline, for others their foreign ministry's list of embassies. An unknown
// citizenship gets both, since most of the service's travellers are Chinese.
func Consular(citizenship, lang string) string {
	zh := lang == dialog.LangZH
	c := strings.ToUpper(strings.TrimSpace(citizenship))
	hotline := pick(zh, "中国公民：外交部全球领事保护与服务应急热线 "+ChinaConsularHotline+"（24小时），或联系中国驻当地使领馆。",
		"Chinese citizens: the consular protection hotline "+ChinaConsularHotline+" (24 hours), or the nearest Chinese embassy or consulate.")
	if chinese[c] {
		return hotline
	}
	if url, ok := embassyLists[c]; ok {
		return pick(zh, "请联系你的国家驻当地使领馆，名单见你国外交部网站："+url,
			"Contact your country's embassy or consulate; your foreign ministry lists them at "+url)
	}
	other := pick(zh, "其他国家公民：请联系本国驻当地使领馆，你国外交部网站上有使领馆名单。",
		"Other citizens: contact your country's embassy or consulate; your foreign ministry's website lists them.")
	if c == "" {
		return hotline + "\n" + other
	}
	return other
}

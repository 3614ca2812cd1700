package mailparse

import (
	"strings"
	"testing"
)

func TestExtractReplyAttributionLanguages(t *testing.T) {
	headers := map[string]string{
		"English":              "On Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:",
		"English (Apple)":      "On 30 Nov 2026, at 10:00, Support <support@deskgate.test> wrote:",
		"German":               "Am 30.11.2026 um 10:00 schrieb Support <support@deskgate.test>:",
		"German (Gmail)":       "Support <support@deskgate.test> schrieb am Mo., 30. Nov. 2026, 10:00:",
		"French":               "Le lun. 30 nov. 2026 à 10:00, Support <support@deskgate.test> a écrit :",
		"French (nbsp)":        "Le 30/11/2026 à 10:00, Support a écrit\u00a0:",
		"Spanish":              "El lun, 30 nov 2026 a las 10:00, Support (<support@deskgate.test>) escribió:",
		"Italian":              "Il giorno lun 30 nov 2026 alle ore 10:00 Support <support@deskgate.test> ha scritto:",
		"Dutch":                "Op ma 30 nov. 2026 om 10:00 schreef Support <support@deskgate.test>:",
		"Dutch (Apple)":        "Op 30 nov. 2026 om 10:00 heeft Support <support@deskgate.test> het volgende geschreven:",
		"Portuguese":           "Em seg., 30 de nov. de 2026 às 10:00, Support <support@deskgate.test> escreveu:",
		"Swedish":              "Den mån 30 nov. 2026 kl 10:00 skrev Support <support@deskgate.test>:",
		"Polish":               "pon., 30 lis 2026 o 10:00 Support <support@deskgate.test> napisał(a):",
		"Polish (Thunderbird)": "W dniu 30.11.2026 o 10:00, Support pisze:",
		"Russian":              "пн, 30 нояб. 2026 г. в 10:00, Support <support@deskgate.test>:",
		"Russian (verb)":       "30.11.2026 10:00, Support пишет:",
		"Japanese":             "2026年11月30日(月) 10:00 Support <support@deskgate.test>:",
		"Japanese (Apple)":     "2026/11/30 10:00、Support <support@deskgate.test> のメール:",
		"Chinese":              "Support <support@deskgate.test> 于2026年11月30日周一 10:00写道：",
		"Chinese (Apple)":      "在 2026年11月30日，上午10:00，Support <support@deskgate.test> 写道：",
		"Korean":               "2026년 11월 30일 (월) 오전 10:00, Support <support@deskgate.test>님이 작성:",
		"Turkish":              "30 Kas 2026 Pzt, 10:00 tarihinde Support <support@deskgate.test> şunu yazdı:",
		"Zoho":                 "---- On Mon, 30 Nov 2026 10:00:00 +0100 Support <support@deskgate.test> wrote ----",
	}
	for lang, h := range headers {
		text := "Thanks, that fixed it.\n\n" + h + "\n\n> Please restart the router.\n> Support\n"
		if got := ExtractReply(text); got != "Thanks, that fixed it." {
			t.Errorf("%s: ExtractReply = %q", lang, got)
		}
	}
}

func TestExtractReplyWrappedHeader(t *testing.T) {
	text := "Works now.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Deskgate Support <\nsupport@deskgate.test> wrote:\n\n> Try again.\n"
	if got := ExtractReply(text); got != "Works now." {
		t.Errorf("ExtractReply = %q", got)
	}
	text = "Works now.\n\nAm 30.11.2026 um 10:00 schrieb Support\n<support@deskgate.test>:\n> Try again.\n"
	if got := ExtractReply(text); got != "Works now." {
		t.Errorf("ExtractReply (German) = %q", got)
	}
}

func TestExtractReplyOutlookBlocks(t *testing.T) {
	cases := map[string]string{
		"original":   "-----Original Message-----\nFrom: Support\nSent: Monday\nTo: me\nSubject: Re: x\n\nold",
		"underscore": "________________________________\nFrom: Support <support@deskgate.test>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Me\nSubject: Ticket\n\nold",
		"bare block": "From: Support <support@deskgate.test>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Me\nSubject: Ticket\n\nold",
		"bold":       "*From:* Support\n*Sent:* Monday\n*To:* me\n*Subject:* x\n\nold",
		"German":     "-----Ursprüngliche Nachricht-----\nVon: Support\nGesendet: Montag\nAn: mich\nBetreff: x\n\nalt",
		"French":     "De : Support\nEnvoyé : lundi 30 novembre 2026 10:00\nÀ : moi\nObjet : x\n\nvieux",
		"Spanish":    "De: Support\nEnviado: lunes\nPara: yo\nAsunto: x\n\nviejo",
		"Japanese":   "差出人: Support\n送信日時: 2026年11月30日 10:00\n宛先: me\n件名: x\n\n古い",
		"forward":    "---------- Forwarded message ---------\nFrom: A <a@b>\nDate: Mon\nSubject: x\nTo: <c@d>\n\nforwarded body",
		"apple fwd":  "Begin forwarded message:\n\nFrom: A <a@b>\nSubject: x\n\nforwarded body",
	}
	for name, block := range cases {
		text := "My answer is yes.\n\n" + block + "\n"
		if got := ExtractReply(text); got != "My answer is yes." {
			t.Errorf("%s: ExtractReply = %q", name, got)
		}
	}
}

func TestExtractReplyForwardWithoutComment(t *testing.T) {
	text := "---------- Forwarded message ---------\nFrom: A <a@b>\nDate: Mon, 30 Nov 2026\nSubject: broken\nTo: <c@d>\n\nThe printer is broken.\n"
	if got := ExtractReply(text); got != "The printer is broken." {
		t.Errorf("ExtractReply = %q", got)
	}
}

func TestExtractReplySignatures(t *testing.T) {
	cases := map[string]string{
		"dash-dash-space": "Yes.\n\n-- \nJane Doe\nACME",
		"dash-dash":       "Yes.\n--\nJane",
		"iPhone":          "Yes.\n\nSent from my iPhone",
		"Android":         "Yes.\n\nSent from my Samsung Galaxy smartphone.",
		"Outlook mobile":  "Yes.\n\nGet Outlook for Android",
		"German":          "Yes.\n\nVon meinem iPhone gesendet",
		"French":          "Yes.\n\nEnvoyé de mon iPad",
		"Spanish":         "Yes.\n\nEnviado desde mi iPhone",
		"Italian":         "Yes.\n\nInviato da iPhone",
		"Dutch":           "Yes.\n\nVerzonden vanaf mijn iPhone",
		"Swedish":         "Yes.\n\nSkickat från min iPhone",
		"Japanese":        "Yes.\n\niPhoneから送信",
		"Chinese":         "Yes.\n\n从我的iPhone发送",
		"underscores":     "Yes.\n\n____________\nmailing list footer",
	}
	for name, text := range cases {
		if got := ExtractReply(text); got != "Yes." {
			t.Errorf("%s: ExtractReply = %q", name, got)
		}
	}
	// Not signatures.
	keep := []string{
		"Sent from my desk, which is easier than my phone.",
		"And here is a fix -- this is not a signature.",
		"This is not a ---------- delimiter.",
		"Hello,\n\nSent from my Windows laptop the upload fails.\nThe log says 403.",
	}
	for _, text := range keep {
		if got := ExtractReply(text); got != text {
			t.Errorf("ExtractReply(%q) = %q", text, got)
		}
	}
}

func TestExtractReplyInlineAndBottomPosting(t *testing.T) {
	// Inline answers between quoted questions are kept with their quotes.
	inline := "> Which version do you run?\n\n2.1.0 on Debian.\n\n> Did you restart?\n\nYes, twice.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <s@x> wrote:\n> old\n"
	want := "> Which version do you run?\n\n2.1.0 on Debian.\n\n> Did you restart?\n\nYes, twice."
	if got := ExtractReply(inline); got != want {
		t.Errorf("inline: ExtractReply = %q", got)
	}
	// Bottom posting: the history above goes, the answer below stays.
	bottom := "On Mon, Nov 30, 2026 at 10:00 AM Support <s@x> wrote:\n> Did it work?\n\nIt did.\n"
	if got := ExtractReply(bottom); got != "It did." {
		t.Errorf("bottom: ExtractReply = %q", got)
	}
	// Only quoted history: nothing new.
	if got := ExtractReply("> On Mon, Nov 30, 2026 at 10:00 AM Support <s@x> wrote:\n>> hi\n"); got != "" {
		t.Errorf("history only: ExtractReply = %q", got)
	}
	// Code fences are text, even when they hold delimiters.
	code := "Here:\n\n```\n---\n> not a quote\n```\n\nbye"
	if got := ExtractReply(code); got != code {
		t.Errorf("code: ExtractReply = %q", got)
	}
}

func TestExtractReplyTrimsAndNormalizes(t *testing.T) {
	if got := ExtractReply("\r\n\r\n  Hello\r\nworld  \r\n\r\n"); got != "Hello\nworld" {
		t.Errorf("ExtractReply = %q", got)
	}
	if got := ExtractReply(""); got != "" {
		t.Errorf("empty: %q", got)
	}
	if !strings.Contains(ExtractReply("On this day\n\nI wrote something\n\nwhich was interesting."), "I wrote something") {
		t.Error("a sentence starting with On was taken for a header")
	}
}

package loopguard

import (
	"strings"
	"unicode"
)

// oooPrefixes are the words (lower-case) automatic replies put at the START of their
// subject ("Out of Office: <original subject>"), in the major languages. They count
// only as a prefix, so that a customer writing "Question about our auto reply" is
// still human.
var oooPrefixes = []string{
	// English
	"out of office", "out of the office", "auto reply", "autoreply", "auto-reply",
	"automatic reply", "auto response", "autoresponse", "auto-response", "automated reply",
	"automated response", "away from the office", "on vacation", "on holiday", "on leave",
	"vacation reply", "away from my desk",
	// German
	"abwesenheitsnotiz", "abwesenheit", "automatische antwort", "autom. antwort", "außer haus",
	"ausser haus", "nicht im büro", "nicht im haus",
	// French
	"absence du bureau", "réponse automatique", "reponse automatique", "absent du bureau",
	"message d'absence", "réponse d'absence",
	// Spanish
	"fuera de la oficina", "fuera de oficina", "respuesta automática", "respuesta automatica",
	"respuesta de ausencia",
	// Italian
	"fuori sede", "risposta automatica", "fuori ufficio", "fuori dall'ufficio",
	// Dutch
	"afwezig", "automatisch antwoord", "niet op kantoor", "buiten kantoor", "afwezigheidsmelding",
	// Portuguese
	"fora do escritório", "fora do escritorio", "resposta automática", "resposta automatica",
	"ausência temporária", "fora de escritório",
	// Swedish, Danish, Norwegian, Finnish
	"frånvaro", "automatiskt svar", "ej på kontoret", "inte på kontoret",
	"fravær", "automatisk svar", "ikke på kontoret", "poissa toimistolta", "automaattinen vastaus",
	// Polish
	"poza biurem", "automatyczna odpowiedź", "automatyczna odpowiedz", "nieobecność",
	"odpowiedź automatyczna",
	// Czech, Hungarian, Turkish, Greek
	"mimo kancelář", "automatická odpověď", "házon kívül", "automatikus válasz",
	"ofis dışında", "otomatik yanıt", "otomatik cevap", "εκτός γραφείου", "αυτόματη απάντηση",
	// Russian, Ukrainian
	"вне офиса", "автоответ", "автоматический ответ", "нет на месте", "в отпуске",
	"автоматична відповідь", "поза офісом",
	// Japanese
	"不在", "自動返信", "自動応答", "不在通知",
	// Chinese
	"自动回复", "自動回覆", "自動回复", "不在办公室", "自动答复", "自動答覆", "休假通知",
	// Korean
	"부재중", "부재 중", "자동 회신", "자동응답", "자동 응답",
	// Arabic, Hebrew
	"خارج المكتب", "رد تلقائي", "מחוץ למשרד", "תשובה אוטומטית",
}

// oooAnywhere are phrases (lower-case) that only machines write, matched anywhere in
// the subject.
var oooAnywhere = []string{
	"[auto-reply]", "[autoreply]", "(auto-reply)", "(autoreply)", "[out of office]",
	"(out of office)", "out of office autoreply", "out of office reply", "is out of the office",
	"abwesenheitsnotiz", "automatic reply:", "autoreply:", "auto-reply:", "auto reply:",
	"réponse automatique :", "respuesta automática:", "risposta automatica:",
	"automatisch antwoord:", "automatiskt svar:", "automatische antwort:",
	"自动回复:", "自动回复：", "自動返信:", "自動返信：", "автоответ:",
}

// outOfOfficeRule recognises automatic replies by their subject alone (for mailers
// that set no RFC 3834 header).
func outOfOfficeRule(_ *Guard, m *mail) (Verdict, bool) {
	s := strings.ToLower(strings.TrimSpace(m.subject))
	if s == "" {
		return Verdict{}, false
	}
	for _, p := range oooAnywhere {
		if strings.Contains(s, p) {
			return oooVerdict(m.subject, p), true
		}
	}
	for _, p := range oooPrefixes {
		if hasWordPrefix(s, p) {
			return oooVerdict(m.subject, p), true
		}
	}
	return Verdict{}, false
}

// oooVerdict builds the AutoReply verdict of an out-of-office subject.
func oooVerdict(subject, pattern string) Verdict {
	return auto("Subject: " + trimReason(subject) + " (out-of-office subject \"" + pattern + "\")")
}

// hasWordPrefix reports whether s starts with p followed by a separator (":", "-",
// "(", "[", "：") or the end, so "Away: …" matches and "Awaywith…" or "away from
// home question" do not.
func hasWordPrefix(s, p string) bool {
	if !strings.HasPrefix(s, p) {
		return false
	}
	rest := strings.TrimLeftFunc(s[len(p):], unicode.IsSpace)
	if rest == "" {
		return true
	}
	switch {
	case strings.HasPrefix(rest, ":"), strings.HasPrefix(rest, "："), strings.HasPrefix(rest, "-"),
		strings.HasPrefix(rest, "–"), strings.HasPrefix(rest, "("), strings.HasPrefix(rest, "["),
		strings.HasPrefix(rest, "|"), strings.HasPrefix(rest, "/"), strings.HasPrefix(rest, "【"):
		return true
	}
	return false
}

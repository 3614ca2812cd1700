package mailparse

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Patterns for the lines mail clients put around quoted history. They are
// matched against a trimmed line (or a wrapped header joined into one).

// wroteVerbs are "wrote" in the languages mail clients localise their
// attribution line into (Gmail, Apple Mail, Outlook, Thunderbird, mobile),
// lower-cased.
var wroteVerbs = strings.Fields(`wrote writes schrieb écrit ecrit escribió escribio escreveu scritto scrisse
	schreef geschreven skrev napisał(a) napisała napisał pisze napsal(a) napsal написал(а) написала написал
	пишет пише написав kirjoitti írta yazdı έγραψε scris viết написа rašė rakstīja kirjutas`)

// cjkVerbs need no word boundary before them ("10:00写道：").
var cjkVerbs = []string{"写道", "寫道", "작성", "のメール"}

// endsWithVerb tells whether t ends in a "wrote" verb, allowing the colon
// and the dashes Zoho puts around it: "On Mon, … Jane <j@x> wrote:",
// "Le 4 janv. 2016 19:03, Neil a écrit :", "---- On … wrote ----".
func endsWithVerb(t string) bool {
	s := strings.ToLower(tail(strings.TrimRight(t, " \t-:："), 48))
	for _, v := range cjkVerbs {
		if strings.HasSuffix(s, v) {
			return true
		}
	}
	for _, v := range wroteVerbs {
		if strings.HasSuffix(s, v) && wordStart(s[:len(s)-len(v)]) {
			return true
		}
	}
	return false
}

// verbInside tells whether a "wrote" verb appears as a word inside t, for
// lines such as "X schrieb am Fr., 28. Apr. 2017 um 11:53 Uhr:" or
// "Den 15. jun. kl. 20.42 skrev X <x@y>:".
func verbInside(t string) bool { return wordInside(t, wroteVerbs) }

// sentVerbs are "sent", which some clients write where others write
// "wrote" ("On 30/11/2026 10:00, Jane <j@x> sent:", "… hat Jane
// gesendet:", "… a envoyé :"), lower-cased.
var sentVerbs = strings.Fields(`sent gesendet geschickt envoyé envoye envió envio enviou inviato verzonden verstuurd
	skickade sendte wysłał wysłała отправил отправила отправил(а) надіслав`)

// isSentHeader reports whether t is an attribution that says "sent": a
// "sent" verb, a colon at the end, a date and an address or an intro word.
// A sentence can end in "sent:" too ("On Monday I sent:"), so the caller
// also wants a quote right below.
func isSentHeader(t string) bool {
	if len(t) > 500 || len(t) < 10 {
		return false
	}
	body := strings.TrimRight(t, " -:：")
	if !strings.ContainsAny(t[len(body):], ":：") || strings.IndexFunc(t, unicode.IsDigit) < 0 {
		return false
	}
	if !strings.Contains(t, "@") && !strings.Contains(t, "<") && !introWord.MatchString(t) {
		return false
	}
	return wordInside(body, sentVerbs)
}

// wordInside tells whether one of verbs appears as a word inside t.
func wordInside(t string, verbs []string) bool {
	s := strings.ToLower(t)
	for _, v := range verbs {
		for off := 0; off < len(s); {
			i := strings.Index(s[off:], v)
			if i < 0 {
				break
			}
			i += off
			after := s[i+len(v):]
			if wordStart(s[:i]) && (after == "" || after[0] == ' ') {
				return true
			}
			off = i + len(v)
		}
	}
	return false
}

// wordStart tells whether a word may begin right after prefix.
func wordStart(prefix string) bool {
	if prefix == "" {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(prefix)
	return unicode.IsSpace(r) || strings.ContainsRune(`>"')]`, r)
}

var (
	// Gmail's localised form without a verb: "<date> Name <addr>:".
	addrColon = regexp.MustCompile(`@[^\s<>]+\s*>?\s*[:：]\s*$`)
	// Gmail's ISO-date attribution without a colon (when the address was
	// dropped): "2016-03-03 17:21 GMT+01:00 Some One", "2013/7/20 sam <x@y>".
	isoDateHeader = regexp.MustCompile(`^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(,?\s+\d{1,2}:\d{2}(:\d{2})?(\s*(GMT|UTC)?[+-]\d{1,2}(:?\d{2})?)?)?\s+\S.*`)
	// First words of attribution lines in many languages.
	introWord = regexp.MustCompile(`(?i)^[-*\s]*(on|am|le|el|il|op|em|den|dnia|w dniu|at|en|el día|am \d|dne|kun|hinn|pe|den|в|у|στις|vào|在|於|于)(\s|\d|,)`)
)

// cleanLine trims a line and turns every Unicode space (no-break spaces
// before a French colon, ideographic spaces) into an ASCII space.
func cleanLine(l string) string {
	if isASCII(l) {
		return strings.TrimSpace(strings.ReplaceAll(l, "\t", " "))
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		return r
	}, l))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isQuoteHeader reports whether t is an attribution line above a quote.
func isQuoteHeader(t string) bool {
	if len(t) > 500 || len(t) < 6 {
		return false
	}
	t = strings.Trim(t, "*_ ")
	body := strings.TrimRight(t, " -:：")
	hasColon := strings.ContainsAny(t[len(body):], ":：")
	if !hasColon && !endsInVerbChar(body) {
		return false // cheap exit for ordinary sentences
	}
	hasDigit := strings.IndexFunc(t, unicode.IsDigit) >= 0
	hasAt := strings.Contains(t, "@")
	// Verbs are short and at the end: match only the tail.
	if endsWithVerb(t) && (hasDigit || hasAt || introWord.MatchString(t) || strings.Contains(t, "<")) {
		return true
	}
	if !hasColon {
		return false
	}
	if (hasDigit || hasAt) && verbInside(t) {
		return true
	}
	return hasDigit && addrColon.MatchString(tail(t, 200)) && len(strings.Fields(t)) >= 3 && !strings.HasPrefix(strings.ToLower(t), "mailto")
}

// endsInVerbChar tells whether s ends in a letter or ")" as every verb of
// wroteVerbs does.
func endsInVerbChar(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || r == ')'
}

// tail returns about the last n bytes of s, cut at a rune boundary, with a
// leading space so patterns anchored on a word start still match.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := len(s) - n
	for i < len(s) && !utf8.RuneStart(s[i]) {
		i++
	}
	return " " + s[i:]
}

// isDateHeader matches Gmail's date-first attribution that has no colon.
func isDateHeader(t string) bool {
	if !isoDateHeader.MatchString(t) || len(t) > 200 {
		return false
	}
	return strings.Contains(t, "@") || strings.Contains(t, "GMT") || strings.Contains(t, "UTC") || strings.HasSuffix(t, ":")
}

// mayStartHeader tells whether a line may begin an attribution that the
// client wrapped onto the next lines.
func mayStartHeader(t string) bool {
	if len(t) > 300 {
		return false
	}
	if introWord.MatchString(t) {
		return true
	}
	r := []rune(t)
	return len(r) > 0 && (unicode.IsDigit(r[0]) || strings.Contains(t, "<") || unicode.Is(unicode.Han, r[0]))
}

// dateStart matches a line that starts with a numeric date: "30.11.2026",
// "2026/11/30", "2026年11月".
var dateStart = regexp.MustCompile(`^\d{1,4}\s*[./年-]\s*\d{1,2}\s*[./月-]`)

// introDate is an intro word with a number at most two short words after
// it: "On Mon, Nov 30", "Am 30.11.2026", "Le lun. 30 nov.", "Il giorno lun
// 30", "在 2026年" (not "Le Pen <j@x> schrieb am Mo., 30.").
var introDate = regexp.MustCompile(`(?i)^[-*\s]*(on|am|le|el|il|op|em|den|dnia|w dniu|at|en|el día|dne|kun|hinn|pe|в|у|στις|vào|在|於|于)\s*(?:\p{L}{1,9}[.,]?\s+){0,2}\d`)

// startsLikeHeader tells whether a line begins the way an attribution
// does, more surely than mayStartHeader: an intro word with a number soon
// after it, or a numeric date.
func startsLikeHeader(t string) bool {
	return dateStart.MatchString(t) || introDate.MatchString(t)
}

// originalMarker matches the original-message and reply-message
// separators of Outlook, Thunderbird, Android and Asian webmail clients
// ("-----Original Message-----", "-----Reply Message-----" of NetEase and
// Sina, Foxmail's "------------------ 原始邮件 ------------------"), in
// several languages.
var originalMarker = regexp.MustCompile(`(?i)^[-_=*>\s]*(original message|reply message|original-nachricht|originalnachricht|ursprüngliche mail|message original|mail original|originalmeldung|mesaj original|izvorna poruka|原始訊息|원래 메시지|ursprüngliche nachricht|antwort-nachricht|message d'origine|message de réponse|mensaje original|mensaje de respuesta|messaggio originale|messaggio di risposta|oorspronkelijk bericht|origineel bericht|antwoordbericht|mensagem original|mensagem de resposta|originalmeddelande|ursprungligt meddelande|svarsmeddelande|oprindelig meddelelse|opprinnelig melding|original melding|wiadomość oryginalna|oryginalna wiadomość|исходное сообщение|исходное письмо|оригинальное сообщение|ответное сообщение|původní zpráva|pôvodná správa|alkuperäinen viesti|eredeti üzenet|orijinal mesaj|αρχικό μήνυμα|mesajul original|tin nhắn gốc|原始邮件|原始郵件|原始信息|原始訊息|邮件原文|回复邮件|回覆郵件|元のメッセージ|返信メッセージ|원본 메시지|답장 메시지)[-_=*\s]*:?[-_=*\s]*$`)

// forwardMarker matches forwarded-message separators of Gmail, Outlook,
// Thunderbird and Apple Mail, in several languages.
var forwardMarker = regexp.MustCompile(`(?i)^[-_=*>\s]*(forwarded message|forward message|weitergeleitete nachricht|message transféré|mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|vidarebefordrat meddelande|videresendt meddelelse|videresendt melding|przekazana wiadomość|пересылаемое сообщение|пересланное сообщение|přeposlaná zpráva|välitetty viesti|továbbított üzenet|iletilen ileti|προωθημένο μήνυμα|转发的邮件|轉寄的郵件|転送されたメッセージ|전달된 메시지)[-_=*\s]*:?[-_=*\s]*$`)

// beginForward matches Apple Mail's forward introduction.
var beginForward = regexp.MustCompile(`(?i)^(begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié|inicio del mensaje reenviado|inizio messaggio inoltrato|begin doorgestuurd bericht|início da mensagem reencaminhada|vidarebefordrat brev|начало переадресованного сообщения|転送されたメッセージ)\s*[:：]?$`)

func isMarker(t string) bool {
	return originalMarker.MatchString(t) || isForwardMarker(t)
}

// isForwardMarker tells whether t introduces a forwarded message.
func isForwardMarker(t string) bool {
	return forwardMarker.MatchString(t) || beginForward.MatchString(t)
}

// Outlook-style header blocks: "From: … / Sent: … / To: … / Subject: …",
// localised, sometimes in *bold*.
var (
	fromKey   = regexp.MustCompile(`(?i)^[*_]*(from|von|de|de la|da|van|från|fra|od|от|від|lähettäjä|feladó|kimden|发件人|發件人|寄件者|差出人|보낸 사람|送信者|afzender|remetente|mittente|expéditeur|absender|από|šalje|pošiljatelj|từ|dari|מאת|من)[*_]*\s*[:：]`)
	headerKey = regexp.MustCompile(`(?i)^[*_]*(sent|date|to|subject|cc|bcc|reply-to|gesendet|datum|an|betreff|envoyé|objet|à|sujet|pour|enviado el|enviado|fecha|para|asunto|data|a|oggetto|risposta|inviato|verzonden|aan|onderwerp|datum|skickat|till|ämne|sendt|til|emne|wysłano|temat|do|отправлено|дата|кому|тема|відправлено|надіслано|发送时间|發送時間|收件人|主题|主旨|日付|送信日時|宛先|件名|assunto|enviada em|lähetetty|vastaanottaja|aihe|elküldve|címzett|tárgy|gönderildi|kime|konu|odesláno|komu|předmět|odoslané|predmet|wysłane|αποστολή|προς|θέμα|κοιν|trimis|către|subiect|poslano|prima|đã gửi|đến|chủ đề|dikirim|kepada|perihal|tanggal|보낸 날짜|받는 사람|참조|제목|寄件日期|收件者|副本|日期|抄送|時間|时间|נשלח|אל|נושא|تاريخ الإرسال|إلى|الموضوع)[*_]*\s*[:：]`)
)

// headerKeyInside finds header fields inside a line, for a block whose
// fields a client (or HTML turned into text) put on one line: "From:
// Support <…> Sent: Monday … To: Carol Subject: Re: Printer".
var headerKeyInside = regexp.MustCompile(strings.Replace(headerKey.String(), "^[*_]*(", `[\s*_](`, 1))

// isHeaderBlock tells whether line i starts a "From:" header block: a From
// field followed within six lines by at least two other header fields. A
// block may also start with another field ("Sent:" above "From:", as
// Outlook writes it in some versions) when a From field follows in it and
// the line above is blank.
func isHeaderBlock(lines []string, i int) bool {
	t := cleanLine(lines[i])
	if !strings.ContainsAny(t, ":：") {
		return false
	}
	from := fromKey.MatchString(t)
	if !from && (i > 0 && cleanLine(lines[i-1]) != "" || !headerKey.MatchString(t)) {
		return false
	}
	n := 0
	if from {
		n = len(headerKeyInside.FindAllStringIndex(t, 4))
	}
	for j := i + 1; j < len(lines) && j <= i+6 && n < 2; j++ {
		l := cleanLine(lines[j])
		switch {
		case !from && fromKey.MatchString(l):
			from = true
		case headerKey.MatchString(l):
			n++
		}
	}
	return from && n >= 2
}

// isDelimiter matches the signature separator "-- " (RFC 3676 §4.3) and
// lines made only of one repeated punctuation character, which clients
// draw above signatures and quoted history ("_____", "-----", "*****"),
// plus Gmail's invisible tracking mark "ᐧ".
func isDelimiter(t string) bool {
	if t == "--" || t == "ᐧ" {
		return true
	}
	if len(t) < 3 {
		return false
	}
	c := t[0]
	if !strings.ContainsRune("-_=*~#+", rune(c)) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] != c && t[i] != ' ' {
			return false
		}
	}
	return true
}

// dashSignature is a dash directly followed by a name: "-Abhishek Kona".
var dashSignature = regexp.MustCompile(`^-\p{L}[\p{L}.' ]{0,40}$`)

// isQuoted matches quoted lines: ">" at any depth, also with the initials
// some clients put before it ("JD> ").
func isQuoted(l string) bool { return quoteEnd(l) >= 0 }

// quoteEnd returns the index just after the first ">" of a quoted line,
// or -1 when the line is not quoted.
func quoteEnd(l string) int {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	j := i
	for j < len(l) && j-i < 3 && (l[j] >= 'A' && l[j] <= 'Z' || l[j] >= 'a' && l[j] <= 'z') {
		j++
	}
	if j < len(l) && l[j] == '>' {
		return j + 1
	}
	if i < len(l) && l[i] == '>' {
		return i + 1
	}
	return -1
}

// unquoteLine removes the quote marks of a quoted line.
func unquoteLine(l string) string {
	if i := quoteEnd(l); i >= 0 {
		l = l[i:]
	}
	return strings.TrimLeft(l, "> \t")
}

// mobileDevice names a device or a mobile app after "Sent from my".
const mobileDevice = `iphone|ipad|ipod|blackberry|android|mobile|cell|phone|smartphone|tablet|samsung|galaxy|htc|windows|verizon|ti-\d+|alcatel|huawei|xiaomi|nokia|sony|lg|motorola|moto|pixel|nexus|oneplus|kindle|surface|device|mac|macbook|apple|watch|sprint|t-mobile|at&t|palm|treo|wireless|handheld|honor|oppo|vivo|asus|lenovo|zte`

// mobileSignatures is one alternation so a line is scanned once.
var mobileSignatures = regexp.MustCompile(`(?i)` + strings.Join([]string{
	`^\(?\s*sent from my (\S+\s+){0,3}?(` + mobileDevice + `)\b`,
	`^\(?\s*sent (from|via|with|using) (?:[^m\s]\S*|m[^y]\S*|\[)`,
	`^\(?\s*sent from (a|an) (\S+\s+){0,2}(` + mobileDevice + `)`,
	`^<<\s*sent by .*>>$`,
	`^get (\[)?outlook for\b`,
	`^(envoyé|envoye) (depuis|de|avec) (mon|ma|l'application|un)\b`,
	`^von meinem .*gesendet`,
	`^gesendet (von|mit) `,
	`^diese nachricht wurde von meinem .*gesendet`,
	`^(enviado|enviada) (desde|de|do|a partir do) (mi|meu|o meu|minha|a minha)\b`,
	`^inviato da\b`,
	`^(verzonden|verstuurd) (met|vanaf|van|via)\b`,
	`^(sendt|skickat|sent) fra\b`,
	`^skickat från\b`,
	`^lähetetty\b`,
	`^wysłane z\b`,
	`^отправлено (с|из)(\s|$)`,
	`^(从|從)我的.*(发送|傳送|發送)`,
	`^(iphone|ipad|android)から送信`,
	`^\S+ from (my )?mobile$`,
	`^from my (` + mobileDevice + `)\b`,
}, "|"))

// mobilePrefixes are the ways the lines mobileSignatures matches begin.
var mobilePrefixes = []string{"sent", "(", "<<", "get", "envoy", "von ", "gesendet", "diese", "enviad", "inviato",
	"verzonden", "verstuurd", "sendt", "skickat", "lähetetty", "wysłane", "отправлено", "从", "從", "iphone", "ipad", "android", "from"}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// isMobileSignature matches the one-line signatures mobile clients append.
func isMobileSignature(t string) bool {
	if len(t) > 120 {
		return false
	}
	lower := strings.ToLower(t[:min(len(t), 16)])
	if !strings.HasSuffix(strings.ToLower(t), "mobile") && !hasAnyPrefix(lower, mobilePrefixes) {
		return false // cheap exit: no signature starts like this
	}
	return mobileSignatures.MatchString(t)
}

// isDashedAttribution matches Android's and Zoho's attribution framed by
// dashes without a date: "---- Jane Doe wrote ----", "---- Jane schrieb ----".
func isDashedAttribution(t string) bool {
	if !strings.HasPrefix(t, "---") || !strings.HasSuffix(strings.TrimRight(t, " :："), "---") {
		return false
	}
	inner := strings.Trim(t, "-:： ")
	return inner != "" && len(inner) < 200 && endsWithVerb(inner)
}

package mailparse

import (
	"testing"
)

// Words the sender typed before a quote are never cut: not when the quote
// header is glued onto the end of the reply's last line, not when a line of
// the reply starts like an attribution, not when the header is an Outlook
// block without a separator line.
func TestExtractReplyKeepsWordsBeforeAQuote(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"glued after a space",
			"Works now, thanks a lot On Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Please restart the router.\n",
			"Works now, thanks a lot"},
		{"glued after a digit",
			"My order number is 44117On Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Which order?\n",
			"My order number is 44117"},
		{"glued after an upper-case word",
			"Thanks from all of us at ACMEOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Done.\n",
			"Thanks from all of us at ACME"},
		{"glued German after a space",
			"Danke, jetzt geht es Am 30.11.2026 um 10:00 schrieb Support <support@deskgate.test>:\n> Bitte neu starten.\n",
			"Danke, jetzt geht es"},
		{"glued Chinese",
			"好的，谢谢！在 2026年11月30日，上午10:00，Support <support@deskgate.test> 写道：\n> 请重启路由器。\n",
			"好的，谢谢！"},
		{"glued Japanese date-first attribution",
			"ありがとうございます。2026年11月30日(月) 10:00 Support <support@deskgate.test>:\n> 再起動してください。\n",
			"ありがとうございます。"},
		{"glued Outlook separator",
			"Yes, go ahead.-----Original Message-----\nFrom: Support <support@deskgate.test>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Carol\nSubject: Ticket\n\nShall we?\n",
			"Yes, go ahead."},
		{"glued Outlook block",
			"Yes, go ahead.From: Support <support@deskgate.test>\nSent: Monday, November 30, 2026 10:00 AM\nTo: Carol\nSubject: Ticket\n\nShall we?\n",
			"Yes, go ahead."},
		{"a reply line that starts like an attribution",
			"Hello,\n\nOn my side the printer still fails.\nI restarted it twice.\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Please restart it.\n",
			"Hello,\n\nOn my side the printer still fails.\nI restarted it twice."},
		{"a reply line that starts like an attribution, wrapped header",
			"On my side it works.\nOn Mon, Nov 30, 2026 at 10:00 AM Deskgate Support <\nsupport@deskgate.test> wrote:\n> Try again.\n",
			"On my side it works."},
		{"a reply line with a date before the header",
			"2 printers are still broken since 30.11.2026\nAm 30.11.2026 um 10:00 schrieb Support\n<support@deskgate.test>:\n> Geht es?\n",
			"2 printers are still broken since 30.11.2026"},
	}
	for _, c := range cases {
		if got := ExtractReply(c.text); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	// Attributions whose name holds an intro word are not split.
	for _, h := range []string{
		"Jean Le Pen <jean@example.com> schrieb am Mo., 30. Nov. 2026, 10:00:",
		"On Mon, Nov 30, 2026 at 10:00 AM Jean Le Pen <jean@example.com> wrote:",
		"El lun, 30 nov 2026 a las 10:00, Ana El Amrani (<ana@example.com>) escribió:",
	} {
		if got := ExtractReply("Fine.\n\n" + h + "\n> old\n"); got != "Fine." {
			t.Errorf("%s: ExtractReply = %q", h, got)
		}
		if got := ExtractReply(h + "\n> old\n\nFine.\n"); got != "Fine." {
			t.Errorf("%s (bottom posting): ExtractReply = %q", h, got)
		}
	}
}

// Attribution lines that say "sent" instead of "wrote", and header blocks
// whose date field is "Sent:" in the sender's language.
func TestExtractReplySentHeaders(t *testing.T) {
	headers := map[string]string{
		"English":         "On Mon, Nov 30, 2026 at 10:00 AM, Support <support@deskgate.test> sent:",
		"English (short)": "On 30/11/2026 10:00, Support sent:",
		"English (name)":  "Support <support@deskgate.test> sent on Mon, Nov 30, 2026 at 10:00 AM:",
		"Outlook sent":    "Sent: Monday, November 30, 2026 10:00 AM\nFrom: Support <support@deskgate.test>\nTo: Carol\nSubject: Ticket",
		"German":          "Am 30.11.2026 um 10:00 hat Support <support@deskgate.test> gesendet:",
		"French":          "Le 30/11/2026 à 10:00, Support <support@deskgate.test> a envoyé :",
		"Spanish":         "El 30/11/2026 a las 10:00, Support <support@deskgate.test> envió:",
	}
	for name, h := range headers {
		text := "That fixed it, thank you.\n\n" + h + "\n\n> Please restart the router.\n> Support\n"
		if got := ExtractReply(text); got != "That fixed it, thank you." {
			t.Errorf("%s: ExtractReply = %q", name, got)
		}
	}
	// Not headers: a sentence that says what was sent, with text below.
	keep := []string{
		"On Monday I sent:\n- the log\n- the config\n\nDid you get them?",
		"Here is what the printer sent: 30 pages of garbage.",
	}
	for _, text := range keep {
		if got := ExtractReply(text); got != text {
			t.Errorf("ExtractReply(%q) = %q", text, got)
		}
	}
}

// The separator lines Outlook, Thunderbird, Apple Mail, Gmail, Yahoo and
// Zimbra put above quoted or forwarded history, in their localized forms,
// with the header block below them in the same language.
func TestExtractReplyLocalizedSeparators(t *testing.T) {
	blocks := map[string]string{
		"German Outlook":         "-----Ursprüngliche Nachricht-----\nVon: Support <support@deskgate.test>\nGesendet: Montag, 30. November 2026 10:00\nAn: Carol\nBetreff: Drucker",
		"German Thunderbird":     "-------- Ursprüngliche Nachricht --------\nBetreff: \tDrucker\nDatum: \t30.11.2026 10:00\nVon: \tSupport <support@deskgate.test>\nAn: \tCarol",
		"German Zimbra":          "----- Ursprüngliche Mail -----\nVon: \"Support\" <support@deskgate.test>\nAn: \"Carol\"\nGesendet: Montag, 30. November 2026 10:00:00\nBetreff: Drucker",
		"German Gmail forward":   "---------- Weitergeleitete Nachricht ---------\nVon: Support <support@deskgate.test>\nDate: Mo., 30. Nov. 2026 um 10:00 Uhr\nSubject: Drucker\nTo: Carol",
		"French Outlook":         "-----Message d'origine-----\nDe : Support <support@deskgate.test>\nEnvoyé : lundi 30 novembre 2026 10:00\nÀ : Carol\nObjet : Imprimante",
		"French Thunderbird":     "-------- Message original --------\nSujet : \tImprimante\nDate : \t30/11/2026 10:00\nDe : \tSupport <support@deskgate.test>\nPour : \tCarol",
		"French Gmail forward":   "---------- Message transféré ---------\nDe : Support <support@deskgate.test>\nDate: lun. 30 nov. 2026 à 10:00\nSubject: Imprimante\nTo: Carol",
		"Spanish Outlook":        "-----Mensaje original-----\nDe: Support <support@deskgate.test>\nEnviado el: lunes, 30 de noviembre de 2026 10:00\nPara: Carol\nAsunto: Impresora",
		"Spanish Thunderbird":    "-------- Mensaje original --------\nAsunto: \tImpresora\nFecha: \t30/11/26 10:00\nDe: \tSupport <support@deskgate.test>\nPara: \tCarol",
		"Dutch Outlook":          "-----Oorspronkelijk bericht-----\nVan: Support <support@deskgate.test>\nVerzonden: maandag 30 november 2026 10:00\nAan: Carol\nOnderwerp: Printer",
		"Dutch Thunderbird":      "-------- Doorgestuurd bericht --------\nOnderwerp: \tPrinter\nDatum: \t30-11-2026 10:00\nVan: \tSupport <support@deskgate.test>\nAan: \tCarol",
		"Italian Outlook":        "-----Messaggio originale-----\nDa: Support <support@deskgate.test>\nInviato: lunedì 30 novembre 2026 10:00\nA: Carol\nOggetto: Stampante",
		"Italian Thunderbird":    "-------- Messaggio originale --------\nOggetto: \tStampante\nData: \t30/11/2026 10:00\nMittente: \tSupport <support@deskgate.test>\nA: \tCarol",
		"Portuguese Outlook":     "-----Mensagem original-----\nDe: Support <support@deskgate.test>\nEnviada em: segunda-feira, 30 de novembro de 2026 10:00\nPara: Carol\nAssunto: Impressora",
		"Portuguese Gmail fwd":   "---------- Mensagem encaminhada ---------\nDe: Support <support@deskgate.test>\nDate: seg., 30 de nov. de 2026 às 10:00\nSubject: Impressora\nTo: Carol",
		"Russian Outlook":        "-----Исходное сообщение-----\nОт: Support <support@deskgate.test>\nОтправлено: 30 ноября 2026 г. 10:00\nКому: Carol\nТема: Принтер",
		"Russian Yandex forward": "-------- Пересылаемое сообщение --------\n30.11.2026, 10:00, \"Support\" <support@deskgate.test>:",
		"Chinese Outlook":        "-----原始邮件-----\n发件人: Support <support@deskgate.test>\n发送时间: 2026年11月30日 10:00\n收件人: Carol\n主题: 打印机",
		"Chinese Foxmail":        "------------------ 原始邮件 ------------------\n发件人: \"Support\"<support@deskgate.test>;\n发送时间: 2026年11月30日(星期一) 上午10:00\n收件人: \"Carol\";\n主题: 打印机",
		"Chinese (traditional)":  "-----原始郵件-----\n寄件者: Support <support@deskgate.test>\n寄件日期: 2026年11月30日 10:00\n收件者: Carol\n主旨: 印表機",
		"Japanese Outlook":       "-----Original Message-----\n差出人: Support <support@deskgate.test>\n送信日時: 2026年11月30日 10:00\n宛先: Carol\n件名: プリンター",
		"Japanese Thunderbird":   "-------- 元のメッセージ --------\n件名: \tプリンター\n日付: \t2026/11/30 10:00\n差出人: \tSupport <support@deskgate.test>\n宛先: \tCarol",
		"Japanese Gmail forward": "---------- 転送されたメッセージ ---------\nFrom: Support <support@deskgate.test>\nDate: 2026年11月30日(月) 10:00\nSubject: プリンター\nTo: Carol",
		"Yahoo":                  "----- Original Message -----\nFrom: Support <support@deskgate.test>\nTo: Carol\nSent: Monday, November 30, 2026 10:00 AM\nSubject: Printer",
		"Yahoo Spanish":          "----- Mensaje original -----\nDe: Support <support@deskgate.test>\nPara: Carol\nEnviado: lunes, 30 de noviembre de 2026 10:00\nAsunto: Impresora",
	}
	for name, block := range blocks {
		text := "Ja, bitte. / Yes, please.\n\n" + block + "\n\nShall we replace the printer?\n> older history\n"
		if got := ExtractReply(text); got != "Ja, bitte. / Yes, please." {
			t.Errorf("%s: ExtractReply = %q", name, got)
		}
	}
}

// Outlook for Mac and new Outlook write "From:/Date:/To:/Subject:" with no
// separator line above it, also in the sender's language.
func TestExtractReplyOutlookDateBlock(t *testing.T) {
	blocks := map[string]string{
		"English":          "From: Support <support@deskgate.test>\nDate: Monday, 30 November 2026 at 10:00\nTo: Carol <carol@example.com>\nSubject: Re: Printer",
		"English cc":       "From: Support <support@deskgate.test>\nDate: Monday, 30 November 2026 at 10:00\nTo: Carol <carol@example.com>\nCc: Dave <dave@example.com>\nSubject: Re: Printer",
		"bold":             "**From:** Support <support@deskgate.test>\n**Date:** Monday, 30 November 2026 at 10:00\n**To:** Carol\n**Subject:** Re: Printer",
		"German":           "Von: Support <support@deskgate.test>\nDatum: Montag, 30. November 2026 um 10:00\nAn: Carol <carol@example.com>\nBetreff: AW: Drucker",
		"French":           "De : Support <support@deskgate.test>\nDate : lundi 30 novembre 2026 à 10:00\nÀ : Carol <carol@example.com>\nObjet : RE: Imprimante",
		"Spanish":          "De: Support <support@deskgate.test>\nFecha: lunes, 30 de noviembre de 2026, 10:00\nPara: Carol <carol@example.com>\nAsunto: RE: Impresora",
		"wrapped":          "From: Deskgate Support Team of Example Incorporated\n<support@deskgate.test>\nDate: Monday, 30 November 2026 at 10:00\nTo: Carol <carol@example.com>\nSubject: Re: Printer",
		"blank line":       "From: Support <support@deskgate.test>\n\nDate: Monday, 30 November 2026 at 10:00\nTo: Carol <carol@example.com>\nSubject: Re: Printer",
		"one line":         "From: Support <support@deskgate.test> Date: Monday, 30 November 2026 at 10:00 To: Carol <carol@example.com> Subject: Re: Printer",
		"one line, bold":   "*From:* Support <support@deskgate.test> *Sent:* Monday, November 30, 2026 10:00 AM *To:* Carol *Subject:* Re: Printer",
		"one line, German": "Von: Support <support@deskgate.test> Gesendet: Montag, 30. November 2026 10:00 An: Carol Betreff: AW: Drucker",
	}
	for name, block := range blocks {
		text := "Thank you, it prints again.\n\n" + block + "\n\nPlease try printing a test page.\n"
		if got := ExtractReply(text); got != "Thank you, it prints again." {
			t.Errorf("%s: ExtractReply = %q", name, got)
		}
	}
}

// A sign-off below the quote ("Regards, Carol") ends the reply written
// above it: the quote between them is history, not a question answered
// inline. Real inline answers keep their quotes.
func TestExtractReplySignOffAfterQuote(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"one line",
			"Yes, please go ahead.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Shall we replace the printer?\n\nRegards, Carol\n",
			"Yes, please go ahead.\n\nRegards, Carol"},
		{"two lines",
			"Yes, please go ahead.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Shall we replace the printer?\n> Support\n\nBest regards,\nCarol Customer\n",
			"Yes, please go ahead.\n\nBest regards,\nCarol Customer"},
		{"no header",
			"Yes, please go ahead.\n\n> Shall we replace the printer?\n\nThanks,\nCarol\n",
			"Yes, please go ahead.\n\nThanks,\nCarol"},
		{"German",
			"Ja, bitte.\n\nAm 30.11.2026 um 10:00 schrieb Support <support@deskgate.test>:\n> Sollen wir den Drucker tauschen?\n\nViele Grüße\nCarol\n",
			"Ja, bitte.\n\nViele Grüße\nCarol"},
		{"French",
			"Oui, allez-y.\n\nLe 30/11/2026 à 10:00, Support <support@deskgate.test> a écrit :\n> On remplace l'imprimante ?\n\nCordialement,\nCarole\n",
			"Oui, allez-y.\n\nCordialement,\nCarole"},
		{"Spanish with title",
			"Sí, adelante.\n\nEl 30/11/2026 a las 10:00, Support <support@deskgate.test> escribió:\n> ¿Cambiamos la impresora?\n\nSaludos,\nCarolina Pérez\nJefa de oficina\n",
			"Sí, adelante.\n\nSaludos,\nCarolina Pérez\nJefa de oficina"},
		{"sign-off then more history",
			"Yes.\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Shall we?\n\nCheers,\nCarol\n\nOn Sun, Nov 29, 2026 at 9:00 AM Carol <carol@example.com> wrote:\n> Printer broken.\n",
			"Yes.\n\nCheers,\nCarol"},
	}
	for _, c := range cases {
		if got := ExtractReply(c.text); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	// Real inline answers stay with their quotes, also when a sign-off
	// closes them, and a short answer is not a sign-off.
	keep := []struct{ name, text, want string }{
		{"inline then sign-off",
			"Hi,\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Which model?\n\nHP LaserJet 4000.\n\n> Which OS?\n\nWindows 11.\n\nRegards,\nCarol\n",
			"Hi,\n\n> Which model?\n\nHP LaserJet 4000.\n\n> Which OS?\n\nWindows 11.\n\nRegards,\nCarol"},
		{"one inline answer",
			"Hi,\n\nOn Mon, Nov 30, 2026 at 10:00 AM Support <support@deskgate.test> wrote:\n> Did the restart help?\n\nNo, it still fails.\n",
			"Hi,\n\n> Did the restart help?\n\nNo, it still fails."},
		{"thanks as an answer",
			"Hi,\n\n> Shall I send you a new toner?\n\nThanks, that would be great. Please send two.\n",
			"Hi,\n\n> Shall I send you a new toner?\n\nThanks, that would be great. Please send two."},
		{"answer that starts with best",
			"Hi,\n\n> Which day suits you?\n\nBest is Tuesday.\n",
			"Hi,\n\n> Which day suits you?\n\nBest is Tuesday."},
	}
	for _, c := range keep {
		if got := ExtractReply(c.text); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

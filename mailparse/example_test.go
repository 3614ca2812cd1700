package mailparse_test

import (
	"fmt"

	"github.com/deskgate/deskgate/mailparse"
)

func ExampleExtractReply() {
	text := "Thanks, the printer works again.\n\n" +
		"Sent from my iPhone\n\n" +
		"> On 30 Nov 2026, at 10:00, Support <support@deskgate.test> wrote:\n" +
		"> Please restart it.\n"
	fmt.Println(mailparse.ExtractReply(text))
	// Output: Thanks, the printer works again.
}

func ExampleParseMessageIDs() {
	fmt.Println(mailparse.ParseMessageIDs("<dg.a@deskgate.test> (comment) <b c@example.com>, bare@host"))
	// Output: [dg.a@deskgate.test bc@example.com]
}

func ExampleParse() {
	raw := "From: =?UTF-8?Q?Jos=C3=A9?= <Jose@Example.com>\r\n" +
		"Subject: =?ISO-8859-1?Q?R=E9ponse?=\r\n" +
		"In-Reply-To: <dg.root@deskgate.test>\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\n" +
		"Merci !\r\n\r\nLe lun. 30 nov. 2026 à 10:00, Support a écrit :\r\n> Bonjour\r\n"
	m, err := mailparse.Parse([]byte(raw))
	fmt.Println(err, m.From.Name, m.From.Email, m.Subject, m.InReplyTo, m.ReplyText)
	// Output: <nil> José jose@example.com Réponse [dg.root@deskgate.test] Merci !
}

package smtpd

import (
	"bufio"
	"strings"
	"testing"
)

// Lines the rewriter does not know pass unchanged; a line split across
// writes is joined first.
func TestPlainReplyLeavesOtherLines(t *testing.T) {
	var out strings.Builder
	w := bufio.NewWriter(&out)
	r := &replyRewriter{dst: w}
	for _, p := range []string{"550 5.1.1 no such user\r\n250 2.0.0 Roger, acc", "epting mail from <a@b>\r\n", "250 2.0.0 I have successfully done nothing more\r\n"} {
		if _, err := r.Write([]byte(p)); err != nil {
			t.Fatal(err)
		}
	}
	want := "550 5.1.1 no such user\r\n250 2.1.0 Sender <a@b> OK\r\n250 2.0.0 I have successfully done nothing more\r\n"
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

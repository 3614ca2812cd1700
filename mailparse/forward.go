package mailparse

import "strings"

// forwardPrefixes start the subject of a forwarded mail in common clients
// and languages: Gmail, Apple Mail and Thunderbird "Fwd:", Outlook "FW:"
// and its translations (German "WG:", French "TR:", Spanish "RV:",
// Italian "I:", Portuguese "Enc:", Dutch "Doorst:", Finnish "VL:",
// Swedish/Norwegian/Danish "VB:"/"VS:", Polish "PD:", Czech "PŘ:",
// Hungarian "TOV:", Turkish "İLT:", Greek "ΠΡΘ:", Chinese "转发:", "轉寄:",
// Japanese "転送:", Korean "전달:").
var forwardPrefixes = []string{"fwd:", "fw:", "wg:", "tr:", "rv:", "i:", "enc:", "doorst:", "vl:", "vb:", "vs:", "pd:",
	"př:", "tov:", "ilt:", "i̇lt:", "πρθ:", "转发:", "转发：", "轉寄:", "轉寄：", "転送:", "転送：", "전달:", "[fwd:"}

// isForwarded tells whether msg is a forward by its sender rather than a
// reply: its subject says so ("Fwd: …" after any "Re:"-less tag), or it
// answers nothing (no In-Reply-To) and its text holds a forward marker.
func isForwarded(msg *Message) bool {
	s := strings.ToLower(strings.TrimSpace(msg.Subject))
	for strings.HasPrefix(s, "[") { // "[EXT] Fwd: …", "[#42] FW: …"
		i := strings.IndexByte(s, ']')
		if i < 0 {
			break
		}
		if strings.HasPrefix(s, "[fwd:") {
			return true
		}
		s = strings.TrimSpace(s[i+1:])
	}
	for _, p := range forwardPrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	if len(msg.InReplyTo) > 0 {
		return false
	}
	for _, l := range strings.Split(msg.Text, "\n") {
		if isForwardMarker(cleanLine(l)) {
			return true
		}
	}
	return false
}

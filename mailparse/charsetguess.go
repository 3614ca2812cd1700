package mailparse

import (
	"bytes"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// Raw 8-bit header text (RFC 5322 §2.2 allows only US-ASCII there, RFC 6532
// allows UTF-8) is still sent by older clients in their local charset:
// GB2312/GBK, Big5, Shift_JIS, EUC-KR, KOI8-R, windows-1251. headerText
// reads it in the charset the message declares for its body (the client
// that wrote the body wrote the header too); when none is declared, or the
// bytes are not valid in it, guessCharset picks the most plausible legacy
// charset; Windows-1252 stays the last resort.

// maxGuessBytes bounds how much of a body guessCharset reads.
const maxGuessBytes = 64 << 10

// headerText returns s as UTF-8: unchanged when it is valid UTF-8, else
// decoded in hint (the body's declared charset) or a guessed charset.
func headerText(s, hint string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := []byte(s)
	if enc := legacyEncoding(hint); enc != nil {
		if out, ok := decodeStrict(enc, b); ok {
			return out
		}
	}
	if enc := guessCharset(b); enc != nil {
		if out, ok := decodeStrict(enc, b); ok {
			return out
		}
	}
	return decodeBytes("windows-1252", b)
}

// legacyEncoding returns the decoder for a declared charset label, nil for
// UTF-8, US-ASCII, unknown labels and the empty label.
func legacyEncoding(label string) encoding.Encoding {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return nil
	case "gb2312", "gbk", "gb18030", "cp936", "x-gbk", "euc-cn", "csgb2312":
		return simplifiedchinese.GB18030
	case "big5", "big5-hkscs", "cp950", "x-x-big5":
		return traditionalchinese.Big5
	case "shift_jis", "shift-jis", "sjis", "x-sjis", "cp932", "windows-31j", "ms_kanji", "csshiftjis":
		return japanese.ShiftJIS
	case "euc-jp", "x-euc-jp", "cseucpkdfmtjapanese":
		return japanese.EUCJP
	case "iso-2022-jp", "csiso2022jp":
		return japanese.ISO2022JP
	case "euc-kr", "ks_c_5601-1987", "cp949", "ks_c_5601", "csksc56011987", "korean", "windows-949":
		return korean.EUCKR
	case "koi8-r", "cskoi8r", "koi8":
		return charmap.KOI8R
	case "koi8-u":
		return charmap.KOI8U
	case "windows-1251", "cp1251", "x-cp1251":
		return charmap.Windows1251
	case "iso-8859-5":
		return charmap.ISO8859_5
	case "windows-1250", "cp1250":
		return charmap.Windows1250
	case "iso-8859-2", "latin2":
		return charmap.ISO8859_2
	case "windows-1252", "cp1252", "iso-8859-1", "latin1", "iso-8859-15":
		return charmap.Windows1252
	}
	return nil
}

// decodeStrict decodes b with enc and reports whether every byte sequence
// was valid (no U+FFFD appeared) and no control character but tab and line
// breaks came out.
func decodeStrict(enc encoding.Encoding, b []byte) (string, bool) {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", false
	}
	for _, r := range string(out) {
		if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' || unicode.Is(unicode.Co, r) {
			return "", false
		}
	}
	return string(out), true
}

// candidate is one legacy charset guessCharset tries and how it scores a
// decoding.
type candidate struct {
	label string
	enc   encoding.Encoding
	score func(rs []rune) float64
	// glue is how much a non-ASCII character touching an ASCII letter
	// costs: all of it for Cyrillic (words stand apart from Latin ones),
	// half for CJK, which runs into product names ("iPhoneの修理").
	glue float64
}

// guessCharset returns the legacy charset in which b reads most plausibly,
// or nil. Each candidate decodes b strictly; the non-ASCII characters of a
// decoding score by how much of them belong to the candidate's script (a
// wrong CJK charset yields rare or mixed characters, a wrong Cyrillic one
// mostly capitals), with a tie-break by the features of the language:
// kana for Japanese, spaced words for Korean, frequent characters for
// Chinese, lower case for Russian.
func guessCharset(b []byte) encoding.Encoding {
	_, enc := guessCharsetLabel(b)
	return enc
}

// guessCharsetLabel is guessCharset with the charset's label ("" and nil
// when no candidate reads plausibly).
func guessCharsetLabel(b []byte) (string, encoding.Encoding) {
	cands := []candidate{
		{"gb18030", simplifiedchinese.GB18030, func(rs []rune) float64 { return share(rs, isHan) + 0.5*share(rs, isFrequentHan) }, 0.5},
		{"big5", traditionalchinese.Big5, func(rs []rune) float64 { return share(rs, isHan) + 0.5*share(rs, isFrequentHan) - 0.01 }, 0.5},
		{"shift_jis", japanese.ShiftJIS, func(rs []rune) float64 { return share(rs, isJapanese) + 0.6*share(rs, isKana) }, 0.5},
		{"euc-jp", japanese.EUCJP, func(rs []rune) float64 { return share(rs, isJapanese) + 0.6*share(rs, isKana) - 0.02 }, 0.5},
		{"euc-kr", korean.EUCKR, func(rs []rune) float64 { return share(rs, isHangul) + 0.6*spacedWords(rs) }, 0.5},
		{"windows-1251", charmap.Windows1251, func(rs []rune) float64 { return share(rs, isCyrillic) + 0.5*share(rs, unicode.IsLower) }, 1},
		{"koi8-r", charmap.KOI8R, func(rs []rune) float64 { return share(rs, isCyrillic) + 0.5*share(rs, unicode.IsLower) - 0.01 }, 1},
	}
	var best encoding.Encoding
	bestLabel := ""
	bestScore := 0.9 // below this, no candidate reads as one script
	for _, c := range cands {
		out, ok := decodeStrict(c.enc, b)
		if !ok {
			continue
		}
		rs := nonASCII(out)
		if len(rs) == 0 {
			continue
		}
		// Words of a CJK or Cyrillic script stand apart from ASCII
		// letters; a stray high byte inside a Latin word ("Caf\xe9") is
		// Latin-1, whatever else it decodes to.
		if c.glue == 1 && foreignLetters(out) < 0.5 {
			// Russian text is mostly Cyrillic letters; French or German
			// with a few accents read as windows-1251 is mostly ASCII.
			continue
		}
		if s := c.score(rs) - c.glue*gluedToASCII(out); s > bestScore {
			best, bestLabel, bestScore = c.enc, c.label, s
		}
	}
	return bestLabel, best
}

// headerCharset returns the charset in which the raw 8-bit text of a
// message's header is read: the body's declared one when the text is
// valid in it, else the one guessed from all such header text together
// (a name of four characters says little; with the subject it says more).
// The body is only looked at when some header text is not UTF-8.
func headerCharset(contentType string, body []byte, values []string) string {
	var raw []byte
	for _, v := range values {
		if !utf8.ValidString(v) {
			raw = append(append(raw, v...), ' ')
		}
	}
	if len(raw) == 0 {
		return ""
	}
	declared := declaredCharset(contentType, body)
	if enc := legacyEncoding(declared); enc != nil {
		if _, ok := decodeStrict(enc, raw); ok {
			return declared
		}
	}
	if label, _ := guessCharsetLabel(raw); label != "" {
		return label
	}
	return declared
}

// nonASCII returns the non-ASCII runes of s, plus a space marker (' ') for
// each ASCII space directly between two of them, for spacedWords.
func nonASCII(s string) []rune {
	var rs []rune
	prevWide := false
	for i, r := range s {
		switch {
		case r >= 0x80:
			rs = append(rs, r)
			prevWide = true
		case r == ' ' && prevWide && i+1 < len(s) && s[i+1] >= 0x80:
			rs = append(rs, ' ')
			prevWide = false
		default:
			prevWide = false
		}
	}
	return rs
}

// gluedToASCII is the fraction of the non-ASCII runes of s that touch an
// ASCII letter.
func gluedToASCII(s string) float64 {
	rs := []rune(s)
	n, glued := 0, 0
	isASCIILetter := func(i int) bool {
		return i >= 0 && i < len(rs) && rs[i] < 0x80 && unicode.IsLetter(rs[i])
	}
	for i, r := range rs {
		if r < 0x80 {
			continue
		}
		n++
		if isASCIILetter(i-1) || isASCIILetter(i+1) {
			glued++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(glued) / float64(n)
}

// foreignLetters is the fraction of the letters of s that are not ASCII.
func foreignLetters(s string) float64 {
	n, hi := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
			if r >= 0x80 {
				hi++
			}
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hi) / float64(n)
}

// share is the fraction of the non-space runes of rs for which f holds.
func share(rs []rune, f func(rune) bool) float64 {
	n, hit := 0, 0
	for _, r := range rs {
		if r == ' ' {
			continue
		}
		n++
		if f(r) {
			hit++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hit) / float64(n)
}

// spacedWords is 1 when the non-ASCII text is split into words by spaces,
// as Korean is and Chinese and Japanese are not.
func spacedWords(rs []rune) float64 {
	for _, r := range rs {
		if r == ' ' {
			return 1
		}
	}
	return 0
}

func isHan(r rune) bool      { return unicode.Is(unicode.Han, r) || isCJKPunct(r) }
func isKana(r rune) bool     { return unicode.In(r, unicode.Hiragana, unicode.Katakana) && !isHalfwidth(r) }
func isJapanese(r rune) bool { return isKana(r) || isHan(r) || r == 'ー' }
func isHangul(r rune) bool   { return unicode.Is(unicode.Hangul, r) || isCJKPunct(r) }
func isCyrillic(r rune) bool {
	return unicode.Is(unicode.Cyrillic, r) || r == '«' || r == '»' || r == '—' || r == '№'
}

// isCJKPunct matches the punctuation and full-width forms CJK text uses.
func isCJKPunct(r rune) bool { return r >= 0x3000 && r <= 0x303f || r >= 0xff01 && r <= 0xff5e }

// isHalfwidth matches half-width katakana: Shift_JIS gives them to single
// high bytes, so Cyrillic or Latin-1 text misread as Shift_JIS is full of
// them, while mail text nearly never uses them.
func isHalfwidth(r rune) bool { return r >= 0xff61 && r <= 0xff9f }

// frequentHan are the most frequent Chinese characters, in simplified and
// traditional forms: text decoded in the right charset is full of them, a
// wrong decoding only meets them by chance.
const frequentHan = `的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日者意无無力它与與长長把机機十民第公此已工使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并並物手应應向头頭文体體新相见見被利等产產或己制身果加月话話合回特代内內信表化老给給世位次度门門任常先海通教原东東声聲提立及比员員解水名真论論处處走义義各入几幾口认認条條平系气氣题題活更别別打女变變四神总總何电電数數安少报報才结結反受目太量再感建务務做接必场場件计計管期市直资資命金指许許统統区區保至形社便空决決治展科司五基书書非则則听聽白却卻界达達光放强強即像难難且权權思完设設式色路记記品住告类類求据據程边邊死张張该該交规規万萬取格望觉覺术術领領共确確传傳师師观觀清今切院让讓识識候带帶导導运運笑风風步改收根造言联聯持组組每济濟车車亲親极極服快办辦议議往元证證近失转轉令准準始怎存未远遠叫台单單影具字爱愛流备備连連调調深商算质質团團集百需价價花华華城级級整府离離况況请請技际際约約示复復病息究线線似官火断斷精满滿支视視消越器容照须須增研写寫称稱企功吗嗎包片史查轻輕易早除农農找装裝广廣显顯吧图圖念引历歷首医醫局专專费費号號另较較注语語仅僅考落青随隨选選列红紅响響虽雖推势勢参參希古众眾构構房半节節土投某案黑维維革划劃谢謝您请請问問题題订訂单單发票帐帳户戶码碼登录錄密邮郵件网網址钱錢付款退货貨送达達收到`

// isFrequentHan reports whether r is one of frequentHan.
func isFrequentHan(r rune) bool { return r >= 0x4e00 && strings.ContainsRune(frequentHan, r) }

// charsetParam finds the charset parameter of a Content-Type value.
var charsetParam = regexp.MustCompile(`(?i)charset\s*=\s*"?([A-Za-z0-9_.:-]+)`)

// contentTypeLine finds Content-Type fields of MIME part headers in a body.
var contentTypeLine = regexp.MustCompile(`(?im)^content-type:[ \t]*text/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*`)

// declaredCharset returns the charset the message declares for its text:
// the top-level Content-Type's, else that of the first text part found in
// the first 64 KB of the body; "" when none is declared.
func declaredCharset(contentType string, body []byte) string {
	if m := charsetParam.FindStringSubmatch(contentType); m != nil {
		return m[1]
	}
	if !strings.Contains(strings.ToLower(contentType), "multipart/") {
		return ""
	}
	head := body[:min(len(body), 64<<10)]
	for _, ct := range contentTypeLine.FindAll(head, 8) {
		if m := charsetParam.FindSubmatch(ct); m != nil {
			return string(m[1])
		}
	}
	return ""
}

package templates

import (
	"fmt"
	"strconv"
)

// MaxPrintfWidth bounds the width and the precision of a printf verb in a
// template: fmt pads in memory before anything is written, so
// {{printf "%0999999999d" 1}} would allocate a gigabyte however small
// the output limit (MaxRenderedBytes) is. A template that names a larger
// one, or a width or precision taken from an argument ("*"), is refused
// when saved or previewed (Validate), and printf refuses it when a
// template renders all the same.
const MaxPrintfWidth = 100

// checkPrintfFormat reports the first width or precision of format past
// MaxPrintfWidth, or a "*" one, as an error.
func checkPrintfFormat(format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && (format[i] == '+' || format[i] == '-' || format[i] == '#' || format[i] == ' ' || format[i] == '0') {
			i++
		}
		for range 2 { // the width, then the precision after a '.'
			i = skipArgIndex(format, i)
			if i < len(format) && format[i] == '*' {
				return fmt.Errorf("printf: a width or precision from an argument (*) is not allowed")
			}
			j := i
			for j < len(format) && format[j] >= '0' && format[j] <= '9' {
				j++
			}
			if j > i {
				if n, err := strconv.Atoi(format[i:j]); err != nil || n > MaxPrintfWidth {
					return fmt.Errorf("printf: width or precision %s is more than %d", format[i:j], MaxPrintfWidth)
				}
			}
			i = j
			if i < len(format) && format[i] == '.' {
				i++
				continue
			}
			break
		}
		i = skipArgIndex(format, i)
		// format[i] is the verb (or the end); the loop's i++ passes it.
	}
	return nil
}

// skipArgIndex passes an explicit argument index "[n]" at i.
func skipArgIndex(format string, i int) int {
	if i < len(format) && format[i] == '[' {
		for i < len(format) && format[i] != ']' {
			i++
		}
		if i < len(format) {
			i++
		}
	}
	return i
}

// boundedPrintf is fmt.Sprintf for templates, refusing formats past
// MaxPrintfWidth (text/template and html/template report its error).
func boundedPrintf(format string, args ...any) (string, error) {
	if err := checkPrintfFormat(format); err != nil {
		return "", err
	}
	return fmt.Sprintf(format, args...), nil
}

// funcs replace the built-in printf of every part.
var funcs = map[string]any{"printf": boundedPrintf}

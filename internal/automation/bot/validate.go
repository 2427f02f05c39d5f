package bot

import (
	"math"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxTextValueRunes caps a free-text answer kept as an attribute; a longer
// answer is cut, not refused, since the customer meant to answer.
const MaxTextValueRunes = 1000

// Validate checks an ask answer against a validator kind ("" is text) and
// returns the value to store in the contact attribute:
//   - text: the trimmed answer, at most MaxTextValueRunes characters;
//   - email: a plain address with one @ and a dotted domain, lower-cased;
//   - cpf, cnpj, cpf_cnpj: the digits, with valid check digits
//     (punctuation such as "123.456.789-09" allowed);
//   - phone: "+<digits>"; a Brazilian number of 10 or 11 digits (DDD and
//     number, optionally after a 0) gets +55, 12 to 15 digits are taken as
//     international, with or without +, and + with 10 or 11 digits too
//     ("+1 415 555 0100");
//   - date: dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, d/m/yyyy or yyyy-mm-dd
//     naming a real calendar day, as "yyyy-mm-dd";
//   - number: "1.234,56", "1234.56", "12", "-3,5", "R$ 10" as a float64.
//     One dot followed by exactly three digits is a thousands separator
//     ("1.234" is 1234), as Brazilians write it.
//
// An unknown kind accepts nothing.
func Validate(kind, input string) (value any, ok bool) {
	s := strings.TrimSpace(input)
	if s == "" || !utf8.ValidString(s) {
		return nil, false
	}
	switch kind {
	case "", ValidateText:
		if utf8.RuneCountInString(s) > MaxTextValueRunes {
			r := []rune(s)
			s = strings.TrimSpace(string(r[:MaxTextValueRunes]))
		}
		return s, true
	case ValidateEmail:
		return validEmail(s)
	case ValidateCPF:
		if d, ok := docDigits(s, 11); ok && cpfValid(d) {
			return d, true
		}
	case ValidateCNPJ:
		if d, ok := docDigits(s, 14); ok && cnpjValid(d) {
			return d, true
		}
	case ValidateCPFCNPJ:
		if d, ok := docDigits(s, 11); ok && cpfValid(d) {
			return d, true
		}
		if d, ok := docDigits(s, 14); ok && cnpjValid(d) {
			return d, true
		}
	case ValidatePhone:
		return validPhone(s)
	case ValidateDate:
		return validDate(s)
	case ValidateNumber:
		return validNumber(s)
	}
	return nil, false
}

// DefaultInvalidText is what an ask step with validator kind (or a menu,
// kind "menu") says after an answer it cannot use, when the flow sets no
// invalid_text. Every text asks again, so the question is not repeated.
func DefaultInvalidText(kind string) string {
	switch kind {
	case StepMenu:
		return "Desculpe, não entendi. Responda com o número de uma das opções."
	case ValidateEmail:
		return "Esse e-mail não parece válido. Pode enviar de novo? Exemplo: nome@empresa.com.br"
	case ValidateCPF:
		return "Esse CPF não parece válido. Confira os 11 números e envie de novo."
	case ValidateCNPJ:
		return "Esse CNPJ não parece válido. Confira os 14 números e envie de novo."
	case ValidateCPFCNPJ:
		return "Esse CPF ou CNPJ não parece válido. Confira os números e envie de novo."
	case ValidatePhone:
		return "Esse telefone não parece válido. Envie com o DDD, por exemplo (11) 91234-5678."
	case ValidateDate:
		return "Essa data não parece válida. Envie no formato dd/mm/aaaa, por exemplo 25/12/1990."
	case ValidateNumber:
		return "Esse número não parece válido. Envie só o número, por exemplo 1.234,56."
	}
	return "Desculpe, não entendi. Pode responder de novo?"
}

func validEmail(s string) (any, bool) {
	if len(s) > 254 || strings.Count(s, "@") != 1 || strings.ContainsAny(s, " \t<>\"(),;:[]\\") {
		return nil, false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return nil, false
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") {
		return nil, false
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || label[0] == '-' || label[len(label)-1] == '-' {
			return nil, false
		}
	}
	return strings.ToLower(s), true
}

// docDigits returns the n digits of a CPF or CNPJ written with the usual
// punctuation (dots, dashes, slash, spaces) and nothing else.
func docDigits(s string, n int) (string, bool) {
	if len(s) > 2*n+8 {
		return "", false
	}
	d := make([]byte, 0, n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == '.' || c == '-' || c == '/' || c == ' ':
		default:
			return "", false
		}
	}
	if len(d) != n || allSame(d) {
		return "", false
	}
	return string(d), true
}

func allSame(d []byte) bool {
	for _, c := range d {
		if c != d[0] {
			return false
		}
	}
	return true
}

// cpfValid checks a CPF's two check digits (módulo 11, weights 10..2 and
// 11..2).
func cpfValid(d string) bool {
	for k := 9; k <= 10; k++ {
		sum := 0
		for i := 0; i < k; i++ {
			sum += int(d[i]-'0') * (k + 1 - i)
		}
		r := sum * 10 % 11
		if r == 10 {
			r = 0
		}
		if r != int(d[k]-'0') {
			return false
		}
	}
	return true
}

// cnpjValid checks a CNPJ's two check digits (módulo 11, weights 5..2,9..2
// and 6..2,9..2).
func cnpjValid(d string) bool {
	for k := 12; k <= 13; k++ {
		sum, w := 0, k-7
		for i := 0; i < k; i++ {
			sum += int(d[i]-'0') * w
			w--
			if w < 2 {
				w = 9
			}
		}
		r := sum % 11
		dv := 0
		if r >= 2 {
			dv = 11 - r
		}
		if dv != int(d[k]-'0') {
			return false
		}
	}
	return true
}

func validPhone(s string) (any, bool) {
	plus := strings.HasPrefix(s, "+")
	if plus {
		s = s[1:]
	}
	if len(s) > 30 {
		return nil, false
	}
	d := make([]byte, 0, 15)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			d = append(d, c)
		case c == ' ' || c == '-' || c == '(' || c == ')':
		default:
			return nil, false
		}
	}
	if !plus && (len(d) == 11 || len(d) == 12) && d[0] == '0' {
		d = d[1:] // "0 11 91234-5678": the long-distance prefix
	}
	switch n := len(d); {
	case n == 0 || d[0] == '0':
		return nil, false
	case !plus && (n == 10 || n == 11):
		// DDD has no zero digit; a mobile (11 digits) starts with 9, a
		// landline (10 digits) with 2 to 5.
		if d[1] == '0' || n == 11 && d[2] != '9' || n == 10 && (d[2] < '2' || d[2] > '5') {
			return nil, false
		}
		return "+55" + string(d), true
	case n >= 12 && n <= 15, plus && n >= 10 && n <= 15:
		return "+" + string(d), true
	}
	return nil, false
}

func validDate(s string) (any, bool) {
	if len(s) > 10 {
		return nil, false
	}
	var parts []string
	for _, sep := range []string{"/", "-", "."} {
		if p := strings.Split(s, sep); len(p) == 3 {
			parts = p
			break
		}
	}
	if parts == nil {
		return nil, false
	}
	var ys, ms, ds string
	if len(parts[0]) == 4 {
		if !strings.Contains(s, "-") {
			return nil, false // yyyy-mm-dd only with dashes
		}
		ys, ms, ds = parts[0], parts[1], parts[2]
		if len(ms) != 2 || len(ds) != 2 {
			return nil, false
		}
	} else {
		ds, ms, ys = parts[0], parts[1], parts[2]
		if len(ds) < 1 || len(ds) > 2 || len(ms) < 1 || len(ms) > 2 || len(ys) != 4 {
			return nil, false
		}
	}
	y, ok1 := digitsInt(ys)
	m, ok2 := digitsInt(ms)
	d, ok3 := digitsInt(ds)
	if !ok1 || !ok2 || !ok3 || y < 1000 || m < 1 || m > 12 || d < 1 || d > 31 {
		return nil, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return nil, false // 31/02 rolls over: not a calendar day
	}
	return t.Format(time.DateOnly), true
}

func digitsInt(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, true
}

func validNumber(s string) (any, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "R$"))
	if len(s) == 0 || len(s) > 40 {
		return nil, false
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	var intPart, frac, thousands string
	switch {
	case dots > 0 && commas > 0:
		// The separator written last is the decimal one.
		dec := "."
		thousands = ","
		if strings.LastIndex(s, ",") > strings.LastIndex(s, ".") {
			dec, thousands = ",", "."
		}
		if strings.Count(s, dec) != 1 {
			return nil, false
		}
		intPart, frac, _ = strings.Cut(s, dec)
	case commas == 1:
		intPart, frac, _ = strings.Cut(s, ",")
	case commas > 1:
		intPart, thousands = s, ","
	case dots == 1:
		i, f, _ := strings.Cut(s, ".")
		if len(f) == 3 && len(i) >= 1 && len(i) <= 3 && i != "0" && !strings.HasPrefix(i, "0") {
			intPart, thousands = s, "." // "1.234" is one thousand two hundred thirty-four
		} else {
			intPart, frac = i, f
		}
	case dots > 1:
		intPart, thousands = s, "."
	default:
		intPart = s
	}
	if thousands != "" && strings.Contains(intPart, thousands) {
		groups := strings.Split(intPart, thousands)
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return nil, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return nil, false
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return nil, false
	}
	if intPart == "" {
		intPart = "0"
	}
	txt := intPart
	if frac != "" {
		txt += "." + frac
	} else if strings.ContainsAny(s, ".,") && thousands == "" {
		return nil, false // "12," or "12."
	}
	v, err := strconv.ParseFloat(txt, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, false
	}
	if neg && v != 0 {
		v = -v
	}
	return v, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

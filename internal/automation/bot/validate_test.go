package bot

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// checkDigits computes a CPF's (11) or CNPJ's (14) two check digits from
// its base with the textbook formula, written apart from the code under
// test: d = 11 - (Σ digit×weight mod 11), or 0 when that is 10 or 11.
func checkDigits(base string) string {
	weights := func(n int) []int { // CPF: n+1..2; CNPJ: 2..9 repeating from the right
		w := make([]int, n)
		for i := range n {
			if len(base) == 9 {
				w[i] = n + 1 - i
			} else {
				w[i] = 2 + (n-1-i)%8
			}
		}
		return w
	}
	s := base
	for range 2 {
		sum := 0
		for i, w := range weights(len(s)) {
			sum += int(s[i]-'0') * w
		}
		d := 11 - sum%11
		if d >= 10 {
			d = 0
		}
		s += fmt.Sprint(d)
	}
	return s
}

func TestCheckDigitsKnownNumbers(t *testing.T) {
	// Well-known valid test numbers agree with the independent formula.
	for _, n := range []string{"52998224725", "11144477735", "12345678909", "11222333000181", "11444777000161"} {
		if got := checkDigits(n[:len(n)-2]); got != n {
			t.Errorf("checkDigits(%s) = %s", n[:len(n)-2], got)
		}
	}
}

func TestValidateGeneratedDocuments(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		for _, size := range []int{9, 12} {
			base := ""
			for range size {
				base += fmt.Sprint(r.IntN(10))
			}
			doc := checkDigits(base)
			kind := ValidateCPF
			if size == 12 {
				kind = ValidateCNPJ
			}
			v, ok := Validate(kind, doc)
			if allSame([]byte(doc)) {
				if ok {
					t.Errorf("Validate(%s, %s) accepted repeated digits", kind, doc)
				}
				continue
			}
			if !ok || v != doc {
				t.Fatalf("Validate(%s, %s) = %v, %v", kind, doc, v, ok)
			}
			// Any other last digit is wrong.
			bad := doc[:len(doc)-1] + fmt.Sprint((int(doc[len(doc)-1]-'0')+1+r.IntN(9))%10)
			if _, ok := Validate(kind, bad); ok {
				t.Fatalf("Validate(%s, %s) accepted a wrong check digit", kind, bad)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		kind, in string
		want     any // nil: invalid
	}{
		{ValidateText, "  Maria  ", "Maria"},
		{"", "oi", "oi"},
		{ValidateText, "   ", nil},
		{ValidateText, "", nil},

		{ValidateEmail, "Maria.Silva@Empresa.com.br", "maria.silva@empresa.com.br"},
		{ValidateEmail, " ana+loja@x.io ", "ana+loja@x.io"},
		{ValidateEmail, "maria@empresa", nil},
		{ValidateEmail, "maria@@empresa.com", nil},
		{ValidateEmail, "maria@a@b.com", nil},
		{ValidateEmail, "Maria <maria@empresa.com>", nil},
		{ValidateEmail, "maria empresa.com", nil},
		{ValidateEmail, "@empresa.com", nil},
		{ValidateEmail, "maria@empresa..com", nil},
		{ValidateEmail, "maria@.com", nil},
		{ValidateEmail, "maria@empresa.com.", nil},

		{ValidateCPF, "123.456.789-09", "12345678909"},
		{ValidateCPF, "529.982.247-25", "52998224725"},
		{ValidateCPF, "111 444 777 35", "11144477735"},
		{ValidateCPF, "123.456.789-00", nil},
		{ValidateCPF, "111.111.111-11", nil},
		{ValidateCPF, "000.000.000-00", nil},
		{ValidateCPF, "1234567890", nil},
		{ValidateCPF, "cpf 52998224725", nil},
		{ValidateCPF, "11.222.333/0001-81", nil},

		{ValidateCNPJ, "11.222.333/0001-81", "11222333000181"},
		{ValidateCNPJ, "11444777000161", "11444777000161"},
		{ValidateCNPJ, "11.222.333/0001-82", nil},
		{ValidateCNPJ, "00.000.000/0000-00", nil},
		{ValidateCNPJ, "52998224725", nil},

		{ValidateCPFCNPJ, "529.982.247-25", "52998224725"},
		{ValidateCPFCNPJ, "11.222.333/0001-81", "11222333000181"},
		{ValidateCPFCNPJ, "529.982.247-26", nil},

		{ValidatePhone, "(11) 91234-5678", "+5511912345678"},
		{ValidatePhone, "11 3456-7890", "+551134567890"},
		{ValidatePhone, "011 91234-5678", "+5511912345678"},
		{ValidatePhone, "+55 (21) 99876-5432", "+5521998765432"},
		{ValidatePhone, "5521998765432", "+5521998765432"},
		{ValidatePhone, "+1 415 555 0100", "+14155550100"},
		{ValidatePhone, "+351 912 345 678", "+351912345678"},
		{ValidatePhone, "(11) 81234-5678", nil}, // 11 digits: a mobile starts with 9
		{ValidatePhone, "(01) 91234-5678", nil},
		{ValidatePhone, "91234-5678", nil},
		{ValidatePhone, "1234567890123456", nil},
		{ValidatePhone, "+12345678901234567", nil},
		{ValidatePhone, "11 9123a-5678", nil},
		{ValidatePhone, "55+11912345678", nil},

		{ValidateDate, "25/12/1990", "1990-12-25"},
		{ValidateDate, "5/3/2024", "2024-03-05"},
		{ValidateDate, "05-03-2024", "2024-03-05"},
		{ValidateDate, "05.03.2024", "2024-03-05"},
		{ValidateDate, "2024-02-29", "2024-02-29"},
		{ValidateDate, "29/02/2023", nil},
		{ValidateDate, "31/04/2024", nil},
		{ValidateDate, "32/01/2024", nil},
		{ValidateDate, "12/13/2024", nil},
		{ValidateDate, "2024/03/05", nil},
		{ValidateDate, "25/12/90", nil},
		{ValidateDate, "amanhã", nil},
		{ValidateDate, "00/01/2024", nil},

		{ValidateNumber, "12", 12.0},
		{ValidateNumber, "1.234,56", 1234.56},
		{ValidateNumber, "1234.56", 1234.56},
		{ValidateNumber, "1,234.56", 1234.56},
		{ValidateNumber, "1234,5", 1234.5},
		{ValidateNumber, "1.234", 1234.0},
		{ValidateNumber, "1.234.567", 1234567.0},
		{ValidateNumber, "0.125", 0.125},
		{ValidateNumber, "1.5", 1.5},
		{ValidateNumber, "R$ 1.500,00", 1500.0},
		{ValidateNumber, "-3,5", -3.5},
		{ValidateNumber, ",5", 0.5},
		{ValidateNumber, "12,", nil},
		{ValidateNumber, "1.23.4", nil},
		{ValidateNumber, "1,2,3", nil},
		{ValidateNumber, "1.234,5,6", nil},
		{ValidateNumber, "doze", nil},
		{ValidateNumber, "1e5", nil},
		{ValidateNumber, "NaN", nil},
		{ValidateNumber, "-", nil},

		{"rg", "123", nil},
	}
	for _, tt := range tests {
		got, ok := Validate(tt.kind, tt.in)
		if tt.want == nil {
			if ok {
				t.Errorf("Validate(%s, %q) = %v, want invalid", tt.kind, tt.in, got)
			}
			continue
		}
		if !ok || got != tt.want {
			t.Errorf("Validate(%s, %q) = %#v, %v; want %#v", tt.kind, tt.in, got, ok, tt.want)
		}
	}
}

func TestValidateTextIsCut(t *testing.T) {
	long := ""
	for range MaxTextValueRunes + 10 {
		long += "ã"
	}
	v, ok := Validate(ValidateText, long)
	if !ok || len([]rune(v.(string))) != MaxTextValueRunes {
		t.Fatalf("Validate(text, long) kept %d runes", len([]rune(v.(string))))
	}
}

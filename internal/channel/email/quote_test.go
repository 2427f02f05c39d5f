package email

import (
	"strings"
	"testing"
)

func TestStripQuoted(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"english attribution", "Thanks, that works.\n\nOn Mon, Mar 3, 2025 at 10:12 AM Support <s@x.example> wrote:\n> Try again.\n", "Thanks, that works."},
		{"portuguese attribution wrapped", "Pode trocar?\n\nEm seg., 3 de mar. de 2025 às 10:12, Loja <\nsuporte@loja.example> escreveu:\n\n> Olá\n", "Pode trocar?"},
		{"french attribution", "Merci.\n\nLe lun. 3 mars 2025 à 10:12, Support <s@x.example> a écrit :\n> Bonjour\n", "Merci."},
		{"outlook original message en", "Fine.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nTo: Ana\nSubject: x\n\nold text", "Fine."},
		{"outlook mensagem original", "Ok, obrigado.\n\n-----Mensagem original-----\nDe: Loja\nEnviado: segunda\nPara: João\nAssunto: x\n\nantigo", "Ok, obrigado."},
		{"outlook header block without separator", "Combinado.\n\n________________________________\nDe: Loja Exemplo <v@loja.example>\nEnviado: quinta-feira, 6 de março de 2025 16:45\nPara: João\nAssunto: Cotação\n\nvelho", "Combinado."},
		{"header block without underline", "Sim.\n\nFrom: Loja <v@loja.example>\nSent: Thursday\nTo: João\nSubject: Quote\n\nold", "Sim."},
		{"De: in a sentence is not a header", "De: nada, foi um prazer.\nAbraço", "De: nada, foi um prazer.\nAbraço"},
		{"signature delimiter", "Chegou certinho.\n\n-- \nAna Souza\nTel 11 99999-0000", "Chegou certinho."},
		{"mobile signature", "Ok!\n\nEnviado do meu iPhone", "Ok!"},
		{"interleaved quotes dropped", "> Você recebeu?\nSim, recebi.\n> E a nota?\nAinda não.", "Sim, recebi.\nAinda não."},
		{"only quoted text returns the original", "> tudo certo?\n> sim", "> tudo certo?\n> sim"},
		{"only attribution and quote returns the original", "On Mon, Ana wrote:\n> hi", "On Mon, Ana wrote:\n> hi"},
		{"CRLF", "Sim.\r\n\r\nOn Mon, Ana wrote:\r\n> hi\r\n", "Sim."},
		{"no quote", "Só uma pergunta: vocês abrem sábado?", "Só uma pergunta: vocês abrem sábado?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StripQuoted(tt.in); got != tt.want {
				t.Errorf("StripQuoted(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestStripQuotedNeverEmpty(t *testing.T) {
	for _, in := range []string{"-- \nsig", ">", "On x wrote:", "-----Original Message-----\nFrom: a\nSent: b\nTo: c"} {
		if got := StripQuoted(in); strings.TrimSpace(got) == "" {
			t.Errorf("StripQuoted(%q) is empty", in)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"paragraphs and breaks", "<p>Olá,</p><p>linha 1<br>linha 2</p>", "Olá,\n\nlinha 1\nlinha 2"},
		{"scripts and styles dropped", "<style>p{color:red}</style><script>alert('x<p>')</script><p>texto</p>", "texto"},
		{"entities decoded", "<p>P&amp;D &lt;tag&gt; &eacute; &#233; &#x1F600; &nbsp;fim</p>", "P&D <tag> é é 😀 fim"},
		{"link text and url", `<a href="https://x.example/a">o edital</a>`, "o edital (https://x.example/a)"},
		{"link whose text is the url", `<a href="https://x.example/a">https://x.example/a</a>`, "https://x.example/a"},
		{"mailto link with its address", `<a href="mailto:a@x.example">a@x.example</a>`, "a@x.example"},
		{"javascript link hidden", `<a href="javascript:steal()">clique</a>`, "clique"},
		{"list items", "<ul><li>um</li><li>dois</li></ul>", "- um\n- dois"},
		{"whitespace collapsed", "<div>  muitos \n\n espaços  </div>", "muitos espaços"},
		{"comments and doctype", "<!DOCTYPE html><!-- <p>no</p> --><p>sim</p>", "sim"},
		{"lone angle bracket", "<p>3 < 5 e 5 > 3</p>", "3 < 5 e 5 > 3"},
		{"unterminated tag", "<p>texto<a href=\"x", "texto"},
		{"image alt", `<img src="cid:a" alt="logo">`, "[logo]"},
		{"table cells", "<table><tr><td>Pedido</td><td>4521</td></tr><tr><td>Total</td><td>R$ 10</td></tr></table>", "Pedido 4521\nTotal R$ 10"},
		{"pre keeps spaces", "<pre>a  b\n  c</pre>", "a  b\n  c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.in); got != tt.want {
				t.Errorf("HTMLToText(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHTMLReplyDropsQuotes(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"gmail quote", `<div dir="ltr">Sim, pode.</div><br><div class="gmail_quote"><div class="gmail_attr">Em seg., Loja escreveu:</div><blockquote class="gmail_quote"><div>nested <div>deep</div></div>antigo</blockquote></div>`, "Sim, pode."},
		{"gmail signature", `<div>Ok</div><div class="gmail_signature">Ana<br>Tel</div>`, "Ok"},
		{"apple cite", `<div>Certo</div><blockquote type="cite"><div>velho</div></blockquote>`, "Certo"},
		{"outlook web reply marker", `<div>Feito.</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">De: Loja</div><div>velho</div>`, "Feito."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := htmlToText(tt.in, true); got != tt.want {
				t.Errorf("reply rendering of %q\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

package main

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

var firstNames = []string{"Ana", "João", "Maria", "Pedro", "Juliana", "Carlos", "Fernanda", "Lucas", "Beatriz", "Rafael", "Camila", "Gustavo",
	"Larissa", "Bruno", "Patrícia", "Thiago", "Aline", "Marcelo", "Renata", "Felipe", "Gabriela", "Rodrigo", "Vanessa", "Diego", "Letícia",
	"André", "Mariana", "Eduardo", "Sabrina", "Vinícius", "Paula", "Leonardo", "Tatiane", "Matheus", "Cristina", "Daniel", "Simone", "Fábio"}

var lastNames = []string{"Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima", "Gomes", "Costa",
	"Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento",
	"Andrade", "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos", "Gonçalves", "Santana", "Teixeira"}

var openers = []string{"Olá", "Oi", "Bom dia", "Boa tarde", "Boa noite", "Prezados", "Oi, tudo bem?", "Olá, boa tarde", "Ei", "Por favor"}

// vocabulary in rough order of frequency: rand.Zipf picks low indexes most
// often, so search terms of every frequency exist.
var vocabulary = strings.Fields(`pedido obrigado ajuda entrega produto preciso hoje quando ainda prazo pagamento informação cliente
atendimento problema compra valor código cartão site aplicativo status endereço troca nota fiscal boleto pix frete desconto cupom
cancelamento devolução reembolso garantia conta senha acesso cadastro telefone email número rastreio transportadora correios
estoque tamanho cor modelo defeito quebrado errado faltando atrasado chegou recebi enviaram mandaram comprei paguei cobrado duas vezes
parcelamento juros fatura vencimento segunda via limite aprovado recusado pendente análise confirmação retirada loja física
shopping horário funcionamento sábado domingo feriado semana mês amanhã ontem urgente rápido demora esperando resposta retorno
protocolo reclamação sugestão elogio satisfeito insatisfeito gerente supervisor falar pessoa humano robô opção menu voltar
instalação técnico visita agendamento manutenção peça assistência autorizada manual instrução configuração wifi bluetooth bateria
carregador tela botão ligar desligar reiniciar atualização versão erro mensagem aparece funciona parou travando lento internet
plano assinatura mensalidade renovação upgrade benefício pontos fidelidade programa indicação promoção oferta black friday natal
geladeira fogão máquina lavar televisão celular notebook fone cadeira mesa sofá colchão tênis camiseta vestido calça bolsa relógio
perfume maquiagem shampoo vitamina remédio receita farmácia ração brinquedo livro caderno mochila bicicleta pneu óleo filtro
documento comprovante anexo foto vídeo print arquivo formulário assinatura contrato cláusula multa rescisão portabilidade
abacaxi jabuticaba pitanga caju maracujá goiaba acerola cupuaçu açaí graviola`)

var templates = []string{
	"%o, meu %w número %n ainda não chegou, podem verificar?",
	"%o, gostaria de saber o %w do meu %w",
	"Preciso de ajuda com o %w, aparece %w quando tento %w",
	"Obrigado pelo atendimento, resolveu meu %w",
	"%o! Vocês têm %w em %w?",
	"Meu %w veio com %w, quero fazer a %w",
	"Qual o prazo de %w para %w?",
	"Já paguei o %w mas o %w continua %w",
	"Pode me mandar a segunda via do %w do %w %n?",
	"Não consigo acessar minha %w, a %w não funciona",
	"%o, estou esperando %w desde ontem sobre o %w",
	"Perfeito, muito obrigado! %w",
	"Segue o %w do %w, protocolo %n",
	"Vocês entregam %w no sábado? Moro perto do %w",
	"%o, o %w que comprei está %w e %w",
}

type textGen struct {
	zipf *rand.Zipf
}

func newTextGen(r *rand.Rand) *textGen {
	return &textGen{zipf: rand.NewZipf(r, 1.07, 2, uint64(len(vocabulary)-1))}
}

// message returns one customer or agent message in Portuguese.
func (g *textGen) message(r *rand.Rand) string {
	t := templates[r.IntN(len(templates))]
	var b strings.Builder
	b.Grow(len(t) + 64)
	for i := 0; i < len(t); i++ {
		if t[i] == '%' && i+1 < len(t) {
			switch t[i+1] {
			case 'w':
				b.WriteString(vocabulary[g.zipf.Uint64()])
			case 'o':
				b.WriteString(openers[r.IntN(len(openers))])
			case 'n':
				b.WriteString(strconv.Itoa(100000 + r.IntN(900000)))
			}
			i++
			continue
		}
		b.WriteByte(t[i])
	}
	if r.IntN(4) == 0 {
		b.WriteString(" ")
		b.WriteString(vocabulary[g.zipf.Uint64()])
		b.WriteString(" ")
		b.WriteString(vocabulary[g.zipf.Uint64()])
	}
	return b.String()
}

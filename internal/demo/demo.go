// Package demo fills a workspace with believable data — departments Vendas,
// Financeiro and Suporte, an admin, a supervisor, four agents, ~50 contacts
// and conversations in every state — so a newcomer sees a living inbox.
// Everything goes through the conversation service, so the demo exercises
// the same rules as real traffic.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/automation/bot"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/store"
)

// Password is the password of every demo login.
const Password = "atende-demo"

// Slug is the demo workspace's slug.
const Slug = "demo"

// Login describes one demo account.
type Login struct {
	Role  access.Role
	Email string
	Note  string
}

var people = []struct {
	name, email string
	role        access.Role
	scope       access.Scope
	depts       []string
	note        string
}{
	{"Ana Admin", "admin@demo.atende.local", access.RoleAdmin, access.ScopeDepartment, nil, "sees everything"},
	{"Sérgio Supervisor", "supervisor@demo.atende.local", access.RoleSupervisor, access.ScopeDepartment, []string{"Vendas", "Suporte"}, "Vendas + Suporte"},
	{"Bruno Vendas", "bruno@demo.atende.local", access.RoleAgent, access.ScopeDepartment, []string{"Vendas"}, "agent, Vendas"},
	{"Carla Vendas", "carla@demo.atende.local", access.RoleAgent, access.ScopeAssigned, []string{"Vendas"}, "agent, Vendas, only assigned"},
	{"Diego Financeiro", "diego@demo.atende.local", access.RoleAgent, access.ScopeDepartment, []string{"Financeiro"}, "agent, Financeiro"},
	{"Elisa Suporte", "elisa@demo.atende.local", access.RoleAgent, access.ScopeDepartment, []string{"Suporte", "Financeiro"}, "agent, Suporte + Financeiro"},
}

var firstNames = []string{"João", "Maria", "Pedro", "Juliana", "Lucas", "Fernanda", "Rafael", "Camila", "Gustavo", "Beatriz",
	"Thiago", "Larissa", "Felipe", "Aline", "Rodrigo", "Patrícia", "Marcelo", "Vanessa", "André", "Letícia"}
var lastNames = []string{"Silva", "Santos", "Oliveira", "Souza", "Pereira", "Lima", "Carvalho", "Ferreira", "Almeida", "Costa"}

var openers = []string{
	"Olá, gostaria de saber o preço do plano anual.",
	"Boa tarde! Meu boleto venceu, consigo pagar ainda hoje?",
	"Não consigo acessar minha conta, aparece senha inválida.",
	"Vocês entregam em Campinas? Qual o prazo?",
	"Preciso da segunda via da nota fiscal do pedido 4521.",
	"O aplicativo trava quando abro o carrinho.",
	"Quero cancelar minha assinatura.",
	"Tem desconto para pagamento no Pix?",
	"Meu pedido chegou com defeito, como faço a troca?",
	"Oi! Vi o anúncio no Instagram, ainda tem em estoque?",
}
var replies = []string{
	"Olá! Claro, já vou verificar para você.",
	"Obrigado pelo contato! Pode me passar o número do pedido?",
	"Entendi. Vou encaminhar para o time responsável.",
	"Pronto, acabei de enviar por e-mail. Pode conferir?",
}

// Fill creates the demo workspace unless it exists, and returns the logins.
func Fill(ctx context.Context, db *store.DB, convs *conversation.Service) ([]Login, error) {
	logins := make([]Login, len(people))
	for i, p := range people {
		logins[i] = Login{Role: p.role, Email: p.email, Note: p.note}
	}
	if _, err := db.R().WorkspaceBySlug(ctx, Slug); err == nil {
		return logins, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	var ws store.Workspace
	depts := map[string]int64{}
	users := map[string]store.User{}
	var channel store.Channel
	var labels []store.Label
	var reasons []store.ClosingReason
	err = db.Tx(ctx, func(q store.Q) error {
		var err error
		if ws, err = q.CreateWorkspace(ctx, "Demo", Slug); err != nil {
			return err
		}
		for i, name := range []string{"Vendas", "Financeiro", "Suporte"} {
			d, err := q.CreateDepartment(ctx, ws.ID, name, i == 0)
			if err != nil {
				return err
			}
			depts[name] = d.ID
		}
		for _, p := range people {
			u := store.User{WorkspaceID: ws.ID, Email: p.email, Name: p.name, Role: p.role, Scope: p.scope, Capacity: 10, PasswordHash: hash, Presence: store.PresenceOffline}
			for _, d := range p.depts {
				u.DepartmentIDs = append(u.DepartmentIDs, depts[d])
			}
			if users[p.email], err = q.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		// no app stands behind the demo channel: its token and signing
		// secret are issued when an admin rotates them (POST /channels/{id}/rotate-token)
		_, chHash := auth.NewToken(auth.PrefixChannel)
		if channel, err = q.CreateChannel(ctx, store.Channel{WorkspaceID: ws.ID, Kind: "api", Name: "App da loja"}, chHash); err != nil {
			return err
		}
		if err := fillHelpCentre(ctx, q, ws.ID); err != nil {
			return err
		}
		if err := fillBots(ctx, q, ws.ID, depts); err != nil {
			return err
		}
		for _, l := range []store.Label{{Name: "VIP", Color: "#d97706"}, {Name: "Reclamação", Color: "#dc2626"}, {Name: "Orçamento", Color: "#2563eb"}, {Name: "Pix", Color: "#059669"}} {
			l, err := q.CreateLabel(ctx, ws.ID, l)
			if err != nil {
				return err
			}
			labels = append(labels, l)
		}
		for _, qr := range []store.QuickReply{
			{Shortcut: "ola", Content: "Olá {{contact.first_name}}! Sou {{agent.name}}, como posso ajudar?"},
			{Shortcut: "pix", Content: "Nossa chave Pix é o CNPJ 12.345.678/0001-90."},
			{Shortcut: "prazo", Content: "O prazo de entrega é de 3 a 5 dias úteis após a confirmação do pagamento."},
			{Shortcut: "obrigado", Content: "Obrigado pelo contato, {{contact.first_name}}! Qualquer dúvida, estamos aqui."},
		} {
			if _, err := q.CreateQuickReply(ctx, ws.ID, qr); err != nil {
				return err
			}
		}
		for _, name := range []string{"Dúvida resolvida", "Venda realizada", "Sem resposta do cliente", "Encaminhado ao financeiro"} {
			r, err := q.CreateClosingReason(ctx, ws.ID, store.ClosingReason{Name: name, Active: true})
			if err != nil {
				return err
			}
			reasons = append(reasons, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}

	rng := rand.New(rand.NewPCG(42, 7))
	admin := users[people[0].email].Viewer()
	agentsOf := map[string][]store.User{}
	for _, u := range users {
		for _, p := range people {
			if p.email == u.Email && p.role == access.RoleAgent {
				for _, d := range p.depts {
					agentsOf[d] = append(agentsOf[d], u)
				}
			}
		}
	}
	deptNames := []string{"Vendas", "Financeiro", "Suporte"}
	for i := 0; i < 50; i++ {
		name := firstNames[i%len(firstNames)] + " " + lastNames[(i*7)%len(lastNames)]
		phone := fmt.Sprintf("+55 11 9%04d-%04d", rng.IntN(10000), rng.IntN(10000))
		res, err := convs.Receive(ctx, channel, conversation.Inbound{ContactExternalID: fmt.Sprintf("cliente-%03d", i+1), ContactName: name,
			ContactPhone: phone, ExternalID: fmt.Sprintf("demo-%03d-1", i+1), Text: openers[i%len(openers)]})
		if err != nil {
			return nil, err
		}
		id := res.Conversation.ID
		dept := deptNames[i%3]
		if dept != "Vendas" {
			if _, err := convs.Transfer(ctx, admin, id, depts[dept], 0); err != nil {
				return nil, err
			}
		}
		if i%4 == 0 {
			if _, err := convs.SetLabel(ctx, admin, id, labels[i%len(labels)].ID, true); err != nil {
				return nil, err
			}
		}
		// state mix: 0–14 queued, 15–29 open, 30–34 snoozed, 35–49 resolved
		if i < 15 {
			continue
		}
		agents := agentsOf[dept]
		agent := agents[i%len(agents)]
		if _, err := convs.Assign(ctx, admin, id, agent.ID); err != nil {
			return nil, err
		}
		av := agent.Viewer()
		reply, err := convs.Send(ctx, av, id, conversation.Outgoing{Content: replies[i%len(replies)]})
		if err != nil {
			return nil, err
		}
		// the demo channel has no app behind it; report what a real app would
		if err := convs.SetDelivery(ctx, ws.ID, reply.ID, []string{store.DeliveryDelivered, store.DeliveryRead}[i%2], ""); err != nil {
			return nil, err
		}
		if i%3 == 0 {
			if _, err := convs.Send(ctx, av, id, conversation.Outgoing{Note: true, Content: "Cliente recorrente, oferecer frete grátis."}); err != nil {
				return nil, err
			}
		}
		if i%2 == 0 {
			if _, err := convs.Receive(ctx, channel, conversation.Inbound{ContactExternalID: fmt.Sprintf("cliente-%03d", i+1),
				ExternalID: fmt.Sprintf("demo-%03d-2", i+1), Text: "Perfeito, obrigado! Mais uma dúvida…"}); err != nil {
				return nil, err
			}
		}
		switch {
		case i >= 30 && i < 35:
			if _, err := convs.Snooze(ctx, av, id, time.Now().Add(time.Duration(2+i%5)*time.Hour)); err != nil {
				return nil, err
			}
		case i >= 35:
			if _, err := convs.Resolve(ctx, av, id, reasons[i%len(reasons)].ID); err != nil {
				return nil, err
			}
		}
	}
	// a conversation that waits long enough to show every thermometer colour
	if err := backdateWaiting(ctx, db, ws.ID); err != nil {
		return nil, err
	}
	return logins, nil
}

// backdateWaiting moves the waiting clock of a few queued conversations
// back in time so the thermometer shows yellow and red on first sight.
func backdateWaiting(ctx context.Context, db *store.DB, ws int64) error {
	v := access.Viewer{WorkspaceID: ws, Role: access.RoleAdmin}
	page, err := db.R().ListConversations(ctx, v, store.ListFilter{View: store.ViewUnassigned, Limit: 10})
	if err != nil {
		return err
	}
	return db.Tx(ctx, func(q store.Q) error {
		for i, c := range page.Items {
			if !c.Waiting() {
				continue
			}
			before := c
			c.WaitingSince -= int64(i*4) * int64(time.Minute/time.Millisecond)
			c.OpenedAt = min(c.OpenedAt, c.WaitingSince)
			if err := q.SaveConversation(ctx, before, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// fillHelpCentre writes a few help-centre articles, so that /help/demo and
// the widget's search have something to find.
func fillHelpCentre(ctx context.Context, q store.Q, ws int64) error {
	cats := map[string]int64{}
	for _, c := range []store.HelpCategory{{Language: "pt-BR", Name: "Pedidos e entregas", Position: 1}, {Language: "pt-BR", Name: "Pagamentos", Position: 2},
		{Language: "en", Name: "Orders", Position: 1}} {
		c, err := q.CreateHelpCategory(ctx, ws, c)
		if err != nil {
			return err
		}
		cats[c.Name] = c.ID
	}
	ptr := func(id int64) *int64 { return &id }
	for _, a := range []store.HelpArticle{
		{Language: "pt-BR", CategoryID: ptr(cats["Pedidos e entregas"]), Title: "Qual é o prazo de entrega?",
			BodyMarkdown: "Entregamos em **3 a 5 dias úteis** nas capitais e em até 10 dias úteis no interior, contados da confirmação do pagamento.\n\nVocê recebe o código de rastreio por e-mail assim que o pedido sai."},
		{Language: "pt-BR", CategoryID: ptr(cats["Pedidos e entregas"]), Title: "Como trocar ou devolver um produto",
			BodyMarkdown: "Você tem **7 dias** após o recebimento para pedir a troca ou devolução.\n\n1. Fale com a gente pelo chat ou WhatsApp\n2. Envie o produto na embalagem original\n3. O reembolso sai em até 5 dias úteis"},
		{Language: "pt-BR", CategoryID: ptr(cats["Pagamentos"]), Title: "Formas de pagamento: Pix, cartão e boleto",
			BodyMarkdown: "Aceitamos **Pix** (aprovação na hora), cartão de crédito em até 10x sem juros e boleto (compensa em até 2 dias úteis)."},
		{Language: "en", CategoryID: ptr(cats["Orders"]), Title: "How long does delivery take?",
			BodyMarkdown: "We deliver in **3 to 5 business days** to state capitals and up to 10 business days elsewhere."},
	} {
		a.Status = "published"
		if _, err := q.CreateHelpArticle(ctx, ws, a); err != nil {
			return err
		}
	}
	return nil
}

// fillBots creates the Becon-style bots of seed 000/001, not attached to
// any department: the demo's conversations stay with people, and an admin
// tries the bots in Settings → Bots (or gives Vendas the reception bot).
func fillBots(ctx context.Context, q store.Q, ws int64, depts map[string]int64) error {
	reception := fmt.Sprintf(`{"start":"hello","steps":[
		{"id":"hello","type":"message","text":"Olá, {{contact.first_name}}! Bem-vindo à loja.","next":"main"},
		{"id":"main","type":"menu","text":"Como podemos ajudar?","options":[
			{"label":"Vendas","keywords":["comprar","orçamento"],"next":"sales"},
			{"label":"Financeiro","keywords":["boleto","pagamento","pix"],"next":"billing"},
			{"label":"Suporte","keywords":["problema","ajuda"],"next":"support"}]},
		{"id":"sales","type":"handoff","text":"Um vendedor já vai falar com você."},
		{"id":"billing","type":"transfer","department_id":%d},
		{"id":"support","type":"transfer","text":"Vou te passar para o suporte.","department_id":%d}]}`, depts["Financeiro"], depts["Suporte"])
	billing := `{"start":"cpf","steps":[
		{"id":"cpf","type":"ask","text":"Para o financeiro, qual é o seu CPF ou CNPJ?","attribute":"documento","validate":"cpf_cnpj","next":"menu"},
		{"id":"menu","type":"menu","text":"O que você precisa?","options":[
			{"label":"2ª via de boleto","keywords":["segunda via","boleto"],"next":"bill"},
			{"label":"Falar com atendente","keywords":["atendente","pessoa"],"next":"human"}]},
		{"id":"bill","type":"message","text":"Enviamos a 2ª via para o e-mail cadastrado.","next":"bye"},
		{"id":"bye","type":"resolve","text":"Obrigado pelo contato!"},
		{"id":"human","type":"handoff","text":"Um atendente do financeiro já vai falar com você."}]}`
	for _, b := range []struct{ name, flow string }{{"Recepção", reception}, {"Financeiro", billing}} {
		f, err := bot.Parse([]byte(b.flow))
		if err != nil {
			return fmt.Errorf("demo: bot %s: %w", b.name, err)
		}
		canonical, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if _, err := q.CreateBot(ctx, store.Bot{WorkspaceID: ws, Name: b.name, Kind: store.BotFlow, Enabled: true, Flow: canonical}); err != nil {
			return err
		}
	}
	return nil
}

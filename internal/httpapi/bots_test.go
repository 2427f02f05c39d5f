package httpapi_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atende/atende/internal/store"
)

// receptionFlow is the default department's bot: a Becon-style menu that
// keeps sales at the reception, sends billing to Financeiro (whose own bot
// then talks) and hands anything else to people.
func receptionFlow(financeiro int64) map[string]any {
	return map[string]any{"start": "hello", "steps": []map[string]any{
		{"id": "hello", "type": "message", "text": "Olá, {{contact.first_name}}! Bem-vindo à Becon.", "next": "main"},
		{"id": "main", "type": "menu", "text": "Como podemos ajudar?", "options": []map[string]any{
			{"label": "Vendas", "keywords": []string{"comprar"}, "next": "sales"},
			{"label": "Financeiro", "keywords": []string{"boleto", "pagamento"}, "next": "billing"},
			{"label": "Falar com atendente", "next": "human"},
		}},
		{"id": "sales", "type": "handoff", "text": "Um vendedor já vai falar com você."},
		{"id": "billing", "type": "transfer", "department_id": financeiro},
		{"id": "human", "type": "handoff"},
	}}
}

// billingFlow is Financeiro's bot: it asks for the CPF, then offers the
// duplicate bill (resolved by the bot) or a person.
func billingFlow() map[string]any {
	return map[string]any{"start": "cpf", "steps": []map[string]any{
		{"id": "cpf", "type": "ask", "text": "Para o financeiro, qual é o seu CPF?", "attribute": "cpf", "validate": "cpf",
			"invalid_text": "Esse CPF não parece válido. Pode conferir?", "next": "menu"},
		{"id": "menu", "type": "menu", "text": "O que você precisa?", "options": []map[string]any{
			{"label": "2ª via de boleto", "keywords": []string{"segunda via"}, "next": "bill"},
			{"label": "Falar com atendente", "keywords": []string{"atendente", "pessoa"}, "next": "human"},
		}},
		{"id": "bill", "type": "message", "text": "Enviamos a 2ª via para o CPF {{attributes.cpf}}.", "next": "bye"},
		{"id": "bye", "type": "resolve", "text": "Obrigado pelo contato!"},
		{"id": "human", "type": "handoff", "text": "Um atendente do financeiro já vai falar com você."},
	}}
}

// setUpBots gives Vendas (the default department) the reception bot and
// Financeiro the billing bot.
func setUpBots(t *testing.T, h *testAPI) (reception, billing store.Bot) {
	t.Helper()
	f := h.fix
	h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Recepção", "kind": "flow", "flow": receptionFlow(f.Financeiro.ID)}).into(t, &reception)
	h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Financeiro", "kind": "flow", "flow": billingFlow()}).into(t, &billing)
	var d store.Department
	h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": reception.ID}).into(t, &d)
	if d.BotID == nil || *d.BotID != reception.ID {
		t.Fatalf("Vendas after PATCH: %+v", d)
	}
	h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Financeiro.ID), map[string]any{"bot_id": billing.ID})
	return reception, billing
}

// botTexts are the bot's messages to the customer after the first skip ones.
func botTexts(h *testAPI, conv int64) []store.Message {
	var out []store.Message
	for _, m := range h.messages(conv) {
		if m.SenderType == store.SenderBot && m.Kind != store.KindEvent {
			out = append(out, m)
		}
	}
	return out
}

// TestBotsSeedScenario is seeds 000/001 end to end through the API
// channel: the customer answers the reception's menu in words, passes to
// Financeiro's bot without a human, gives a CPF (a wrong one first), asks
// for a person, waits in Financeiro's queue and is assigned to its online
// agent; afterwards the bot is silent.
func TestBotsSeedScenario(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		setUpBots(t, h)
		h.must(200, actAgentB, "PUT", "/api/v1/me/presence", map[string]any{"presence": "online"})
		h.must(200, actAdmin, "PUT", fmt.Sprintf("/api/v1/departments/%d/assignment", f.Financeiro.ID), map[string]any{"mode": "round_robin"})

		customer := h.uniq("ana")
		say := func(text string) int64 {
			t.Helper()
			body := inboundBody(h.uniq("m"), customer, text)
			body["contact"] = map[string]any{"id": customer, "name": "Ana Souza"}
			return h.inbound(f.ChannelToken, body, 201).ConversationID
		}
		last := func(conv int64) store.Message {
			t.Helper()
			texts := botTexts(h, conv)
			if len(texts) == 0 {
				t.Fatal("the bot said nothing")
			}
			return texts[len(texts)-1]
		}

		conv := say("oi")
		c := h.conversation(f.WS.ID, conv)
		if c.Status != store.StatusBot || c.Dept() != f.Vendas.ID {
			t.Fatalf("new conversation: %s in %d, want bot in Vendas", c.Status, c.Dept())
		}
		texts := botTexts(h, conv)
		if len(texts) != 2 || texts[0].Content != "Olá, Ana! Bem-vindo à Becon." {
			t.Fatalf("greeting: %+v", texts)
		}
		menu := texts[1]
		if !strings.Contains(menu.Content, "1 – Vendas") || !slices.Equal(menu.Choices, []string{"Vendas", "Financeiro", "Falar com atendente"}) {
			t.Fatalf("menu: %q %v", menu.Content, menu.Choices)
		}
		// the menu goes out like any reply, through the delivery queue
		var jobs int
		if err := h.raw.QueryRow(`SELECT COUNT(*) FROM jobs WHERE dedup_key = $1`, fmt.Sprintf("deliver:%d", menu.ID)).Scan(&jobs); err != nil || jobs != 1 {
			t.Fatalf("delivery jobs of the menu: %d %v", jobs, err)
		}

		if say("quero pagar um boleto") != conv {
			t.Fatal("the answer opened another conversation")
		}
		c = h.conversation(f.WS.ID, conv)
		if c.Status != store.StatusBot || c.Dept() != f.Financeiro.ID || c.AssigneeID != nil {
			t.Fatalf("after choosing billing: %s in %d assignee %v, want Financeiro's bot", c.Status, c.Dept(), c.AssigneeID)
		}
		if got := last(conv).Content; got != "Para o financeiro, qual é o seu CPF?" {
			t.Fatalf("Financeiro's bot: %q", got)
		}
		say("123.456.789-00")
		if got := last(conv).Content; got != "Esse CPF não parece válido. Pode conferir?" {
			t.Fatalf("wrong CPF answered %q", got)
		}
		say("529.982.247-25")
		ct, err := h.db.R().Contact(t.Context(), f.WS.ID, c.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if ct.Attributes["cpf"] != "52998224725" {
			t.Fatalf("contact attributes %v", ct.Attributes)
		}
		if m := last(conv); !slices.Equal(m.Choices, []string{"2ª via de boleto", "Falar com atendente"}) {
			t.Fatalf("second menu %q %v", m.Content, m.Choices)
		}
		if c = h.conversation(f.WS.ID, conv); c.Waiting() {
			t.Fatal("the bot answered, yet the thermometer runs")
		}
		say("2")
		if got := last(conv).Content; got != "Um atendente do financeiro já vai falar com você." {
			t.Fatalf("hand-off text %q", got)
		}
		eventually(t, 10*time.Second, "assigned to Financeiro's online agent", func() bool {
			c = h.conversation(f.WS.ID, conv)
			return c.Status == store.StatusOpen && c.Assignee() == f.AgentB.ID
		})
		if c.Dept() != f.Financeiro.ID || !c.Waiting() {
			t.Fatalf("after hand-off: dept %d waiting %v", c.Dept(), c.Waiting())
		}
		// the timeline tells the story: bot, transfer by the bot, bot, hand-off, assigned
		var story []string
		for _, m := range h.messages(conv) {
			if m.Kind == store.KindEvent {
				story = append(story, m.Event.Type+"/"+m.Event.ActorType)
			}
		}
		want := []string{"created/system", "bot_started/bot", "transferred/bot", "bot_started/bot", "handoff/bot", "assigned/system"}
		if !slices.Equal(story, want) {
			t.Fatalf("timeline %v, want %v", story, want)
		}
		// the bot's part is over: nothing answers the customer but people
		n := len(botTexts(h, conv))
		say("alô?")
		if got := len(botTexts(h, conv)); got != n {
			t.Fatalf("the bot spoke after the hand-off (%d → %d)", n, got)
		}
	})
}

// TestBotHandOffRules holds the BotConversa rules message by message: an
// assignee who has not written leaves the bot running; their first message
// pauses it; a person writing in an unassigned conversation pauses it
// without taking it; resolving re-activates automation for the next cycle.
func TestBotHandOffRules(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		setUpBots(t, h)
		customer := h.uniq("bia")
		say := func(text string) int64 {
			return h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, text), 201).ConversationID
		}
		conv := say("oi")
		h.must(200, actSupervisor, "POST", fmt.Sprintf("/api/v1/conversations/%d/assign", conv), map[string]any{"assignee_id": f.AgentA.ID})
		if c := h.conversation(f.WS.ID, conv); c.Status != store.StatusOpen || c.AutomationPaused {
			t.Fatalf("assigned: %s paused %v", c.Status, c.AutomationPaused)
		}
		n := len(botTexts(h, conv))
		say("hmm")
		if got := len(botTexts(h, conv)); got <= n {
			t.Fatal("assigned, assignee silent: the bot must still answer")
		}
		h.reply(actAgentA, conv, "reply", "Oi, aqui é a Ana do time de vendas")
		if c := h.conversation(f.WS.ID, conv); !c.AutomationPaused || !c.AssigneeReplied {
			t.Fatalf("after the assignee wrote: paused %v replied %v", c.AutomationPaused, c.AssigneeReplied)
		}
		n = len(botTexts(h, conv))
		say("1")
		if got := len(botTexts(h, conv)); got != n {
			t.Fatal("the bot answered after the assignee wrote")
		}
		h.must(200, actAgentA, "POST", fmt.Sprintf("/api/v1/conversations/%d/resolve", conv), map[string]any{})
		next := say("oi de novo")
		if next == conv {
			t.Fatal("a message after resolve must open a new cycle")
		}
		if c := h.conversation(f.WS.ID, next); c.Status != store.StatusBot || c.AutomationPaused {
			t.Fatalf("new cycle: %s paused %v, want the bot again", c.Status, c.AutomationPaused)
		}

		// someone writes in a conversation nobody was assigned: the bot
		// stops, and the conversation is still nobody's
		other := h.uniq("caio")
		conv2 := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), other, "oi"), 201).ConversationID
		h.reply(actSupervisor, conv2, "reply", "Olá! Posso ajudar?")
		c := h.conversation(f.WS.ID, conv2)
		if c.AssigneeID != nil || c.Status != store.StatusQueued || !c.AutomationPaused {
			t.Fatalf("after a person wrote unassigned: %s assignee %v paused %v", c.Status, c.AssigneeID, c.AutomationPaused)
		}
		n = len(botTexts(h, conv2))
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), other, "2"), 201)
		if got := len(botTexts(h, conv2)); got != n {
			t.Fatal("the bot answered after a person wrote")
		}
	})
}

// TestBotResolvesAndRetries: the billing bot resolves by itself; a menu
// not understood is asked again, and past the retries a person takes over.
func TestBotResolvesAndRetries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		setUpBots(t, h)
		customer := h.uniq("duda")
		say := func(text string) int64 {
			return h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, text), 201).ConversationID
		}
		conv := say("oi")
		say("financeiro")
		say("52998224725")
		say("segunda via")
		c := h.conversation(f.WS.ID, conv)
		if c.Status != store.StatusResolved || c.AutomationPaused {
			t.Fatalf("after the bill: %s paused %v, want resolved by the bot", c.Status, c.AutomationPaused)
		}
		texts := botTexts(h, conv)
		if got := texts[len(texts)-2].Content; got != "Enviamos a 2ª via para o CPF 52998224725." {
			t.Fatalf("bill text %q", got)
		}

		// a new cycle: three answers not understood (two retries allowed)
		conv = say("bom dia")
		for i := 0; i < 3; i++ {
			say("banana")
		}
		c = h.conversation(f.WS.ID, conv)
		if c.Status != store.StatusQueued || c.Dept() != f.Vendas.ID {
			t.Fatalf("after three misses: %s in %d, want Vendas' queue", c.Status, c.Dept())
		}
	})
}

// TestBotsAPI: validation, tenancy, the test panel and agent bot tokens.
func TestBotsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		reception, _ := setUpBots(t, h)

		bad := []map[string]any{
			{"name": "x", "kind": "flow"},
			{"name": "x", "kind": "robot", "flow": billingFlow()},
			{"name": "", "kind": "flow", "flow": billingFlow()},
			{"name": "x", "kind": "flow", "flow": map[string]any{"start": "nowhere", "steps": []any{}}},
			{"name": "x", "kind": "flow", "flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "transfer", "department_id": f.Dept2.ID}}}},
			{"name": "x", "kind": "flow", "flow": map[string]any{"start": "a", "steps": []map[string]any{{"id": "a", "type": "message", "text": "x", "next": "a"}}}},
			{"name": "x", "kind": "agent"},
		}
		for i, body := range bad {
			if r := h.as(actAdmin, "POST", "/api/v1/bots", body); r.status != 422 {
				t.Errorf("bad bot %d: %d %s", i, r.status, r.body)
			}
		}
		h.must(409, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Recepção", "kind": "flow", "flow": billingFlow()})
		h.must(403, actAgentA, "POST", "/api/v1/bots", map[string]any{"name": "y", "kind": "flow", "flow": billingFlow()})
		h.must(422, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": 999999})
		h.must(404, actAdmin2, "GET", fmt.Sprintf("/api/v1/bots/%d", reception.ID), nil)

		// the test panel runs a draft without storing anything
		var res struct {
			Actions []struct {
				Kind    string   `json:"kind"`
				Text    string   `json:"text"`
				Choices []string `json:"choices"`
			} `json:"actions"`
			State struct {
				Step    string `json:"step"`
				Retries int    `json:"retries"`
			} `json:"state"`
			Done       bool           `json:"done"`
			Attributes map[string]any `json:"attributes"`
		}
		path := fmt.Sprintf("/api/v1/bots/%d/test", reception.ID)
		h.must(200, actSupervisor, "POST", path, map[string]any{"contact": map[string]any{"name": "Eva Lima"}}).into(t, &res)
		if res.Done || res.State.Step != "main" || len(res.Actions) != 2 || res.Actions[0].Text != "Olá, Eva! Bem-vindo à Becon." {
			t.Fatalf("panel start: %+v", res)
		}
		h.must(200, actSupervisor, "POST", path, map[string]any{"state": res.State, "input": "3"}).into(t, &res)
		if !res.Done || res.Actions[len(res.Actions)-1].Kind != "handoff" {
			t.Fatalf("panel answer: %+v", res)
		}
		h.must(200, actSupervisor, "POST", path, map[string]any{"flow": billingFlow(), "state": map[string]any{"step": "cpf", "retries": 0}, "input": "52998224725"}).into(t, &res)
		if res.Attributes["cpf"] != "52998224725" {
			t.Fatalf("panel draft: %+v", res)
		}
		h.must(403, actAgentA, "POST", path, map[string]any{})

		// an agent bot's token and secret show once
		var created struct {
			store.Bot
			Token  string `json:"token"`
			Secret string `json:"secret"`
		}
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "IA", "kind": "agent", "url": "https://bot.example.com/events"}).into(t, &created)
		if !strings.HasPrefix(created.Token, "atb_") || created.Secret == "" || !strings.HasPrefix(created.Token, created.TokenPrefix) {
			t.Fatalf("agent bot credentials: %+v", created)
		}
		r := h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/bots/%d", created.ID), nil)
		if strings.Contains(string(r.body), created.Token) || strings.Contains(string(r.body), created.Secret) {
			t.Fatal("a read shows the agent bot's credentials")
		}
		h.must(204, actAdmin, "DELETE", fmt.Sprintf("/api/v1/bots/%d", reception.ID), nil)
		var d store.Department
		h.must(200, actAdmin, "GET", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), nil).into(t, &d)
		if d.BotID != nil {
			t.Fatalf("Vendas still has bot %d", *d.BotID)
		}
	})
}

// TestBotTransferRing: two bots that only pass the customer to each other
// stop after a bounded number of hops and leave the conversation in a
// queue; a person's transfer ends the bot's part at once.
func TestBotTransferRing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		pass := func(to int64) map[string]any {
			return map[string]any{"start": "go", "steps": []map[string]any{{"id": "go", "type": "transfer", "department_id": to}}}
		}
		var a, b store.Bot
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "A", "kind": "flow", "flow": pass(f.Financeiro.ID)}).into(t, &a)
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "B", "kind": "flow", "flow": pass(f.Vendas.ID)}).into(t, &b)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": a.ID})
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Financeiro.ID), map[string]any{"bot_id": b.ID})
		conv := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), h.uniq("c"), "oi"), 201).ConversationID
		if c := h.conversation(f.WS.ID, conv); c.Status != store.StatusQueued {
			t.Fatalf("after the ring: %s, want queued", c.Status)
		}
		hops := 0
		for _, m := range h.messages(conv) {
			if m.Kind == store.KindEvent && m.Event.Type == "transferred" {
				hops++
			}
		}
		if hops != 6 {
			t.Fatalf("%d transfers, want 6 (the first bot and five hops)", hops)
		}

		// a person moves a conversation a bot is running: the bot stops
		reception, _ := setUpBots(t, h)
		_ = reception
		customer := h.uniq("eva")
		conv = h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "oi"), 201).ConversationID
		h.must(200, actSupervisor, "POST", fmt.Sprintf("/api/v1/conversations/%d/transfer", conv), map[string]any{"department_id": f.Financeiro.ID})
		n := len(botTexts(h, conv))
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "1"), 201)
		if c := h.conversation(f.WS.ID, conv); c.Status != store.StatusQueued || len(botTexts(h, conv)) != n {
			t.Fatalf("after a person's transfer: %s, bot texts %d → %d", c.Status, n, len(botTexts(h, conv)))
		}
	})
}

// TestBotSeesItsLabelsLater: a label the bot put on the conversation in
// one turn is seen by a condition in a later turn (the conversation is
// read again for each customer message).
func TestBotSeesItsLabelsLater(t *testing.T) {
	forEachEngine(t, func(t *testing.T, engine string) {
		h := newTestAPI(t, engine)
		f := h.fix
		var vip store.Label
		h.must(201, actAdmin, "POST", "/api/v1/labels", map[string]any{"name": "VIP", "color": "#d97706"}).into(t, &vip)
		flow := map[string]any{"start": "mark", "steps": []map[string]any{
			{"id": "mark", "type": "label", "label_ids": []int64{vip.ID}, "next": "name"},
			{"id": "name", "type": "ask", "text": "Qual é o seu nome?", "attribute": "nome", "next": "check"},
			{"id": "check", "type": "condition", "branches": []map[string]any{{"when": map[string]any{"has_label_ids": []int64{vip.ID}}, "next": "vip"}}, "else": "plain"},
			{"id": "vip", "type": "handoff", "text": "Cliente VIP, {{attributes.nome}}!"},
			{"id": "plain", "type": "handoff", "text": "Obrigado, {{attributes.nome}}."},
		}}
		var b store.Bot
		h.must(201, actAdmin, "POST", "/api/v1/bots", map[string]any{"name": "Marcador", "kind": "flow", "flow": flow}).into(t, &b)
		h.must(200, actAdmin, "PATCH", fmt.Sprintf("/api/v1/departments/%d", f.Vendas.ID), map[string]any{"bot_id": b.ID})
		customer := h.uniq("vip")
		conv := h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "oi"), 201).ConversationID
		h.inbound(f.ChannelToken, inboundBody(h.uniq("m"), customer, "Joana"), 201)
		texts := botTexts(h, conv)
		if got := texts[len(texts)-1].Content; got != "Cliente VIP, Joana!" {
			t.Fatalf("after the answer: %q", got)
		}
	})
}

package httpapi

import (
	"html/template"
	"net/http"
	"strings"
)

// setupPage is the one-time first-admin form linked from the first start's
// output, for binaries without the web app (which has its own setup screen).
var setupPage = template.Must(template.New("setup").Parse(`<!doctype html>
<html lang="{{.Lang}}"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Atende — {{.T.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#111827}
label{display:block;margin:.75rem 0 .25rem;font-weight:600}input{width:100%;padding:.5rem;border:1px solid #9ca3af;border-radius:.375rem;box-sizing:border-box}
button{margin-top:1.25rem;padding:.6rem 1rem;border:0;border-radius:.375rem;background:#1d4ed8;color:#fff;font-weight:600;cursor:pointer}
button:focus-visible,input:focus-visible{outline:3px solid #93c5fd;outline-offset:1px}#msg{margin-top:1rem}
</style>
<h1>Atende</h1><p>{{.T.Intro}}</p>
<form id="f"><input type="hidden" name="token" value="{{.Token}}">
<label for="workspace">{{.T.Workspace}}</label><input id="workspace" name="workspace" required>
<label for="name">{{.T.Name}}</label><input id="name" name="name" required autocomplete="name">
<label for="email">E-mail</label><input id="email" name="email" type="email" required autocomplete="email">
<label for="password">{{.T.Password}}</label><input id="password" name="password" type="password" minlength="8" required autocomplete="new-password">
<button>{{.T.Submit}}</button></form><p id="msg" role="status"></p>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = Object.fromEntries(new FormData(e.target));
  const r = await fetch('/api/v1/setup', {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  const j = await r.json();
  document.getElementById('msg').textContent = r.ok ? {{.T.Done}} + ' ' + j.email : (j.error && j.error.message);
});
</script></html>`))

type setupTexts struct{ Title, Intro, Workspace, Name, Password, Submit, Done string }

var setupLang = map[string]setupTexts{
	"pt-BR": {"Primeiro acesso", "Crie a conta da empresa e o primeiro administrador.", "Nome da empresa", "Seu nome", "Senha (mínimo 8 caracteres)",
		"Criar administrador", "Pronto! Entre com"},
	"en": {"First start", "Create your company's workspace and its first admin.", "Company name", "Your name", "Password (at least 8 characters)",
		"Create admin", "Done! Sign in as"},
}

// setupForm serves the first-admin form: the web app's own setup screen
// when the app is built in, this plain form otherwise.
func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	if s.UI != nil {
		s.UI.ServeHTTP(w, r)
		return nil
	}
	lang := "en"
	if strings.Contains(strings.ToLower(r.Header.Get("Accept-Language")), "pt") {
		lang = "pt-BR"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	return setupPage.Execute(w, map[string]any{"Lang": lang, "T": setupLang[lang], "Token": r.URL.Query().Get("token")})
}

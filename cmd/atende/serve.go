package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/atende/atende/internal/access"
	"github.com/atende/atende/internal/auth"
	"github.com/atende/atende/internal/blob"
	"github.com/atende/atende/internal/channel/apichannel"
	"github.com/atende/atende/internal/channel/email"
	"github.com/atende/atende/internal/channel/email/mailbox"
	"github.com/atende/atende/internal/channel/meta"
	"github.com/atende/atende/internal/channel/providers"
	"github.com/atende/atende/internal/channel/sms"
	"github.com/atende/atende/internal/channel/telegram"
	"github.com/atende/atende/internal/channel/whatsapp"
	"github.com/atende/atende/internal/config"
	"github.com/atende/atende/internal/conversation"
	"github.com/atende/atende/internal/demo"
	"github.com/atende/atende/internal/events"
	"github.com/atende/atende/internal/httpapi"
	"github.com/atende/atende/internal/jobs"
	"github.com/atende/atende/internal/medialink"
	"github.com/atende/atende/internal/realtime"
	"github.com/atende/atende/internal/secrets"
	"github.com/atende/atende/internal/store"
	"github.com/atende/atende/internal/webhook"
	"github.com/atende/atende/internal/widget"
	"github.com/atende/atende/web"
)

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func openStore(ctx context.Context, cfg config.Config) (*store.DB, error) {
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// serve is the composition root: it builds the store, event bus, services,
// job runner and HTTP server, and shuts them down in order on SIGTERM.
func serve(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	started := time.Now()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withDemo := fs.Bool("demo", false, "fill a demo workspace on start and print its logins")
	cfg, err := config.Load(fs, args, env)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, stderr)
	if err := cfg.EnsureSecretKey(); err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()

	var bus events.Bus = events.NewLocal()
	if cfg.NATSURL != "" {
		nb, err := events.NewNATS(cfg.NATSURL, log)
		if err != nil {
			return fmt.Errorf("connect to NATS: %w", err)
		}
		bus = nb
	}
	defer bus.Close()

	blobs, err := blob.New(filepath.Join(cfg.DataDir, "attachments"), cfg.MaxAttachmentBytes)
	if err != nil {
		return err
	}
	box, err := secrets.New(cfg.SecretKey)
	if err != nil {
		return err
	}
	runner := jobs.New(db, log, cfg.Workers)
	runner.SetLease(cfg.JobLease)
	runner.BaseBackoff = cfg.JobBackoff
	convs := conversation.New(db, bus, runner, log)
	provs := &providers.Settings{TelegramAPIURL: cfg.TelegramAPIURL, WhatsAppAPIURL: cfg.WhatsAppAPIURL, SMSAPIURL: cfg.SMSAPIURL, MetaAPIURL: cfg.MetaAPIURL, HTTP: &http.Client{Timeout: 30 * time.Second}, Secrets: box}
	deliverer := &apichannel.Deliverer{DB: db, Blobs: blobs, Status: convs, Client: &http.Client{Timeout: 30 * time.Second}, Secrets: box}
	tgDeliverer := &providers.TelegramDeliverer{DB: db, Blobs: blobs, Status: convs, Providers: provs}
	waDeliverer := &providers.WhatsAppDeliverer{DB: db, Blobs: blobs, Status: convs, Providers: provs, Now: convs.Now}
	links, err := medialink.New(cfg.SecretKey)
	if err != nil {
		return err
	}
	if medialink.Unreachable(cfg.BaseURL) {
		log.Warn("media links point at a local address: SMS providers cannot fetch MMS media from it; set ATENDE_BASE_URL to the server's public URL", "base_url", cfg.BaseURL)
	}
	smsDeliverer := &providers.SMSDeliverer{DB: db, Blobs: blobs, Status: convs, Providers: provs, MediaURL: links.Publisher(cfg.BaseURL)}
	metaDeliverer := &providers.MetaDeliverer{DB: db, Blobs: blobs, Status: convs, Providers: provs, Now: convs.Now}
	dispatch := &providers.Dispatcher{DB: db, Status: convs, Kinds: map[string]jobs.Handler{
		apichannel.Kind:    deliverer.Handle,
		telegram.Kind:      tgDeliverer.Handle,
		whatsapp.Kind:      waDeliverer.Handle,
		sms.Kind:           smsDeliverer.Handle,
		meta.KindMessenger: metaDeliverer.Handle,
		meta.KindInstagram: metaDeliverer.Handle,
		widget.Kind:        widget.Deliverer{Status: convs}.Handle,
		email.Kind:         (&mailbox.Deliverer{DB: db, Blobs: blobs, Status: convs, Providers: provs}).Handle,
	}}
	runner.Handle(conversation.JobDeliver, dispatch.Handle)
	runner.Handle(conversation.JobWake, convs.HandleWake)
	runner.Handle(conversation.JobAssign, convs.HandleAssign)
	hooks := webhook.New(db, box, &webhook.Guard{AllowPrivate: cfg.WebhooksAllowPrivate}, runner, log)
	convs.SetOutbox(hooks)
	runner.Handle(webhook.JobDeliver, hooks.Handle)
	runner.Handle(conversation.JobBotEvent, hooks.HandleBotEvent)
	convs.AddOutbox(convs.RulesOutbox())
	convs.SetRuleWebhooks(hooks)
	runner.Handle(conversation.JobRules, convs.HandleRules)
	runner.Handle(conversation.JobRulesScan, convs.HandleRulesScan)
	if err := convs.StartRulesScan(ctx); err != nil {
		return fmt.Errorf("start automation rules scan: %w", err)
	}
	hub := realtime.New(bus, log)
	visitors := widget.NewHub(bus, log)

	var setupToken string
	if n, err := db.R().CountUsers(ctx); err != nil {
		return err
	} else if n == 0 && !*withDemo {
		setupToken, _ = auth.NewToken(auth.PrefixSetup)
	}
	var ui http.Handler // nil: the stub page at / and the plain setup form
	if web.Embedded() {
		ui = web.Handler()
	}
	api := httpapi.New(httpapi.Deps{DB: db, Conversations: convs, Bus: bus, Hub: hub, WidgetHub: visitors, Blobs: blobs, Secrets: box, Jobs: runner, Log: log, Webhooks: hooks,
		Providers: provs, BaseURL: cfg.BaseURL, MediaLinks: links, CookieSecure: cfg.CookieSecure, SetupToken: setupToken, UI: ui,
		WidgetFiles: web.Widget(), TrustedProxies: cfg.TrustedProxies, WidgetSessionsPerIP: cfg.WidgetSessionsPerIP})

	var logins []demo.Login
	if *withDemo {
		// before the job runner starts, so the demo's simulated delivery
		// reports win over the demo channel's missing callback URL
		if logins, err = demo.Fill(ctx, db, convs); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	// e-mail: IMAP pollers on every node, and the SMTP receiver when configured
	ingester := &mailbox.Ingester{DB: db, Blobs: blobs, Conversations: convs, Log: log}
	var receiver *mailbox.Receiver
	var smtpLn net.Listener
	if cfg.SMTPAddr != "" {
		if smtpLn, err = net.Listen("tcp", cfg.SMTPAddr); err != nil {
			ln.Close()
			return fmt.Errorf("smtp receiver: %w", err)
		}
		receiver = &mailbox.Receiver{DB: db, Providers: provs, Ingester: ingester, Log: log}
	}
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}

	jobsCtx, stopJobs := context.WithCancel(context.Background())
	defer stopJobs()
	jobsDone := make(chan struct{})
	go func() { runner.Run(jobsCtx); close(jobsDone) }()
	go sweepSessions(jobsCtx, db, log)
	mailDone := make(chan struct{})
	go func() {
		(&mailbox.Poller{DB: db, Providers: provs, Ingester: ingester, Log: log, Interval: cfg.EmailPollInterval}).Run(jobsCtx)
		close(mailDone)
	}()
	if receiver != nil {
		go func() {
			if err := receiver.Serve(smtpLn); err != nil {
				log.Error("smtp receiver", "err", err)
			}
		}()
		log.Info("atende: smtp receiver listening", "addr", smtpLn.Addr().String())
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	log.Info("atende: listening", "addr", ln.Addr().String(), "database", db.Dialect().String(), "nats", cfg.NATSURL != "",
		"ui", uiState(), "startup_ms", time.Since(started).Milliseconds())
	fmt.Fprintf(stdout, "Atende is running at %s (database: %s, ui: %s)\n", cfg.BaseURL, db.Dialect(), uiState())
	if !web.Embedded() {
		fmt.Fprintln(stdout, "The web app is not built into this binary: `make build` builds it. The API works without it.")
	}
	if *withDemo {
		printLogins(stdout, cfg.BaseURL, logins)
	} else if setupToken != "" {
		fmt.Fprintf(stdout, "\nNo users yet. Create the first admin either way:\n"+
			"  • open %s/setup?token=%s\n"+
			"  • or run: echo 'a-strong-password' | atende user create --workspace \"My company\" --email you@example.com --role admin --password-stdin\n"+
			"Or start with --demo (what `make run` does) to explore a demo inbox.\n", cfg.BaseURL, setupToken)
	}

	select {
	case err := <-serveErr:
		if receiver != nil {
			_ = receiver.Close()
		}
		stopJobs()
		<-jobsDone
		return err
	case <-ctx.Done():
	}
	log.Info("atende: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = hub.Close()
	_ = visitors.Close()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Warn("atende: http shutdown", "err", err)
	}
	if receiver != nil {
		_ = receiver.Close()
	}
	stopJobs()
	select {
	case <-mailDone:
	case <-shutdownCtx.Done():
	}
	select {
	case <-jobsDone:
	case <-shutdownCtx.Done():
		log.Warn("atende: jobs still running at shutdown deadline; their leases will expire and they will run again")
	}
	log.Info("atende: stopped")
	return nil
}

// uiState says whether the web app is built into this binary, as /healthz does.
func uiState() string {
	if web.Embedded() {
		return httpapi.UIEmbedded
	}
	return httpapi.UIMissing
}

func printLogins(w io.Writer, baseURL string, logins []demo.Login) {
	fmt.Fprintf(w, "\nDemo workspace ready. Sign in at %s with any of these (password: %s):\n", baseURL, demo.Password)
	for _, l := range logins {
		fmt.Fprintf(w, "  %-11s %-28s %s\n", l.Role, l.Email, l.Note)
	}
	fmt.Fprintln(w)
}

func migrate(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	cfg, err := config.Load(fs, args, env)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s) on %s\n", n, db.Dialect())
	return nil
}

func userCreate(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	workspace := fs.String("workspace", "", "workspace name (created when missing)")
	email := fs.String("email", "", "e-mail (login)")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "admin", "admin, supervisor or agent")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	cfg, err := config.Load(fs, args, env)
	if err != nil {
		return err
	}
	if !*fromStdin {
		return fmt.Errorf("pass --password-stdin and the password on standard input (never on the command line)")
	}
	b, err := io.ReadAll(io.LimitReader(stdin, 4096))
	if err != nil {
		return err
	}
	password := strings.TrimRight(string(b), "\r\n")
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := httpapi.CreateUser(ctx, db, *workspace, store.User{Email: *email, Name: *name, Role: access.Role(*role)}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (id %d) in workspace %q\n", u.Role, u.Email, u.ID, *workspace)
	return nil
}

func tokenCreate(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	email := fs.String("email", "", "the user's e-mail")
	name := fs.String("name", "cli", "a name to recognise the token by")
	cfg, err := config.Load(fs, args, env)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.R().UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("no user with e-mail %q", *email)
	}
	token, hash := auth.NewToken(auth.PrefixUser)
	if _, err := db.W().CreateAPIToken(ctx, u.WorkspaceID, u.ID, *name, hash, token[:len(auth.PrefixUser)+4]); err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func demoCmd(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	cfg, err := config.Load(fs, args, env)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	convs := conversation.New(db, nil, nil, newLogger("warn", os.Stderr))
	logins, err := demo.Fill(ctx, db, convs)
	if err != nil {
		return err
	}
	printLogins(stdout, cfg.BaseURL, logins)
	return nil
}

// channelEventsKept is how long handled provider webhook events are
// remembered; providers give up re-delivering within a day.
const channelEventsKept = 7 * 24 * time.Hour

// sweepSessions deletes expired browser sessions, and provider webhook
// events older than channelEventsKept, once an hour.
func sweepSessions(ctx context.Context, db *store.DB, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if err := db.W().DeleteExpiredSessions(ctx); err != nil && ctx.Err() == nil {
			log.Warn("atende: sweep sessions", "err", err)
		}
		if err := db.W().PruneChannelEvents(ctx, time.Now().Add(-channelEventsKept).UnixMilli()); err != nil && ctx.Err() == nil {
			log.Warn("atende: sweep channel events", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

# Atende — two commands for a newcomer: `make run` and `make test`.
GO      ?= go
BIN     := bin/atende
PKGS    := ./...
FUZZTIME ?= 10s
# fuzz-short counts executions, not seconds: a time limit can end a slow
# input mid-call, which the fuzzer reports as "context deadline exceeded"
# on a busy machine.
FUZZ_SHORT ?= 5000x

.PHONY: run serve build ui test vet fmt-check unit fuzz-short fuzz bench soak clean web-test e2e bench-ui

## run: build (the web app too, when missing or stale) and start on http://localhost:8080 with
## SQLite in ./data and a demo workspace; prints the logins
run: build
	./$(BIN) serve --demo

## serve: build and start without demo data (first start prints how to create the admin)
serve: build
	./$(BIN) serve

build: ui
	$(GO) build -o $(BIN) ./cmd/atende

# The web app (web/, Vite + React) is built into web/dist/app, which the binary
# embeds. Make's timestamps rebuild it only when a source changed. Without
# npm the binary is built with a stub page and /healthz says "ui":"missing".
WEB_SRC := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json web/scripts \
	web/package.json internal/httpapi/openapi/openapi.json -type f 2>/dev/null)

ui: web/dist/app/index.html web/dist/widget/widget.js

web/node_modules/.package-lock.json: web/package-lock.json
	@if command -v npm >/dev/null; then cd web && npm ci --no-audit --no-fund; \
	else echo "*** npm not found: building without the web app (install Node.js 20+ for the UI)"; fi

web/dist/app/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	@if command -v npm >/dev/null; then cd web && npm run build; \
	else echo "*** npm not found: the binary serves a stub page instead of the web app"; fi

# The website chat widget (web/widget) is built into web/dist/widget, served at
# /widget.js and /widget/…; without npm the server answers 404 widget_missing there.
WIDGET_SRC := $(shell find web/widget web/vite.widget.config.ts -type f 2>/dev/null)

web/dist/widget/widget.js: web/node_modules/.package-lock.json $(WIDGET_SRC)
	@if command -v npm >/dev/null; then cd web && npx tsc -p widget/tsconfig.json && npm run build:widget; \
	else echo "*** npm not found: building without the website widget"; fi

## test: everything that proves the build — vet, format, unit/integration tests with -race on
## SQLite (and PostgreSQL/NATS when ATENDE_TEST_POSTGRES_URL / ATENDE_TEST_NATS_URL are set),
## short fuzz runs, the web app's type check and unit tests, and the browser end-to-end run
test: vet fmt-check unit fuzz-short web-test e2e

## web-test: the UI's API types against openapi.json, tsc, and Vitest
web-test: web/node_modules/.package-lock.json
	@if ! command -v npm >/dev/null; then echo "*** SKIPPED web tests: npm not found"; exit 0; fi; \
	cd web && npm run --silent check:api && npx tsc -b && npx vitest run && npx tsc -p widget/tsconfig.json && npm run --silent test:widget

## e2e: Playwright (playwright-core) in Debian's Chromium against the built binary
e2e: build
	@if ! command -v npm >/dev/null; then echo "*** SKIPPED e2e: npm not found"; exit 0; fi; \
	if [ ! -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then echo "*** SKIPPED e2e: $${CHROMIUM:-/usr/bin/chromium} not found (apt-get install chromium)"; exit 0; fi; \
	cd web && ATENDE_BIN=$(CURDIR)/$(BIN) npm run --silent e2e

## bench-ui: initial JS size, time to first inbox render and 10k-row scroll in Chromium
bench-ui: build
	cd web && ATENDE_BIN=$(CURDIR)/$(BIN) npx vitest run --config vitest.bench.config.ts

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# Each fuzz target runs a few seconds inside `make test`; `make fuzz` runs them longer.
FUZZ_TARGETS := \
	./internal/channel/apichannel:FuzzParseInbound \
	./internal/channel/apichannel:FuzzParseStatus \
	./internal/httpapi:FuzzInboundEndpoint \
	./internal/blob:FuzzSave \
	./internal/channel/whatsapp:FuzzParse \
	./internal/channel/whatsapp:FuzzVerifySignature \
	./internal/channel/telegram:FuzzParse \
	./internal/channel/meta:FuzzParse \
	./internal/channel/sms:FuzzParseInbound \
	./internal/channel/sms:FuzzParseStatus \
	./internal/channel/sms:FuzzValidateSignature \
	./internal/channel/email:FuzzParse \
	./internal/channel/email/mailbox:FuzzValidAddress \
	./internal/helpcenter:FuzzRender \
	./internal/medialink:FuzzVerify \
	./internal/automation/hours:FuzzSchedule \
	./internal/automation/routing:FuzzParse \
	./internal/automation/rules:FuzzParse \
	./internal/automation/bot:FuzzParse \
	./internal/automation/bot:FuzzAdvance \
	./internal/automation/bot:FuzzValidate \
	./internal/channel:FuzzMenuPrompt \
	./internal/conversation:FuzzParseScore \
	./internal/httpapi:FuzzTelegramWebhook \
	./internal/httpapi:FuzzWhatsAppWebhook \
	./internal/httpapi:FuzzMetaWebhook \
	./internal/httpapi:FuzzSMSWebhook \
	./internal/httpapi:FuzzSMSStatusWebhook

fuzz-short:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZ_SHORT) $$pkg || exit 1; done

fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

## soak: the crash test's long form — 20 SIGKILL rounds while clients send (SQLite, and PostgreSQL when configured)
soak:
	ATENDE_CRASH_ROUNDS=20 $(GO) test -run TestCrashRecovery -count=1 -timeout 30m -v ./cmd/atende/

clean:
	rm -rf bin web/dist/app

## bench: Go benchmarks of the store and Receive, then a mid-size load run
## (100k conversations / 1M messages on SQLite, every phase); see BENCHMARKS.md.
## bench-full: the same load run at 1M conversations / 10M messages.
## seed: only seed (SEED_DIR, SEED_CONVERSATIONS, SEED_MESSAGES).
.PHONY: bench-full seed bench-tool
BENCH_DIR       ?= /tmp/atende-bench
BENCHTIME       ?= 2000x
LOAD_FLAGS      ?= --runs 3 --duration 10s
SEED_DIR        ?= $(BENCH_DIR)/seed
SEED_CONVERSATIONS ?= 100000
SEED_MESSAGES   ?= 1000000

bench-tool:
	$(GO) build -o bin/atende-bench ./cmd/atende-bench

bench: build bench-tool
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -short -timeout 20m ./internal/store/ ./internal/conversation/ ./internal/channel/email/
	rm -rf $(BENCH_DIR)/100k
	./bin/atende-bench seed --data $(BENCH_DIR)/100k --conversations 100000 --messages 1000000
	./bin/atende-bench load --data $(BENCH_DIR)/100k --phases idle,inbox,search,inbound,ws-latency,whatsapp,whatsapp-latency,widget $(LOAD_FLAGS)

bench-full: build bench-tool
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 30m ./internal/store/ ./internal/conversation/ ./internal/channel/email/
	rm -rf $(BENCH_DIR)/1m
	./bin/atende-bench seed --data $(BENCH_DIR)/1m --conversations 1000000 --messages 10000000
	./bin/atende-bench load --data $(BENCH_DIR)/1m --phases idle,inbox,search,inbound,ws-latency,whatsapp,whatsapp-latency,widget $(LOAD_FLAGS)

seed: build bench-tool
	rm -rf $(SEED_DIR)
	./bin/atende-bench seed --data $(SEED_DIR) --conversations $(SEED_CONVERSATIONS) --messages $(SEED_MESSAGES)

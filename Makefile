# Atende — two commands for a newcomer: `make run` and `make test`.
GO      ?= go
BIN     := bin/atende
PKGS    := ./...
FUZZTIME ?= 10s

.PHONY: run serve build test vet fmt-check unit fuzz-short fuzz bench soak clean

## run: build and start on http://localhost:8080 with SQLite in ./data and a demo workspace; prints the logins
run: build
	./$(BIN) serve --demo

## serve: build and start without demo data (first start prints how to create the admin)
serve: build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/atende

## test: everything that proves the build — vet, format, unit/integration tests with -race on
## SQLite (and PostgreSQL/NATS when ATENDE_TEST_POSTGRES_URL / ATENDE_TEST_NATS_URL are set),
## short fuzz runs and the short crash test
test: vet fmt-check unit fuzz-short

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
	./internal/channel/apichannel:FuzzParseStatus

fuzz-short:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		echo "fuzz $$pkg $$fn"; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime 3s $$pkg || exit 1; done

fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; fn=$${t##*:}; \
		$(GO) test -run '^$$' -fuzz "^$$fn$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

clean:
	rm -rf bin

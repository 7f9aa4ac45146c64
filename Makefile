# xingqu — see README.md. `make run` and `make test` need nothing but Go and the
# PostgreSQL server binaries; both start a private database when DATABASE_URL is unset.
SHELL   := /bin/bash
GO      ?= go
PGDIR   ?= $(CURDIR)/var/pg
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test vet bench stop-db fuzz clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/xingqu ./cmd/xingqu

# Starts (once initialising) a private PostgreSQL under ./var/pg unless DATABASE_URL is set.
run: build
	@if [ -z "$$DATABASE_URL" ]; then \
		DATABASE_URL=$$(bin/xingqu devdb start "$(PGDIR)") || exit 1; \
		export DATABASE_URL; \
	fi; \
	exec bin/xingqu serve

stop-db: build
	bin/xingqu devdb stop "$(PGDIR)"

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# Every package that needs PostgreSQL starts its own private cluster under /tmp (or uses
# DATABASE_URL when set); browser tests need Debian's chromium.
test: vet
	$(GO) test -race -count=1 -timeout 20m ./...
	@# The Telegram outbox's pace is a contract (30 s +-5%, zero 429): checked again without
	@# the race detector, once the machine is no longer busy with the other packages.
	$(GO) test -count=1 -run '^TestOutboxPace' ./bot/telegram/

# The figures in docs/benchmarks.md. The 1,000-stream load run (about 35 s a round) is
# separate: cd bot && go test -run '^$$' -bench BenchmarkWidgetStreams -benchtime=1x .
bench:
	@mkdir -p var
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./dialog/ ./providers/... | tee var/bench.txt
	$(GO) test -run '^$$' -bench 'PersistedTurn' -benchmem -count 5 ./bot/ | tee -a var/bench.txt

# docs/screenshots/: the widget and the console on a desktop and a phone, taken by the
# browser layout tests as they pass. Needs chromium and fonts-noto-cjk (see .ci/run).
.PHONY: screenshots
screenshots:
	cd bot && $(GO) test -count=1 -run '^TestBrowser(Widget|Console)Layout$$' . -screenshots $(CURDIR)/docs/screenshots

clean:
	rm -rf bin var/bench.txt

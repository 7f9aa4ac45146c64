# xingqu — see README.md. `make run` and `make test` need nothing but Go and the
# PostgreSQL server binaries; both start a private database when DATABASE_URL is unset.
SHELL   := /bin/bash
GO      ?= go
PGDIR   ?= $(CURDIR)/var/pg
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: build run test vet lint bench bench-load stop-db fuzz clean scale-test

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

# staticcheck (CI installs v0.8.2 with go install); a finding fails.
lint:
	staticcheck ./...

# Every package that needs PostgreSQL starts its own private cluster under /tmp (or uses
# DATABASE_URL when set); browser tests need Debian's chromium.
test: vet
	$(GO) test -race -count=1 -timeout 20m ./...
	@# The Telegram outbox's pace is a contract (30 s +-5%, zero 429): checked again without
	@# the race detector, once the machine is no longer busy with the other packages.
	$(GO) test -count=1 -run '^TestOutboxPace' ./channel/telegram/

# The figures in docs/benchmarks.md. The 1,000-stream load run (about 35 s a round) is
# separate: cd httpapi && go test -run '^$$' -bench BenchmarkWidgetStreams -benchtime=1x .
bench:
	@mkdir -p var
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./dialog/ ./providers/... | tee var/bench.txt
	$(GO) test -run '^$$' -bench 'PersistedTurn' -benchmem -count 5 ./pipeline/ | tee -a var/bench.txt
	@# A notice to 10,000 Telegram subscribers at TELEGRAM_RATE=200, about a minute a broadcast.
	$(GO) test -run '^$$' -bench '^BenchmarkBroadcast$$' -benchtime=1x -timeout 15m ./channel/telegram/ | tee -a var/bench.txt
	$(MAKE) bench-load

# Travellers end to end (see docs/benchmarks.md): Telegram at 50, 200 and 1,000, the widget
# at 1,000, and pgbench's figure for turn-shaped transactions; the table goes into the docs.
LOADRUNS := telegram-50 telegram-200 telegram-1000 widget-1000
bench-load: build
	$(GO) build -o bin/xingqu-load ./cmd/xingqu-load
	@mkdir -p var
	@for r in $(LOADRUNS); do \
		bin/xingqu-load -mode $${r%-*} -travellers $${r#*-} -json var/load-$$r.json -seconds var/load-$$r-seconds.csv || exit 1; \
	done
	bin/xingqu-load pgbench -json var/load-pgbench.json
	@bin/xingqu-load docs -reference var/load-pgbench.json $(LOADRUNS:%=var/load-%.json); s=$$?; \
		bin/xingqu devdb stop var/loadpg; exit $$s

# The scale-out scenario of docs/operations.md, not part of `make test` (about a minute; needs
# Debian's pgbouncer): PostgreSQL, PgBouncer in transaction mode, three instances, travellers
# through all of them. Its figures go in docs/benchmarks.md.
scale-test:
	@mkdir -p var
	set -o pipefail; $(GO) test -tags scale -count=1 -v -run '^TestScaleOut$$' -timeout 10m ./cmd/xingqu/ | tee var/scale-test.txt

# docs/screenshots/: the widget and the console on a desktop and a phone, taken by the
# browser layout tests as they pass. Needs chromium and fonts-noto-cjk (see .ci/run).
.PHONY: screenshots
screenshots:
	cd httpapi && $(GO) test -count=1 -run '^TestBrowser(Widget|Console)Layout$$' . -screenshots $(CURDIR)/docs/screenshots

clean:
	rm -rf bin var/bench.txt

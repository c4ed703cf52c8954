# TallyCat: `make run` builds everything and starts the stack; `make test`
# runs every test. Tools come from the Go module proxy (go.mod `tool` lines)
# and npm (web/package-lock.json), never from the Buf Schema Registry.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
export CGO_ENABLED := 1
TOOLS := $(CURDIR)/bin/tools
export PATH := $(TOOLS):$(CURDIR)/web/node_modules/.bin:$(PATH)

DB ?= ./data/tallycat.duckdb
GO_BINARIES := ./services/catalog/cmd/tallycat-catalog ./services/ingest/cmd/tallycat-ingest ./cmd/tallycat-demo ./cmd/tallycat
# telemetrygen is a test client; it is installed, not a go.mod tool, to keep
# the Collector's dependency tree out of our module.
TELEMETRYGEN_VERSION := v0.161.0

.PHONY: otelcol all deps tools generate check-generated build build-go build-web run demo screenshots dist test test-go test-web test-collector lint bench soak fuzz clean semconv

all: build

## deps: the system packages the tests use, from Debian's apt when missing:
## chromium (the UI's end-to-end test), docker-compose (which parses
## docker-compose.yml without an engine), python3 (the schema id's
## independent reference implementation) and postgresql (the PostgreSQL
## store's tests start throwaway clusters with its initdb), and prometheus
## (`tallycat consumers check --prometheus-url` reads its /api/v1/rules in
## e2e/inprocess). Needs root, as on CI.
deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	command -v gcc >/dev/null || missing="$$missing gcc"; \
	command -v python3 >/dev/null || missing="$$missing python3"; \
	[ -x /usr/bin/prometheus ] || missing="$$missing prometheus"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

## tools: the code generators and the buf CLI, at the versions the repo pins.
tools: $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-connect-go $(TOOLS)/telemetrygen web/node_modules/.installed

$(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-connect-go: go.mod
	GOBIN=$(TOOLS) go install google.golang.org/protobuf/cmd/protoc-gen-go connectrpc.com/connect/cmd/protoc-gen-connect-go

$(TOOLS)/telemetrygen:
	GOBIN=$(TOOLS) go install github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@$(TELEMETRYGEN_VERSION)

web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

## generate: regenerate gen/ and web/src/gen/ from proto/.
generate: tools
	bash scripts/generate.sh

## check-generated: fail when the committed generated code is stale.
check-generated: generate
	@if [ -n "$$(git status --porcelain -- gen web/src/gen)" ]; then \
		echo "generated code is stale: run 'make generate' and commit gen/ and web/src/gen/"; \
		git status --porcelain -- gen web/src/gen; git diff --stat -- gen web/src/gen; exit 1; fi
	@$(MAKE) --no-print-directory semconv >/dev/null; if [ -n "$$(git status --porcelain -- internal/semconv/builtin.json)" ]; then echo "internal/semconv/builtin.json is stale: run 'make semconv' and commit it"; git diff --stat -- internal/semconv/builtin.json; exit 1; fi

## semconv: regenerate internal/semconv/builtin.json, the semantic
## conventions built into the binary, from a model directory (default: the
## v1.44.0 copy in third_party/semconv, so a clean clone needs nothing else).
SEMCONV_MODEL ?= third_party/semconv/v1.44.0/model
semconv:
	go run ./internal/tools/semconvgen -model $(SEMCONV_MODEL) -out internal/semconv/builtin.json

## build: build the web UI into web/dist and the services into bin/.
build: build-web build-go

build-web: web/node_modules/.installed
	cd web && npm run build

build-go:
	go build -o bin/ $(GO_BINARIES)

## run: build everything and start the stack (catalog and ingest) on an
## embedded DuckDB file.
run: build
	DB=$(DB) bash scripts/run.sh

## demo: the stack on an in-memory catalog and a demo fleet whose metrics
## diverge the way real fleets' do.
demo: build
	bash scripts/demo.sh

## screenshots: every page at 1440 and 800 pixels wide, light and dark, on
## the demo's data (the demo stack on free ports, Chromium driven as the
## UI's end-to-end test drives it), into screenshots/ (ignored by git).
screenshots: build
	cd web && node e2e/screenshots.mjs --out ../screenshots --bin ../bin

## dist: release binaries with the UI inside, versioned from the git tag
## (`git tag v0.1.0 && make dist`).
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
dist: build-web
	mkdir -p dist
	go build -tags ui -trimpath -ldflags "-s -w -X github.com/tallycat/tallycat/internal/version.Version=$(VERSION)" -o dist/ $(GO_BINARIES)
	@dist/tallycat-catalog --version
	@dist/tallycat-ingest --version

## test: every test: the web UI's component tests, then the Go tests, which
## include the end-to-end tests in Chromium against the built UI.
test: deps test-web test-go

test-web: web/node_modules/.installed
	cd web && npm run typecheck && npm test

## test-go: every Go test, on DuckDB; then what sits above the store (the
## RPC tests and the UI's end-to-end test) again on PostgreSQL, on a
## throwaway cluster. The store suite itself runs on both engines in the
## first pass (services/catalog/duckdb and services/catalog/postgres).
## The commands the tests run as processes are built once, first, into
## bin/ ($TALLYCAT_TEST_BIN, see internal/testenv): test packages running
## at once would otherwise each compile them, at the same time, from an
## empty build cache on a fresh clone.
## Three test packages run at a time, not two (one per core): many wait
## on processes, PostgreSQL or Chromium rather than compute. The two
## PostgreSQL passes run side by side for the same reason; each has its
## own throwaway cluster.
test-go: tools build-web build-go
	TALLYCAT_TEST_BIN=$(CURDIR)/bin go test -race -count=1 -p 3 ./...
	@set +e; \
	TALLYCAT_TEST_STORE=postgres go test -race -count=1 ./services/catalog/api/ & api=$$!; \
	TALLYCAT_TEST_STORE=postgres TALLYCAT_TEST_BIN=$(CURDIR)/bin go test -race -count=1 -run TestUIInChromium ./e2e/ & ui=$$!; \
	wait $$api; a=$$?; wait $$ui; u=$$?; \
	echo "PostgreSQL passes: RPC tests exit $$a, UI test exit $$u"; [ $$a -eq 0 ] && [ $$u -eq 0 ]

## test-collector: the Collector configuration `tallycat collector-config`
## generates, run in a real OpenTelemetry Collector (contrib's transform and
## filter processors) between a Go SDK producer and the ingest, and its
## --drop-unused processors against the dashboards and rules of
## internal/consumers/testdata, fed host metrics and the Collector's own.
## Not part of `make test`: the first build of the Collector takes minutes; it is kept
## in bin/tools and rebuilt only when e2e/collector/builder.yaml changes.
## .ci/run runs it.
OTELCOL_VERSION := 0.161.0
OTELCOL := $(TOOLS)/otelcol-tallycat
test-collector: $(OTELCOL)
	TALLYCAT_OTELCOL=$(OTELCOL) go test -tags collector -count=1 -v -run 'TestCollectorEnforcesPolicies|TestCollectorDropsWhatNobodyReads' ./e2e/collector/

## otelcol: build the Collector test-collector runs (CI starts it early).
otelcol: $(OTELCOL)

# The builder's own `go mod tidy` fails on a test-only module the proxy
# lacks, after it has written the sources: build them with -mod=mod.
# Without -trimpath, so that packages the repository's own builds compiled
# come from the build cache; without optimisations and symbols, which only
# slow the build of a binary a test runs for seconds. The binary is kept
# in the user's cache under the hash of builder.yaml, like Go's build
# cache, so that a clean clone on a machine that built it once (CI) copies
# it instead of building it again.
OTELCOL_CACHE := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tallycat/otelcol-$(OTELCOL_VERSION)-$(shell sha256sum e2e/collector/builder.yaml | cut -c1-16)
OTELCOL_GCFLAGS := all=-N -l
# The same Collector built with optimisations, as releases are: `make bench`
# measures its CPU per span and log record beside the ingest's, and an
# unoptimised build would make the ingest look cheaper than it is.
OTELCOL_OPT := $(TOOLS)/otelcol-tallycat-optimised
$(OTELCOL_OPT): OTELCOL_GCFLAGS :=
$(OTELCOL_OPT): OTELCOL_CACHE := $(OTELCOL_CACHE)-optimised
$(OTELCOL) $(OTELCOL_OPT): e2e/collector/builder.yaml
	@mkdir -p $(dir $@); if [ -x "$(OTELCOL_CACHE)" ]; then cp "$(OTELCOL_CACHE)" $@ && echo "built $@ in 0s (from $(OTELCOL_CACHE))"; exit 0; fi; \
	start=$$(date +%s); tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	GOBIN=$(TOOLS) go install go.opentelemetry.io/collector/cmd/builder@v$(OTELCOL_VERSION); \
	cp e2e/collector/builder.yaml "$$tmp/"; \
	(cd "$$tmp" && $(TOOLS)/builder --config builder.yaml --skip-compilation) || test -f "$$tmp/dist/go.mod"; \
	(cd "$$tmp/dist" && GOFLAGS=-mod=mod go build -gcflags="$(OTELCOL_GCFLAGS)" -ldflags="-s -w" -o $@ .) || exit 1; \
	mkdir -p "$(dir $(OTELCOL_CACHE))" && cp $@ "$(OTELCOL_CACHE).tmp" && mv "$(OTELCOL_CACHE).tmp" "$(OTELCOL_CACHE)"; \
	echo "built $@ in $$(( $$(date +%s) - start ))s"

## bench: every benchmark, then one table of the figures docs/BENCHMARKS.md
## quotes, each beside its target and whether it is met; the catalog's on
## DuckDB and PostgreSQL side by side, one package after the other (-p 1)
## so that neither slows the other, steady-state heartbeats included;
## spans and log records through the ingest beside an optimised Collector
## (built once, minutes). Not part of `make test`. It takes about a quarter
## of an hour once the catalog's reads and writes meet their targets; while
## a cost read takes seconds, the cost catalog's reads (each unfolded,
## folded and served, 10 times; p99 is the slowest of them) and its build
## (5 to 8 minutes, once per engine) take most of it.
## JudgeAll and Cost run in one process per engine so that they share that
## build, JudgeAll first: its judgings take less time than Cost's passes,
## so the figures Cost reads are older than a fresh build's by less than
## JudgeAll's would be the other way round (see costDB in each store's
## bench_test.go). One process has one -benchtime, so JudgeAll judges 10
## times, where it judged 3 in a process of its own.
BENCH_OUT ?= bench.out
bench: $(OTELCOL_OPT)
	go test -run '^$$' -bench . -benchtime 3s ./services/ingest/infer/ ./services/ingest/pipeline/ | tee $(BENCH_OUT)
	go test -p 1 -run '^$$' -bench 'Catalog|Open' -benchtime 100x ./services/catalog/duckdb/ ./services/catalog/postgres/ | tee -a $(BENCH_OUT)
	go test -p 1 -run '^$$' -bench 'JudgeAll|Cost' -benchtime 10x -timeout 120m ./services/catalog/duckdb/ ./services/catalog/postgres/ | tee -a $(BENCH_OUT)
	go test -p 1 -run '^$$' -bench Heartbeats -benchtime 1x ./services/catalog/duckdb/ ./services/catalog/postgres/ | tee -a $(BENCH_OUT)
	go test -run '^$$' -bench OTLPLoopback -benchtime 5000x -timeout 30m ./e2e/ | tee -a $(BENCH_OUT)
	go test -run '^$$' -bench NewShapeVisibility -benchtime 10x ./e2e/ | tee -a $(BENCH_OUT)
	TALLYCAT_OTELCOL=$(OTELCOL_OPT) go test -run '^$$' -bench Signals -benchtime 4000x ./e2e/ | tee -a $(BENCH_OUT)
	go test -run WriteAmplification -v ./services/ingest/forward/ | grep 'points/s:' | tee -a $(BENCH_OUT)
	@echo
	@go run ./internal/tools/benchtable < $(BENCH_OUT)

## fuzz: each fuzz target for FUZZTIME (default 10m, long enough to find
## what the committed corpora miss); new failing inputs land in the
## package's testdata/fuzz.
FUZZTIME ?= 10m
FUZZ_TARGETS := FuzzScanAgreesWithUnmarshal:./services/ingest/infer/ FuzzScanTracesAgreesWithUnmarshal:./services/ingest/infer/ FuzzScanLogsAgreesWithUnmarshal:./services/ingest/infer/ FuzzHTTPHandler:./services/ingest/otlp/ FuzzGRPCFastPathAgreesWithConnect:./services/ingest/otlp/ FuzzRPC:./services/catalog/api/
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		echo "fuzzing $${t%%:*} for $(FUZZTIME)"; \
		go test -run '^$$' -fuzz "^$${t%%:*}\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 50x "$${t#*:}" || exit 1; \
	done

## soak: ten minutes of steady OTLP load with churning shapes and producers
## on loopback; prints memory, threads and open files of both processes and
## fails if they keep growing (TALLYCAT_SOAK=2m for a shorter run).
soak:
	go test -tags soak -run TestSoak -v -timeout 30m ./e2e/

## lint: buf lint, go vet and gofmt.
lint: tools
	buf lint
	go vet ./...
	go vet -tags collector ./e2e/collector/
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^gen/')); if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi

clean:
	rm -rf bin web/dist .proto-deps

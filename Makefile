# Alliance. Every target here is what CI and the README use; see README.md.
GO ?= go
ALLIANCE_DB ?= alliance.db

.PHONY: run test lint bench assets build check-assets

## run: start Alliance with the demo partnership on the embedded SQLite default
run:
	$(GO) run ./cmd/alliance serve --demo --db $(ALLIANCE_DB)

## build: build ./bin/alliance
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-X main.version=$$(git describe --always --dirty 2>/dev/null || echo dev)" -o bin/alliance ./cmd/alliance

## test: the whole test suite: unit, both engines, browser (scripts/test.sh)
test:
	./scripts/test.sh

## lint: gofmt, go.mod tidiness (direct and indirect requirements apart), go vet, staticcheck (tools/go.mod) and golangci-lint v2 (tools/golangci/go.mod, .golangci.yml)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt: run gofmt -w on:"; echo "$$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy (go mod tidy -diff shows what differs)"; exit 1; }
	$(GO) vet ./...
	$(GO) tool -modfile=tools/go.mod staticcheck ./...
	$(GO) tool -modfile=tools/golangci/go.mod golangci-lint run ./...

## bench: Go benchmarks, then the loopback load driver against a benchmark-scale database
bench:
	./scripts/bench.sh

## assets: refresh the vendored front-end assets from npm (developers only; needs node)
assets:
	./tools/assets/build.sh

## check-assets: fail when the committed assets differ from a fresh build
check-assets: assets
	@git diff --exit-code internal/web/static/vendor e2e/testdata || { echo "Please run 'make assets' and commit the result"; exit 1; }

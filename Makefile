# skiff — see README.md. `make test` is the one test command (CI runs it through .ci/run).
SHELL   := /bin/bash
GO      ?= go
BIN     := bin
export PATH := $(or $(SKIFF_BIN_DIR),$(HOME)/.local/share/skiff/bin):$(PATH)

.PHONY: build test unit demo demo-down hashistack vet fuzz bench

build:
	$(GO) build -o $(BIN)/skiff ./cmd/skiff

## test: unit and end-to-end tests against the real stack (needs the HashiCorp binaries and Docker).
test: vet
	set -o pipefail; $(GO) test -count=1 -timeout 40m -v ./... 2>&1 | tee test.log

vet:
	$(GO) vet ./...

## hashistack: install the pinned nomad/consul/vault/fabio (PATH, $$SKIFF_HASHISTACK_DIR, else build).
hashistack:
	scripts/install-hashistack

## demo: bring up the dev stack and deploy the demo app on it.
demo: hashistack build
	scripts/demo

demo-down: build
	$(BIN)/skiff dev down

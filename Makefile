# Skiff: the two commands a user needs are `make up` and `make test`.
# Everything is built into _output/bin; the local cluster's state lives in $(SKIFF_HOME).

GO        ?= go
OUT       := $(CURDIR)/_output
BIN       := $(OUT)/bin
SKIFF_HOME ?= $(CURDIR)/.skiff
export SKIFF_HOME

# Every binary under cmd/ is built by `make build`.
BINARIES := $(notdir $(wildcard cmd/*))

.PHONY: all build test test-unit test-module test-kubectl bench up down demo images install-deps fmt vet clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/ $(addprefix ./cmd/,$(BINARIES))

# Unit and integration tests of the product module, then the test/ module (client-go and
# kubectl against a Skiff apiserver the tests start themselves).
test: build test-unit test-module

test-unit:
	$(GO) test -count=1 ./...

test-module: build
	cd test && SKIFF_BIN=$(BIN) $(GO) test -count=1 -timeout 30m ./...

bench: build
	hack/bench.sh

# Install what the local cluster needs (containerd, runc, CNI plugins, iptables) via apt.
install-deps:
	hack/install-deps.sh

up: build
	hack/up.sh

down:
	hack/down.sh

demo:
	hack/demo.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf $(OUT)

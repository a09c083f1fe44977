# Passport Bridge developer tasks. `make help` lists them.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT := go run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)
FUZZTIME ?= 20s

.PHONY: help
help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-12s %s\n", $$1, $$2}'

.PHONY: run
run: ## run the server with the embedded SQLite store
	go run ./cmd/passport serve

.PHONY: build
build: ## build bin/passport
	go build -trimpath -o bin/passport ./cmd/passport

.PHONY: test
test: ## run every test (both stores; mongo through an embedded server)
	go test ./...

.PHONY: test-race
test-race: ## run every test with the race detector
	go test -race ./...

.PHONY: test-mongo
test-mongo: ## run the store suites against a real MongoDB: make test-mongo URI=mongodb://...
	PASSPORT_TEST_MONGO_URI=$(URI) go test ./store/... ./conformance/...

.PHONY: vet
vet: ## go vet
	go vet ./...

.PHONY: lint
lint: ## golangci-lint, pinned
	$(GOLANGCI_LINT) run ./...

.PHONY: fmt
fmt: ## format the code
	$(GOLANGCI_LINT) fmt ./...

.PHONY: bench
bench: ## run the Go benchmarks once each
	go test -run '^$$' -bench . -benchtime 1x ./...

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$(go list ./...); do \
	  for f in $$(go test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

.PHONY: verify
verify: ## go mod tidy and check nothing changed
	go mod tidy
	git diff --exit-code go.mod go.sum

# myruntime — build, test images, tests, benchmark.
# Integration tests and the benchmark need root.

DOTNET        ?= dotnet
CONFIGURATION ?= Release
PUBLISH_DIR   := out/publish
BIN           := bin/myruntime
IMAGE_DIR     := test-images/busybox
RESULTS_DIR   := .test-results

.PHONY: all build images test format bench clean

all: build

build:
	$(DOTNET) publish src/MyRuntime/MyRuntime.csproj -c $(CONFIGURATION) -o $(PUBLISH_DIR)
	mkdir -p bin
	cp -f $(PUBLISH_DIR)/myruntime $(BIN)

images:
	scripts/mkimage-busybox.sh $(IMAGE_DIR)

# Both test projects always run; the target fails if either failed.
test: export MYRUNTIME_BIN := $(CURDIR)/$(BIN)
test: export MYRUNTIME_TEST_IMAGE := $(CURDIR)/$(IMAGE_DIR)
test: build images
	rm -rf $(RESULTS_DIR)
	@rc=0; \
	$(DOTNET) test tests/MyRuntime.Tests --logger "trx;LogFileName=MyRuntime.Tests.trx" --results-directory $(RESULTS_DIR) || rc=1; \
	$(DOTNET) test tests/MyRuntime.IntegrationTests --logger "trx;LogFileName=MyRuntime.IntegrationTests.trx" --results-directory $(RESULTS_DIR) || rc=1; \
	exit $$rc

format:
	$(DOTNET) format myruntime.slnx --verify-no-changes

bench:
	bench/lifecycle.sh

clean:
	rm -rf out bin $(RESULTS_DIR) test-images
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +

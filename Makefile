# myruntime — build, test images, tests, benchmark.
# Integration tests and the benchmark need root.

DOTNET        ?= dotnet
CONFIGURATION ?= Release
PUBLISH_DIR   := out/publish
BIN           := bin/myruntime
IMAGE_DIR     := test-images/busybox
RESULTS_DIR   := .test-results

.PHONY: all build images test test-cgroup-v2 format bench bench-pull bench-run fuzz clean

all: build

build:
	$(DOTNET) publish src/MyRuntime/MyRuntime.csproj -c $(CONFIGURATION) -o $(PUBLISH_DIR)
	mkdir -p bin
	cp -f $(PUBLISH_DIR)/myruntime $(BIN)

images:
	scripts/mkimage-busybox.sh $(IMAGE_DIR)

# Both test projects always run, then the cgroup tests again inside a cgroup v2 guest (this host may run
# v1/hybrid); the target fails if any of them failed. MYRUNTIME_SKIP_V2_GUEST=1 leaves the guest out.
test: export MYRUNTIME_BIN := $(CURDIR)/$(BIN)
test: export MYRUNTIME_TEST_IMAGE := $(CURDIR)/$(IMAGE_DIR)
test: build images
	rm -rf $(RESULTS_DIR)
	@rc=0; \
	$(DOTNET) test tests/MyRuntime.Tests --logger "trx;LogFileName=MyRuntime.Tests.trx" --results-directory $(RESULTS_DIR) || rc=1; \
	$(DOTNET) test tests/MyRuntime.IntegrationTests --logger "trx;LogFileName=MyRuntime.IntegrationTests.trx" --results-directory $(RESULTS_DIR) || rc=1; \
	if [ "$${MYRUNTIME_SKIP_V2_GUEST:-0}" != 1 ]; then $(MAKE) --no-print-directory test-cgroup-v2 || rc=1; fi; \
	exit $$rc

# The cgroup integration tests on a real cgroup v2 host: Debian's kernel booted with cgroup_no_v1=all in qemu.
test-cgroup-v2: export MYRUNTIME_BIN := $(CURDIR)/$(BIN)
test-cgroup-v2: export MYRUNTIME_TEST_IMAGE := $(CURDIR)/$(IMAGE_DIR)
test-cgroup-v2:
	scripts/cgroup-v2-guest.sh prepare
	scripts/cgroup-v2-guest.sh run --env MYRUNTIME_BIN --env MYRUNTIME_TEST_IMAGE --env MYRUNTIME_TEST_TIMEOUT_SCALE=5 -- \
	  $(DOTNET) test tests/MyRuntime.IntegrationTests --no-build --filter "FullyQualifiedName~Tests.Cgroup" \
	  --logger "trx;LogFileName=MyRuntime.CgroupV2.trx" --results-directory $(RESULTS_DIR)

format:
	$(DOTNET) format myruntime.slnx --verify-no-changes

bench:
	bench/lifecycle.sh

bench-pull:
	bench/pull.sh

# The engine: `run --rm` vs podman, and ps with 100 containers (bench/run.sh; needs `make build`).
bench-run:
	bench/run.sh

# The parsers fuzzed for longer than in `make test` (FUZZ_MINUTES, default 10; FUZZ_SEED replays; bench/fuzz.sh).
fuzz:
	bench/fuzz.sh

clean:
	rm -rf out bin $(RESULTS_DIR) test-images
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +

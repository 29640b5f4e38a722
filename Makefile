# On a fresh Debian 12 machine: `make demo` trains Fashion-MNIST (examples/fashion_mnist.cpp),
# `make test` runs every test.
# Both install the missing Debian packages first. Choose the compiler with CXX (g++ or clang++).
CXX ?= g++
JOBS ?= $(shell nproc)
BUILD_DIR := build/$(notdir $(CXX))
PACKAGES := cmake make g++ clang libboost-dev catch2 nlohmann-json3-dev valgrind python3 \
            libxtensor-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist python3-numpy \
            libclang-rt-14-dev libbenchmark-dev libcli11-dev \
            chromium-headless-shell libcurl4-openssl-dev libssl-dev python3-aiosmtpd \
            libopenmpi-dev openmpi-bin libtorch-dev rclone python3-torch

# What each demo needs, and no more (`make test` installs everything above): the core and the
# parts examples/fashion_mnist.cpp uses (its options, the summary's JSON, TensorBoard's zlib).
DEMO_PACKAGES := cmake make g++ libboost-dev libxtensor-dev libopenblas-dev zlib1g-dev \
                 dataset-fashion-mnist libcli11-dev nlohmann-json3-dev
DEMO_TORCH_PACKAGES := $(DEMO_PACKAGES) libtorch-dev
DEMO_MPI_PACKAGES := $(DEMO_PACKAGES) libopenmpi-dev openmpi-bin

BENCH_DIR := build/bench
BENCH_PACKAGES := python3-matplotlib curl python3-torch libblis-dev

SANITIZE_DIR := build/sanitize-$(notdir $(CXX))

TSAN_DIR := build/tsan-$(notdir $(CXX))
TSAN_TESTS := test.adapters.in_background test.adapters.guarded test.callbacks.stop_on_signal test.fit test.typed_events \
              test.callbacks.tensorboard test.http.remote_monitor test.http.heartbeat test.crypto.checkpoint_registry \
              test.crypto.mirror_checkpoints test.callbacks.alert test.http.sinks test.io.worker \
              test.faults.network test.faults.processes test.faults.files
empty :=
space := $(empty) $(empty)

FUZZ_DIR := build/fuzz
FUZZ_SECONDS ?= 30

.PHONY: demo-mpi demo-torch deps configure demo test test-sanitize test-tsan fuzz bench clean

deps:
	@scripts/install-deps.sh $(PACKAGES)

# REQUIRE_ALL=ON (CI's): a part whose dependency is missing fails the configure instead of being
# skipped.
REQUIRE_ALL ?= OFF
# More CMake arguments (CI's clang pass: -DCUE_BUILD_BENCHMARKS=OFF, the benchmarks being built once).
CMAKE_ARGS ?=

CONFIGURE = cmake -S . -B $(BUILD_DIR) -DCMAKE_CXX_COMPILER=$(CXX) -DCMAKE_BUILD_TYPE=Release \
	  -DCUE_REQUIRE_ALL=$(REQUIRE_ALL) $(CMAKE_ARGS)

configure: deps
	$(CONFIGURE)

demo:
	@scripts/install-deps.sh $(DEMO_PACKAGES)
	$(CONFIGURE)
	cmake --build $(BUILD_DIR) --target fashion_mnist -j $(JOBS)
	$(BUILD_DIR)/examples/fashion_mnist --out $(BUILD_DIR)/fashion-mnist-run

# The same with libtorch (cue::torch, g++ only; examples/torch_fashion_mnist.cpp).
demo-torch:
	@scripts/install-deps.sh $(DEMO_TORCH_PACKAGES)
	$(CONFIGURE)
	cmake --build $(BUILD_DIR) --target torch_fashion_mnist -j $(JOBS)
	$(BUILD_DIR)/examples/torch_fashion_mnist --out $(BUILD_DIR)/torch-fashion-mnist-run

# The same over MPI, with 2 ranks on this machine (--allow-run-as-root only as root).
demo-mpi:
	@scripts/install-deps.sh $(DEMO_MPI_PACKAGES)
	$(CONFIGURE)
	cmake --build $(BUILD_DIR) --target fashion_mnist_mpi -j $(JOBS)
	mpirun -np 2 --oversubscribe $$([ "$$(id -u)" -eq 0 ] && echo --allow-run-as-root) \
	  $(BUILD_DIR)/examples/fashion_mnist_mpi --out $(BUILD_DIR)/fashion-mnist-mpi-run

test: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The unit tests and examples under AddressSanitizer and UndefinedBehaviorSanitizer (compile-fail,
# packaging and callgrind tests say nothing more there, so they are left out; so are the tests
# under mpirun, the MPI example's included, whose MPI library is not built with the sanitizers
# and leaks at exit by LeakSanitizer's count: the one-process test of data_parallel runs the same
# code). cue::torch is built once, in the g++ pass of `make test` (its translation units take
# about 15 s each). At -O1 with line tables only (what AddressSanitizer's reports need): at -O2
# with full debug information its heaviest unit took 95 s to compile, at this 44 s.
SANITIZE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1"
test-sanitize: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_CXX_COMPILER=$(CXX) $(SANITIZE_FLAGS) \
	  -DCUE_SANITIZE=ON -DCUE_BUILD_BENCHMARKS=OFF -DCUE_WITH_TORCH=OFF
	cmake --build $(SANITIZE_DIR) -j $(JOBS)
	cd $(SANITIZE_DIR) && ctest --output-on-failure -j $(JOBS) -E "compile_fail|consumer|headers|readme|test.mpi|fashion_mnist_mpi"

# The tests of what runs on other threads (in_background's worker; signal handlers) under
# ThreadSanitizer.
test-tsan: deps
	cmake -S . -B $(TSAN_DIR) -DCMAKE_CXX_COMPILER=$(CXX) $(SANITIZE_FLAGS) \
	  -DCUE_SANITIZE_THREAD=ON -DCUE_BUILD_BENCHMARKS=OFF -DCUE_BUILD_EXAMPLES=OFF -DCUE_WITH_TORCH=OFF
	cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_TESTS)
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) \
	  -R "^($(subst $(space),|,$(TSAN_TESTS)))$$"

# libFuzzer (clang) on the IDX reader, the checkpoint loader, the backup's state file, the format
# mini-language of file path templates and the option reader, each for FUZZ_SECONDS, from the seed
# corpus in tests/fuzz/corpus (new inputs go to a scratch copy, not into the repository). The
# limits make a hang (-timeout, seconds per input) or a huge allocation (-malloc_limit_mb) a finding.
FUZZ_TARGETS := idx_reader:idx checkpoint_reader:checkpoint backup_reader:backup format_spec:format \
                options_reader:options
fuzz: deps
	cmake -S tests/fuzz -B $(FUZZ_DIR) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_DIR) -j $(JOBS)
	for pair in $(FUZZ_TARGETS); do t=$${pair%%:*}; c=$${pair##*:}; \
	  rm -rf $(FUZZ_DIR)/corpus-$$c && cp -r tests/fuzz/corpus/$$c $(FUZZ_DIR)/corpus-$$c && \
	  $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    -malloc_limit_mb=512 -max_len=4096 $(FUZZ_DIR)/corpus-$$c || exit 1; \
	done

bench: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)
	cmake -S . -B $(BENCH_DIR) -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DCUE_BUILD_TESTS=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	/usr/bin/python3 benchmarks/run_all.py $(BENCH_DIR) --pytorch

clean:
	rm -rf build

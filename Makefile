# On a fresh Debian 12 machine: `make demo` trains Fashion-MNIST (examples/fashion_mnist.cpp),
# `make test` runs every test.
# Both install the missing Debian packages first. Choose the compiler with CXX (g++ or clang++).
CXX ?= g++
JOBS ?= $(shell nproc)
BUILD_DIR := build/$(notdir $(CXX))
PACKAGES := cmake make g++ clang libboost-dev catch2 nlohmann-json3-dev valgrind python3 \
            libxtensor-dev libxsimd-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist python3-numpy

BENCH_DIR := build/bench
BENCH_PACKAGES := libbenchmark-dev python3-matplotlib

.PHONY: deps configure demo test bench bench-pytorch clean

deps:
	@scripts/install-deps.sh $(PACKAGES)

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_CXX_COMPILER=$(CXX) -DCMAKE_BUILD_TYPE=Release

demo: configure
	cmake --build $(BUILD_DIR) --target fashion_mnist -j $(JOBS)
	$(BUILD_DIR)/examples/fashion_mnist --out $(BUILD_DIR)/fashion-mnist-run

test: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)
	cmake -S . -B $(BENCH_DIR) -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DCUE_BUILD_TESTS=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	/usr/bin/python3 benchmarks/run_all.py $(BENCH_DIR)

bench-pytorch: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES) python3-torch
	cmake -S . -B $(BENCH_DIR) -DCMAKE_CXX_COMPILER=g++ -DCMAKE_BUILD_TYPE=Release -DCUE_BUILD_TESTS=OFF
	cmake --build $(BENCH_DIR) -j $(JOBS)
	/usr/bin/python3 benchmarks/run_all.py $(BENCH_DIR) --pytorch

clean:
	rm -rf build

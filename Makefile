# On a fresh Debian 12 machine: `make demo` trains Fashion-MNIST (examples/fashion_mnist.cpp),
# `make test` runs every test.
# Both install the missing Debian packages first. Choose the compiler with CXX (g++ or clang++).
CXX ?= g++
JOBS ?= $(shell nproc)
BUILD_DIR := build/$(notdir $(CXX))
PACKAGES := cmake make g++ clang libboost-dev catch2 nlohmann-json3-dev valgrind python3 \
            libxtensor-dev libxsimd-dev libopenblas-dev zlib1g-dev dataset-fashion-mnist python3-numpy

.PHONY: deps configure demo test clean

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

clean:
	rm -rf build

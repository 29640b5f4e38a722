// cue::nn and cue::data in one include: dense networks trained with SGD or Adam on xtensor and
// OpenBLAS, datasets and their batches, Fashion-MNIST, checkpoints (CMake target cue::nn).
#pragma once

#include <cue/data/dataset.hpp>
#include <cue/data/fashion_mnist.hpp>
#include <cue/data/idx.hpp>
#include <cue/io/checkpoint.hpp>
#include <cue/nn/adam.hpp>
#include <cue/nn/blas.hpp>
#include <cue/nn/classifier.hpp>
#include <cue/nn/dense.hpp>
#include <cue/nn/losses.hpp>
#include <cue/nn/relu.hpp>
#include <cue/nn/sequential.hpp>
#include <cue/nn/sgd.hpp>

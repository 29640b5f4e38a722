// The matrix product cue's nn layers use: OpenBLAS's sgemm on row-major float32 buffers.
#pragma once

#include <cblas.h>

#include <cstddef>

namespace cue::nn {

/// C = alpha * op(A) * op(B) + beta * C for row-major matrices; op(A) is m x k, op(B) k x n.
inline void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k,
                 const float* a, const float* b, float* c, float beta = 0.0f) {
  const auto M = static_cast<blasint>(m), N = static_cast<blasint>(n), K = static_cast<blasint>(k);
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
              M, N, K, 1.0f, a, trans_a ? M : K, b, trans_b ? K : N, beta, c, N);
}

/// Threads OpenBLAS may use. Results are bit-for-bit reproducible for a given thread count.
inline void set_threads(int n) { openblas_set_num_threads(n); }

}  // namespace cue::nn

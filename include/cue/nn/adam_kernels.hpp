// The elementwise update of cue::nn::adam, in one variant per x86 instruction set (SSE2, AVX,
// AVX-512F) and a portable one; cue::nn::simd chooses among them at run time.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <cue/nn/simd.hpp>

namespace cue::nn::detail {

/// What one Adam step multiplies by: alpha = lr sqrt(1 - beta_2^t) / (1 - beta_1^t).
struct adam_step {
  float alpha, one_minus_beta_1, one_minus_beta_2, epsilon;
};

/// m += (g - m)(1 - beta_1); v += (g^2 - v)(1 - beta_2); w -= alpha m / (sqrt(v) + epsilon),
/// one element: the portable variant, and every SIMD variant's tail.
CUE_NN_EXACT inline void adam_scalar(float* w, const float* g, float* m, float* v, std::size_t from, std::size_t n,
                        adam_step s) {
  CUE_NN_UNCONTRACTED
  for (std::size_t j = from; j < n; ++j) {
    m[j] += (g[j] - m[j]) * s.one_minus_beta_1;
    v[j] += (g[j] * g[j] - v[j]) * s.one_minus_beta_2;
    w[j] -= m[j] * s.alpha / (std::sqrt(v[j]) + s.epsilon);
  }
}

using adam_kernel = void (*)(float* w, const float* g, float* m, float* v, std::size_t n, adam_step s);

inline void adam_portable(float* w, const float* g, float* m, float* v, std::size_t n, adam_step s) {
  adam_scalar(w, g, m, v, 0, n, s);
}

#if defined(__x86_64__) || defined(__i386__)
// The same operations in the same order as adam_scalar, lane by lane (each is correctly rounded,
// so the lanes equal the scalar results).
CUE_NN_TARGET("sse2")
inline void adam_sse2(float* w, const float* g, float* m, float* v, std::size_t n, adam_step s) {
  CUE_NN_UNCONTRACTED
  const __m128 b1 = _mm_set1_ps(s.one_minus_beta_1), b2 = _mm_set1_ps(s.one_minus_beta_2),
               alpha = _mm_set1_ps(s.alpha), eps = _mm_set1_ps(s.epsilon);
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const __m128 gj = _mm_loadu_ps(g + j);
    __m128 mj = _mm_loadu_ps(m + j), vj = _mm_loadu_ps(v + j);
    mj = _mm_add_ps(mj, _mm_mul_ps(_mm_sub_ps(gj, mj), b1));
    vj = _mm_add_ps(vj, _mm_mul_ps(_mm_sub_ps(_mm_mul_ps(gj, gj), vj), b2));
    _mm_storeu_ps(m + j, mj);
    _mm_storeu_ps(v + j, vj);
    const __m128 step = _mm_div_ps(_mm_mul_ps(mj, alpha), _mm_add_ps(_mm_sqrt_ps(vj), eps));
    _mm_storeu_ps(w + j, _mm_sub_ps(_mm_loadu_ps(w + j), step));
  }
  adam_scalar(w, g, m, v, j, n, s);
}

CUE_NN_TARGET("avx")
inline void adam_avx(float* w, const float* g, float* m, float* v, std::size_t n, adam_step s) {
  CUE_NN_UNCONTRACTED
  const __m256 b1 = _mm256_set1_ps(s.one_minus_beta_1), b2 = _mm256_set1_ps(s.one_minus_beta_2),
               alpha = _mm256_set1_ps(s.alpha), eps = _mm256_set1_ps(s.epsilon);
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256 gj = _mm256_loadu_ps(g + j);
    __m256 mj = _mm256_loadu_ps(m + j), vj = _mm256_loadu_ps(v + j);
    mj = _mm256_add_ps(mj, _mm256_mul_ps(_mm256_sub_ps(gj, mj), b1));
    vj = _mm256_add_ps(vj, _mm256_mul_ps(_mm256_sub_ps(_mm256_mul_ps(gj, gj), vj), b2));
    _mm256_storeu_ps(m + j, mj);
    _mm256_storeu_ps(v + j, vj);
    const __m256 step = _mm256_div_ps(_mm256_mul_ps(mj, alpha), _mm256_add_ps(_mm256_sqrt_ps(vj), eps));
    _mm256_storeu_ps(w + j, _mm256_sub_ps(_mm256_loadu_ps(w + j), step));
  }
  adam_scalar(w, g, m, v, j, n, s);
}

CUE_NN_TARGET("avx512f")
inline void adam_avx512f(float* w, const float* g, float* m, float* v, std::size_t n, adam_step s) {
  CUE_NN_UNCONTRACTED
  const __m512 b1 = _mm512_set1_ps(s.one_minus_beta_1), b2 = _mm512_set1_ps(s.one_minus_beta_2),
               alpha = _mm512_set1_ps(s.alpha), eps = _mm512_set1_ps(s.epsilon);
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    const __m512 gj = _mm512_loadu_ps(g + j);
    __m512 mj = _mm512_loadu_ps(m + j), vj = _mm512_loadu_ps(v + j);
    mj = _mm512_add_ps(mj, _mm512_mul_ps(_mm512_sub_ps(gj, mj), b1));
    vj = _mm512_add_ps(vj, _mm512_mul_ps(_mm512_sub_ps(_mm512_mul_ps(gj, gj), vj), b2));
    _mm512_storeu_ps(m + j, mj);
    _mm512_storeu_ps(v + j, vj);
    // every lane of the masked form: GCC 12 warns of _mm512_sqrt_ps's undefined source operand
    const __m512 root = _mm512_maskz_sqrt_ps(0xffff, vj);
    const __m512 step = _mm512_div_ps(_mm512_mul_ps(mj, alpha), _mm512_add_ps(root, eps));
    _mm512_storeu_ps(w + j, _mm512_sub_ps(_mm512_loadu_ps(w + j), step));
  }
  adam_scalar(w, g, m, v, j, n, s);
}

inline constexpr std::array<simd::variant<adam_kernel>, 4> adam_variants{{
    {"portable", simd::always, adam_portable},
    {"sse2", simd::always, adam_sse2},
    {"avx", simd::has_avx, adam_avx},
    {"avx512f", simd::has_avx512f, adam_avx512f},
}};
#else
inline constexpr std::array<simd::variant<adam_kernel>, 1> adam_variants{{{"portable", simd::always, adam_portable}}};
#endif

/// The variant this process uses, chosen once (on 64K-element buffers, near the size of a small
/// network's largest weight matrix).
inline const simd::variant<adam_kernel>& chosen_adam() {
  static const auto& chosen = simd::fastest(adam_variants, [](adam_kernel k) {
    static std::vector<float> w(1 << 16, 0.5f), g(w.size(), 1e-3f), m(w.size()), v(w.size());
    return simd::time([&] { k(w.data(), g.data(), m.data(), v.data(), w.size(), {1e-3f, 0.1f, 1e-3f, 1e-7f}); });
  });
  return chosen;
}

}  // namespace cue::nn::detail

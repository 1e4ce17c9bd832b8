// AVX-512 VPOPCNTDQ kernels, on the grouped8 layout of lib/packed/plan.ts: 8 output channels per
// register, one 64-bit input word broadcast against word j of 8 channels' weights ([group][word][8]),
// so lane i counts channel 8g + i with no horizontal sums, and one compare against the int64
// thresholds gives 8 output bits. Compiled for AVX-512 by the pragma below (after every include, so
// that no inline function shared with other files is built for it); run only where the CPU has it.
#include <immintrin.h>

#include <cstring>

#include "kernels.h"

#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx512vpopcntdq,popcnt")

#include "float-conv.h"
#include "windows.h"

namespace packed {
namespace {

using namespace plan_abi;

// Conversions (here and in Lanes8) are the zero-masking forms: GCC 12 warns (wrongly) that the plain ones read an
// uninitialised register (its bug 105593).

/** 8 int64 lanes → 8 int32 (values fit). */
inline __m256i narrow(__m512i v) { return _mm512_maskz_cvtepi64_epi32(0xff, v); }

inline __m512i popcountXor(__m512i b, const uint64_t* w) { return _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(w))); }

// ---- convs -------------------------------------------------------------------------------------
//
// A binary or ternary conv takes its output pixels in blocks of 4 (GATHERED_WINDOWS, row by row and
// on across rows; the last few one by one): it gathers their windows into the working space as the
// weights hold them (windows.h), then counts a few groups of 8 channels at a time over the windows'
// words, so that each weight load serves 4 pixels and each broadcast input word those groups.

/**
 * f(q, r) for each pixel q < Q and group r < R, unrolled in the source: GCC unrolls such loops only
 * after it has placed arrays in memory, so the sums [Q][R] they index would leave the registers.
 */
template <int Q, int R, int I = 0, typename F>
inline void eachPixelGroup(F f) {
  if constexpr (I < Q * R) {
    f(I / R, I % R);
    eachPixelGroup<Q, R, I + 1>(f);
  }
}

/**
 * Q binary pixels (windows win[q]) × R groups from g, within one output word: bits count ≤ the
 * threshold of each pixel's position class (from t[q]).
 */
template <int Q, int R>
inline void binaryGroups(const ConvShape& c, const uint64_t* const* win, const int64_t* const* t, int g, const uint64_t* w8, OutputBits<Q, 1, 8>& out) {
  __m512i count[Q][R];
  eachPixelGroup<Q, R>([&](int q, int r) { count[q][r] = _mm512_setzero_si512(); });
  const uint64_t* wg = w8 + g * c.words * 8;
  for (int64_t j = 0; j < c.words; j++) {
    __m512i weights[R];
    for (int r = 0; r < R; r++) weights[r] = _mm512_loadu_si512(wg + 8 * (r * c.words + j));
    for (int q = 0; q < Q; q++) {
      const __m512i a = _mm512_set1_epi64(static_cast<long long>(win[q][j]));
      for (int r = 0; r < R; r++) count[q][r] = _mm512_add_epi64(count[q][r], _mm512_popcnt_epi64(_mm512_xor_si512(a, weights[r])));
    }
  }
  eachPixelGroup<Q, R>([&](int q, int r) { out.add(q, 0, g + r, _mm512_cmple_epi64_mask(count[q][r], _mm512_loadu_si512(t[q] + 8 * (g + r)))); });
  out.next(c, g + R - 1);
}

/** Q pixels from pixel p = (y, x), 4 groups (32 channels: an output word) at a time. */
template <int Q>
inline void binaryPixels(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) {
  const uint64_t* win[Q];
  gatherPixels<Q>(op, c, y, x, win);
  const int64_t* t[Q];
  for (int q = 0; q < Q; q++) t[q] = op.constAt<int64_t>(F_THRESHOLDS) + static_cast<int64_t>(op.constAt<uint8_t>(F_POSITION_CLASS)[p + q]) * c.groups * 8;
  const uint64_t* w8 = op.constAt<uint64_t>(F_WEIGHTS);
  OutputBits<Q, 1, 8> out(op, c, p);
  int g = 0;
  for (; g + 4 <= c.groups; g += 4) binaryGroups<Q, 4>(c, win, t, g, w8, out);
  for (; g < c.groups; g++) binaryGroups<Q, 1>(c, win, t, g, w8, out);
  out.finish(c);
}

/**
 * Q ternary pixels (windows win[q]) × R groups from g, within one output word: each plane's bits
 * z ≥ t, z = popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)), m = m_a ∧ m_w, over the windows' (sign,
 * non-zero) pairs of words.
 */
template <int Q, int R>
inline void ternaryGroups(const ConvShape& c, const uint64_t* const* win, const int64_t* thresholds, int g, const uint64_t* w8, OutputBits<Q, 2, 8>& out) {
  __m512i nonzero[Q][R], negative[Q][R];
  eachPixelGroup<Q, R>([&](int q, int r) { nonzero[q][r] = negative[q][r] = _mm512_setzero_si512(); });
  const uint64_t* wg = w8 + g * c.words * 8;
  for (int64_t j = 0; j < c.words; j += 2) {
    __m512i sign[R], mask[R];
    for (int r = 0; r < R; r++) {
      sign[r] = _mm512_loadu_si512(wg + 8 * (r * c.words + j));
      mask[r] = _mm512_loadu_si512(wg + 8 * (r * c.words + j + 1));
    }
    for (int q = 0; q < Q; q++) {
      const __m512i as = _mm512_set1_epi64(static_cast<long long>(win[q][j]));
      const __m512i am = _mm512_set1_epi64(static_cast<long long>(win[q][j + 1]));
      for (int r = 0; r < R; r++) {
        const __m512i m = _mm512_and_si512(am, mask[r]);
        nonzero[q][r] = _mm512_add_epi64(nonzero[q][r], _mm512_popcnt_epi64(m));
        // (as ^ ws) & m in one instruction
        negative[q][r] = _mm512_add_epi64(negative[q][r], _mm512_popcnt_epi64(_mm512_ternarylogic_epi64(as, sign[r], m, 0x28)));
      }
    }
  }
  eachPixelGroup<Q, R>([&](int q, int r) {
    const __m512i z = _mm512_sub_epi64(nonzero[q][r], _mm512_add_epi64(negative[q][r], negative[q][r]));
    for (int plane = 0; plane < 2; plane++) out.add(q, plane, g + r, _mm512_cmpge_epi64_mask(z, _mm512_loadu_si512(thresholds + plane * c.groups * 8 + 8 * (g + r))));
  });
  out.next(c, g + R - 1);
}

/** Q pixels from pixel p = (y, x), 2 groups at a time. */
template <int Q>
inline void ternaryPixels(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) {
  const uint64_t* win[Q];
  gatherPixels<Q>(op, c, y, x, win);
  const int64_t* thresholds = op.constAt<int64_t>(F_THRESHOLDS);
  const uint64_t* w8 = op.constAt<uint64_t>(F_WEIGHTS);
  OutputBits<Q, 2, 8> out(op, c, p);
  int g = 0;
  for (; g + 2 <= c.groups; g += 2) ternaryGroups<Q, 2>(c, win, thresholds, g, w8, out);
  if (g < c.groups) ternaryGroups<Q, 1>(c, win, thresholds, g, w8, out);
  out.finish(c);
}

/** Pixels per block: the windows the working space holds. */
constexpr int BLOCK_PIXELS = GATHERED_WINDOWS[L_GROUPED8];

void binaryConv(const Op& op) {
  const ConvShape c = convShape(op, 8);
  pixelBlocks<BLOCK_PIXELS>(c, [&](auto block, int64_t p, int64_t y, int64_t x) { binaryPixels<decltype(block)::pixels>(op, c, p, y, x); });
}

void ternaryConv(const Op& op) {
  const ConvShape c = convShape(op, 8);
  pixelBlocks<BLOCK_PIXELS>(c, [&](auto block, int64_t p, int64_t y, int64_t x) { ternaryPixels<decltype(block)::pixels>(op, c, p, y, x); });
}

void binaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const int groups = op[F_COUT_PADDED] / 8;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w8 = op.constAt<uint64_t>(F_WEIGHTS);
  int32_t* z = op.arenaAt<int32_t>(F_OUT);
  const __m512i inputs = _mm512_set1_epi64(op[F_INPUTS]);
  int g = 0;
  for (; g + 2 <= groups; g += 2) {
    __m512i a0 = _mm512_setzero_si512(), a1 = a0;
    const uint64_t* wg = w8 + g * len * 8;
    for (int64_t j = 0; j < len; j++) {
      const __m512i b = _mm512_set1_epi64(static_cast<long long>(inp[j]));
      a0 = _mm512_add_epi64(a0, popcountXor(b, wg + 8 * j));
      a1 = _mm512_add_epi64(a1, popcountXor(b, wg + 8 * (len + j)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(z + 8 * g), narrow(_mm512_sub_epi64(inputs, _mm512_add_epi64(a0, a0))));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(z + 8 * g + 8), narrow(_mm512_sub_epi64(inputs, _mm512_add_epi64(a1, a1))));
  }
  for (; g < groups; g++) {
    __m512i a0 = _mm512_setzero_si512();
    const uint64_t* wg = w8 + g * len * 8;
    for (int64_t j = 0; j < len; j++) a0 = _mm512_add_epi64(a0, popcountXor(_mm512_set1_epi64(static_cast<long long>(inp[j])), wg + 8 * j));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(z + 8 * g), narrow(_mm512_sub_epi64(inputs, _mm512_add_epi64(a0, a0))));
  }
}

/** Ternary z of 8 channels (lanes) over `pairs` (sign, non-zero) input words from `a` (pair j at a[2j], a[2j + 1]), weights [pair][plane][8]. */
inline __m512i ternaryLanes(const uint64_t* a, const uint64_t* w, int64_t pairs) {
  __m512i nonzero = _mm512_setzero_si512(), negative = nonzero;
  for (int64_t j = 0; j < pairs; j++) {
    const __m512i m = _mm512_and_si512(_mm512_set1_epi64(static_cast<long long>(a[2 * j + 1])), _mm512_loadu_si512(w + 16 * j + 8));
    const __m512i s = _mm512_xor_si512(_mm512_set1_epi64(static_cast<long long>(a[2 * j])), _mm512_loadu_si512(w + 16 * j));
    nonzero = _mm512_add_epi64(nonzero, _mm512_popcnt_epi64(m));
    negative = _mm512_add_epi64(negative, _mm512_popcnt_epi64(_mm512_and_si512(s, m)));
  }
  return _mm512_sub_epi64(nonzero, _mm512_add_epi64(negative, negative));
}

void ternaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const int groups = op[F_COUT_PADDED] / 8;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w8 = op.constAt<uint64_t>(F_WEIGHTS);
  int32_t* z = op.arenaAt<int32_t>(F_OUT);
  for (int g = 0; g < groups; g++) {
    const __m512i lanes = ternaryLanes(inp, w8 + g * len * 8, len / 2);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(z + 8 * g), narrow(lanes));
  }
}

/** 8 doubles per register, for floatConvKernel. */
struct Lanes8 {
  using D = __m512d;
  static constexpr int lanes = 8, pixels = 6;  // 24 sums, 4 weights and a broadcast in the 32 registers
  static D set1(double v) { return _mm512_set1_pd(v); }
  static D broadcast(const double* v) { return _mm512_set1_pd(*v); }
  static D load(const double* w) { return _mm512_loadu_pd(w); }
  static D fmadd(D a, D b, D c) { return _mm512_fmadd_pd(a, b, c); }
  static uint32_t ge(D z, const float* t) { return _mm256_cmp_ps_mask(_mm512_maskz_cvtpd_ps(0xff, z), _mm256_loadu_ps(t), _CMP_GE_OQ); }
};

}  // namespace

const Kernels AVX512_KERNELS = {"AVX-512 VPOPCNTDQ", L_GROUPED8, {floatConvKernel<Lanes8>, binaryConv, ternaryConv, binaryDense, ternaryDense}};

}  // namespace packed

// AVX2 kernels, on the grouped4 layout of lib/packed/plan.ts: 4 output channels per register (one
// 64-bit lane each), a broadcast input word against word j of 4 channels' weights ([group][word][4]).
// AVX2 has no popcount instruction for vectors: bytes are counted by a nibble lookup (vpshufb) and
// summed per lane by vpsadbw, and the binary kernels first add eight XOR vectors in a Harley–Seal
// carry-save tree so that one lookup counts eight (Muła, Kurz and Lemire, "Faster population counts
// using AVX2 instructions", 2018). Compiled for AVX2 by the pragma below (after every include, so that
// no inline function shared with other files is built for it); run only where the CPU has it.
#include <immintrin.h>

#include <cstring>

#include "kernels.h"

#pragma GCC target("avx2,fma,popcnt")

#include "float-conv.h"

namespace packed {
namespace {

using namespace plan_abi;

/** Set bits of each byte, by looking up each nibble. */
inline __m256i popcountBytes(__m256i v) {
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_shuffle_epi8(lookup, _mm256_and_si256(v, low));
  const __m256i hi = _mm256_shuffle_epi8(lookup, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
  return _mm256_add_epi8(lo, hi);
}

/** Sums each 64-bit lane's 8 bytes. */
inline __m256i laneSums(__m256i bytes) { return _mm256_sad_epu8(bytes, _mm256_setzero_si256()); }

/** Carry-save adder: `sum` becomes sum ^ a ^ b, returns the carries. */
inline __m256i csa(__m256i& sum, __m256i a, __m256i b) {
  const __m256i u = _mm256_xor_si256(sum, a);
  const __m256i carry = _mm256_or_si256(_mm256_and_si256(sum, a), _mm256_and_si256(u, b));
  sum = _mm256_xor_si256(u, b);
  return carry;
}

/** Per 64-bit lane, Σ_j popcount(vec(j)) over j < n: a Harley–Seal tree of eight, eights counted by lookup. */
template <typename Vec>
inline __m256i harleySeal(int64_t n, Vec vec) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i ones = zero, twos = zero, fours = zero, eightsBytes = zero, eights = zero;
  int64_t j = 0;
  int blocks = 0;
  for (; j + 8 <= n; j += 8) {
    __m256i twosA = csa(ones, vec(j), vec(j + 1));
    __m256i twosB = csa(ones, vec(j + 2), vec(j + 3));
    const __m256i foursA = csa(twos, twosA, twosB);
    twosA = csa(ones, vec(j + 4), vec(j + 5));
    twosB = csa(ones, vec(j + 6), vec(j + 7));
    const __m256i foursB = csa(twos, twosA, twosB);
    eightsBytes = _mm256_add_epi8(eightsBytes, popcountBytes(csa(fours, foursA, foursB)));
    if (++blocks == 31) {  // bytes hold at most 8 per block
      eights = _mm256_add_epi64(eights, laneSums(eightsBytes));
      eightsBytes = zero;
      blocks = 0;
    }
  }
  eights = _mm256_add_epi64(eights, laneSums(eightsBytes));
  // 4·fours + 2·twos + ones + up to 7 more vectors: at most 112 per byte.
  __m256i rest = popcountBytes(fours);
  rest = _mm256_add_epi8(rest, rest);
  rest = _mm256_add_epi8(rest, popcountBytes(twos));
  rest = _mm256_add_epi8(rest, rest);
  rest = _mm256_add_epi8(rest, popcountBytes(ones));
  for (; j < n; j++) rest = _mm256_add_epi8(rest, popcountBytes(vec(j)));
  return _mm256_add_epi64(_mm256_slli_epi64(eights, 3), laneSums(rest));
}

/** Per lane, the ternary z over `pairs` (sign, non-zero) words of `a` against weights [pair][plane][4]. */
inline __m256i ternaryLanes(const uint64_t* a, const uint64_t* w, int64_t pairs) {
  const __m256i zero = _mm256_setzero_si256();
  __m256i nonzero = zero, negative = zero;
  for (int64_t j0 = 0; j0 < pairs; j0 += 31) {  // bytes hold at most 8 per pair
    const int64_t end = j0 + 31 < pairs ? j0 + 31 : pairs;
    __m256i nz = zero, ng = zero;
    for (int64_t j = j0; j < end; j++) {
      const __m256i m = _mm256_and_si256(_mm256_set1_epi64x(static_cast<long long>(a[2 * j + 1])), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 8 * j + 4)));
      const __m256i s = _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(a[2 * j])), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 8 * j)));
      nz = _mm256_add_epi8(nz, popcountBytes(m));
      ng = _mm256_add_epi8(ng, popcountBytes(_mm256_and_si256(s, m)));
    }
    nonzero = _mm256_add_epi64(nonzero, laneSums(nz));
    negative = _mm256_add_epi64(negative, laneSums(ng));
  }
  return _mm256_sub_epi64(nonzero, _mm256_add_epi64(negative, negative));
}

inline __m256i load4(const void* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

/** Bits of 4 lanes where !(a > b). */
inline uint32_t notGreater(__m256i a, __m256i b) {
  return ~static_cast<uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b)))) & 0xfu;
}

/** Copies a pixel's k×k window (k rows of rowLen words, `stride` words apart) into `win`. */
inline void copyWindow(const uint64_t* base, int64_t k, int64_t rowLen, int64_t stride, uint64_t* win) {
  for (int64_t dy = 0; dy < k; dy++) std::memcpy(win + dy * rowLen, base + dy * stride, rowLen * 8);
}

void binaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 1) / 2, pw = w + k - 1, rowLen = k * wpp64, K = k * rowLen;
  const int groups = op[F_COUT_PADDED] / 4;
  const int64_t outWords = wordsPerPixel(op[F_COUT], 1);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  const int64_t* thresholds = op.constAt<int64_t>(F_THRESHOLDS);
  const uint8_t* positionClass = op.constAt<uint8_t>(F_POSITION_CLASS);
  uint64_t* win = op.arenaAt<uint64_t>(F_SCRATCH);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const int64_t p = static_cast<int64_t>(y) * w + x;
      copyWindow(op.arenaAt<uint64_t>(F_SRC) + (y * pw + x) * wpp64, k, rowLen, pw * wpp64, win);
      const int64_t* t = thresholds + static_cast<int64_t>(positionClass[p]) * groups * 4;
      uint32_t* out = op.arenaAt<uint32_t>(F_OUT) + p * outWords;
      std::memset(out, 0, outWords * 4);
      for (int g = 0; g < groups; g++) {
        const uint64_t* wg = w4 + g * K * 4;
        const __m256i count = harleySeal(K, [&](int64_t j) { return _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(win[j])), load4(wg + 4 * j)); });
        out[(4 * g) >> 5] |= notGreater(count, load4(t + 4 * g)) << ((4 * g) & 31);
      }
    }
  }
}

void ternaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 2) / 2, pw = w + k - 1, rowLen = k * wpp64, K = k * rowLen;
  const int64_t coutPadded = op[F_COUT_PADDED];
  const int groups = static_cast<int>(coutPadded / 4);
  const int64_t outWords = wordsPerPixel(op[F_COUT], 2);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  const int64_t* thresholds = op.constAt<int64_t>(F_THRESHOLDS);
  uint64_t* win = op.arenaAt<uint64_t>(F_SCRATCH);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      copyWindow(op.arenaAt<uint64_t>(F_SRC) + (y * pw + x) * wpp64, k, rowLen, pw * wpp64, win);
      uint32_t* out = op.arenaAt<uint32_t>(F_OUT) + (static_cast<int64_t>(y) * w + x) * outWords;
      std::memset(out, 0, outWords * 4);
      for (int g = 0; g < groups; g++) {
        const __m256i z = ternaryLanes(win, w4 + g * K * 4, K / 2);
        for (int p = 0; p < 2; p++) {  // z ≥ t ⇔ !(t > z)
          out[channelWord(4 * g, p, 2)] |= notGreater(load4(thresholds + p * coutPadded + 4 * g), z) << ((4 * g) & 31);
        }
      }
    }
  }
}

/** Stores 4 lanes of int64 z as int32. */
inline void storeZ(int32_t* z, __m256i lanes) {
  alignas(32) int64_t v[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(v), lanes);
  for (int i = 0; i < 4; i++) z[i] = static_cast<int32_t>(v[i]);
}

void binaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  const __m256i inputs = _mm256_set1_epi64x(op[F_INPUTS]);
  for (int g = 0; g < op[F_COUT_PADDED] / 4; g++) {
    const uint64_t* wg = w4 + g * len * 4;
    const __m256i count = harleySeal(len, [&](int64_t j) { return _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(inp[j])), load4(wg + 4 * j)); });
    storeZ(op.arenaAt<int32_t>(F_OUT) + 4 * g, _mm256_sub_epi64(inputs, _mm256_add_epi64(count, count)));
  }
}

void ternaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  for (int g = 0; g < op[F_COUT_PADDED] / 4; g++) storeZ(op.arenaAt<int32_t>(F_OUT) + 4 * g, ternaryLanes(inp, w4 + g * len * 4, len / 2));
}

/** 4 doubles per register, for floatConvKernel. */
struct Lanes4 {
  using D = __m256d;
  static constexpr int lanes = 4, pixels = 2;
  static D set1(double v) { return _mm256_set1_pd(v); }
  static D load(const float* w) { return _mm256_cvtps_pd(_mm_loadu_ps(w)); }
  static D fmadd(D a, D b, D c) { return _mm256_fmadd_pd(a, b, c); }
  static uint32_t ge(D z, const float* t) { return static_cast<uint32_t>(_mm_movemask_ps(_mm_cmp_ps(_mm256_cvtpd_ps(z), _mm_loadu_ps(t), _CMP_GE_OQ))); }
};

}  // namespace

const Kernels AVX2_KERNELS = {"AVX2", L_GROUPED4, {floatConvKernel<Lanes4>, binaryConv, ternaryConv, binaryDense, ternaryDense}};

}  // namespace packed

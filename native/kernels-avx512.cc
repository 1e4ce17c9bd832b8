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

namespace packed {
namespace {

using namespace plan_abi;

// Conversions (here and in Lanes8) are the zero-masking forms: GCC 12 warns (wrongly) that the plain ones read an
// uninitialised register (its bug 105593).

/** 8 int64 lanes → 8 int32 (values fit). */
inline __m256i narrow(__m512i v) { return _mm512_maskz_cvtepi64_epi32(0xff, v); }

inline __m512i popcountXor(__m512i b, const uint64_t* w) { return _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(w))); }

void binaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 1) / 2, pw = w + k - 1, rowLen = k * wpp64;
  const int64_t K = k * rowLen;  // words per channel
  const int groups = op[F_COUT_PADDED] / 8;
  const int64_t outWords = wordsPerPixel(op[F_COUT], 1);
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w8 = op.constAt<uint64_t>(F_WEIGHTS);
  const int64_t* thresholds = op.constAt<int64_t>(F_THRESHOLDS);
  const uint8_t* positionClass = op.constAt<uint8_t>(F_POSITION_CLASS);
  uint32_t* pre = op.arenaAt<uint32_t>(F_OUT);
  for (int y = 0; y < h; y++) {
    int x = 0;
    // Blocks of 4 pixels × 4 groups (32 channels): each weight load serves 4 pixels.
    for (; x + 4 <= w && groups >= 4; x += 4) {
      const uint64_t* base = inp + (y * pw + x) * wpp64;
      uint32_t* out[4];
      const int64_t* t[4];
      for (int q = 0; q < 4; q++) {
        const int64_t p = static_cast<int64_t>(y) * w + x + q;
        out[q] = pre + p * outWords;
        std::memset(out[q], 0, outWords * 4);
        t[q] = thresholds + static_cast<int64_t>(positionClass[p]) * groups * 8;
      }
      int g = 0;
      for (; g + 4 <= groups; g += 4) {
        __m512i acc[4][4];
        for (int q = 0; q < 4; q++) for (int r = 0; r < 4; r++) acc[q][r] = _mm512_setzero_si512();
        const uint64_t* wg = w8 + g * K * 8;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + dy * pw * wpp64;
          const uint64_t* wr = wg + dy * rowLen * 8;
          for (int64_t j = 0; j < rowLen; j++) {
            const __m512i w0 = _mm512_loadu_si512(wr + 8 * j);
            const __m512i w1 = _mm512_loadu_si512(wr + 8 * (K + j));
            const __m512i w2 = _mm512_loadu_si512(wr + 8 * (2 * K + j));
            const __m512i w3 = _mm512_loadu_si512(wr + 8 * (3 * K + j));
            for (int q = 0; q < 4; q++) {
              const __m512i b = _mm512_set1_epi64(static_cast<long long>(a[q * wpp64 + j]));
              acc[q][0] = _mm512_add_epi64(acc[q][0], _mm512_popcnt_epi64(_mm512_xor_si512(b, w0)));
              acc[q][1] = _mm512_add_epi64(acc[q][1], _mm512_popcnt_epi64(_mm512_xor_si512(b, w1)));
              acc[q][2] = _mm512_add_epi64(acc[q][2], _mm512_popcnt_epi64(_mm512_xor_si512(b, w2)));
              acc[q][3] = _mm512_add_epi64(acc[q][3], _mm512_popcnt_epi64(_mm512_xor_si512(b, w3)));
            }
          }
        }
        for (int q = 0; q < 4; q++) {
          uint32_t bits = 0;
          for (int r = 0; r < 4; r++) bits |= static_cast<uint32_t>(_mm512_cmple_epi64_mask(acc[q][r], _mm512_loadu_si512(t[q] + 8 * (g + r)))) << (8 * r);
          out[q][g >> 2] = bits;  // channels 8g … 8g+31: one whole word
        }
      }
      for (; g < groups; g++) {
        for (int q = 0; q < 4; q++) {
          __m512i a0 = _mm512_setzero_si512();
          const uint64_t* wg = w8 + g * K * 8;
          for (int dy = 0; dy < k; dy++) {
            const uint64_t* a = base + dy * pw * wpp64 + q * wpp64;
            const uint64_t* wr = wg + dy * rowLen * 8;
            for (int64_t j = 0; j < rowLen; j++) a0 = _mm512_add_epi64(a0, popcountXor(_mm512_set1_epi64(static_cast<long long>(a[j])), wr + 8 * j));
          }
          out[q][(8 * g) >> 5] |= static_cast<uint32_t>(_mm512_cmple_epi64_mask(a0, _mm512_loadu_si512(t[q] + 8 * g))) << ((8 * g) & 31);
        }
      }
    }
    for (; x < w; x++) {
      const int64_t p = static_cast<int64_t>(y) * w + x;
      const int64_t* t = thresholds + static_cast<int64_t>(positionClass[p]) * groups * 8;
      uint32_t* out = pre + p * outWords;
      std::memset(out, 0, outWords * 4);
      const uint64_t* base = inp + (y * pw + x) * wpp64;
      for (int g = 0; g < groups; g++) {
        __m512i a0 = _mm512_setzero_si512();
        const uint64_t* wg = w8 + g * K * 8;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + dy * pw * wpp64;
          const uint64_t* wr = wg + dy * rowLen * 8;
          for (int64_t j = 0; j < rowLen; j++) a0 = _mm512_add_epi64(a0, popcountXor(_mm512_set1_epi64(static_cast<long long>(a[j])), wr + 8 * j));
        }
        out[(8 * g) >> 5] |= static_cast<uint32_t>(_mm512_cmple_epi64_mask(a0, _mm512_loadu_si512(t + 8 * g))) << ((8 * g) & 31);
      }
    }
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

/** Each plane's bits z ≥ t of 8 channels from 8g into a pixel's words. */
inline void ternaryBits(__m512i z, const int64_t* thresholds, int64_t coutPadded, int g, uint32_t* out) {
  for (int p = 0; p < 2; p++) {
    const uint32_t m = _mm512_cmpge_epi64_mask(z, _mm512_loadu_si512(thresholds + p * coutPadded + 8 * g));
    out[channelWord(8 * g, p, 2)] |= m << ((8 * g) & 31);
  }
}

/** A ternary conv's sizes, in 64-bit words: per input pixel, per kernel row, per output channel. */
struct TernaryShape {
  int k;
  int64_t wpp64, rowLen, K, inRow, coutPadded;
  const uint64_t* w8;
  const int64_t* thresholds;
};

/**
 * Q neighbouring pixels (windows from `base`, outputs `out[q]`) × R groups from g: each weight load
 * serves Q pixels and each input broadcast R groups. The bits z ≥ t of each plane go into out[q].
 */
template <int Q, int R>
inline void ternaryBlock(const TernaryShape& c, const uint64_t* base, int g, uint32_t* const* out) {
  __m512i nonzero[Q][R], negative[Q][R];
  for (int q = 0; q < Q; q++) for (int r = 0; r < R; r++) nonzero[q][r] = negative[q][r] = _mm512_setzero_si512();
  const uint64_t* wg = c.w8 + g * c.K * 8;
  for (int dy = 0; dy < c.k; dy++) {
    const uint64_t* a = base + dy * c.inRow;
    const uint64_t* wr = wg + dy * c.rowLen * 8;
    for (int64_t j = 0; j < c.rowLen; j += 2) {
      __m512i sign[R], mask[R];
      for (int r = 0; r < R; r++) {
        sign[r] = _mm512_loadu_si512(wr + 8 * (r * c.K + j));
        mask[r] = _mm512_loadu_si512(wr + 8 * (r * c.K + j + 1));
      }
      for (int q = 0; q < Q; q++) {
        const __m512i as = _mm512_set1_epi64(static_cast<long long>(a[q * c.wpp64 + j]));
        const __m512i am = _mm512_set1_epi64(static_cast<long long>(a[q * c.wpp64 + j + 1]));
        for (int r = 0; r < R; r++) {
          const __m512i m = _mm512_and_si512(am, mask[r]);
          nonzero[q][r] = _mm512_add_epi64(nonzero[q][r], _mm512_popcnt_epi64(m));
          // (as ^ ws) & m in one instruction
          negative[q][r] = _mm512_add_epi64(negative[q][r], _mm512_popcnt_epi64(_mm512_ternarylogic_epi64(as, sign[r], m, 0x28)));
        }
      }
    }
  }
  for (int q = 0; q < Q; q++) {
    for (int r = 0; r < R; r++) {
      const __m512i z = _mm512_sub_epi64(nonzero[q][r], _mm512_add_epi64(negative[q][r], negative[q][r]));
      ternaryBits(z, c.thresholds, c.coutPadded, g + r, out[q]);
    }
  }
}

/** Q pixels from (y, x): zeroed outputs, then every group, two at a time. */
template <int Q>
inline void ternaryPixels(const Op& op, const TernaryShape& c, int y, int x) {
  const int w = op[F_WIDTH], groups = static_cast<int>(c.coutPadded / 8);
  const int64_t outWords = wordsPerPixel(op[F_COUT], 2);
  uint32_t* out[Q];
  for (int q = 0; q < Q; q++) {
    out[q] = op.arenaAt<uint32_t>(F_OUT) + (static_cast<int64_t>(y) * w + x + q) * outWords;
    std::memset(out[q], 0, outWords * 4);
  }
  const uint64_t* base = op.arenaAt<uint64_t>(F_SRC) + y * c.inRow + x * c.wpp64;
  int g = 0;
  for (; g + 2 <= groups; g += 2) ternaryBlock<Q, 2>(c, base, g, out);
  if (g < groups) ternaryBlock<Q, 1>(c, base, g, out);
}

void ternaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 2) / 2, rowLen = k * wpp64;
  const TernaryShape c{k, wpp64, rowLen, k * rowLen, (w + k - 1) * wpp64, op[F_COUT_PADDED], op.constAt<uint64_t>(F_WEIGHTS), op.constAt<int64_t>(F_THRESHOLDS)};
  for (int y = 0; y < h; y++) {
    int x = 0;
    for (; x + 4 <= w; x += 4) ternaryPixels<4>(op, c, y, x);
    for (; x < w; x++) ternaryPixels<1>(op, c, y, x);
  }
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

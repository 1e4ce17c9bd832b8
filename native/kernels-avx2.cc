// AVX2 kernels, on the grouped4 layout of lib/packed/plan.ts: 4 output channels per register (one
// 64-bit lane each), a broadcast input word against word j of 4 channels' weights ([group][word][4]).
// AVX2 has no popcount instruction for vectors: bytes are counted by a nibble lookup (vpshufb) and
// summed per lane by vpsadbw, after Harley–Seal carry-save trees have added the vectors (XORs, or a
// ternary conv's ANDs) so that one lookup counts about four (countBits; Muła, Kurz and Lemire, "Faster
// population counts using AVX2 instructions", 2018). Compiled for AVX2 by the pragma below (after
// every include, so that no inline function shared with other files is built for it); run only where
// the CPU has it.
#include <immintrin.h>

#include "kernels.h"

#pragma GCC target("avx2,fma,popcnt")

#include "float-conv.h"
#include "windows.h"

namespace packed {
namespace {

using namespace plan_abi;

/** Nibble lookup tables: set bits, and twice the set bits. */
inline __m256i countTable() { return _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4); }
inline __m256i doubleCountTable() { return _mm256_add_epi8(countTable(), countTable()); }

/** Set bits of each byte (times 2 with doubleCountTable), by looking up each nibble in `table`. */
inline __m256i popcountBytes(__m256i v, __m256i table = countTable()) {
  const __m256i low = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_shuffle_epi8(table, _mm256_and_si256(v, low));
  const __m256i hi = _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(v, 4), low));
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

inline __m256i load4(const void* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

/** Binary input word a against word j of 4 channels' weights ([word][4]): their XOR. */
inline __m256i binaryWord(uint64_t a, const uint64_t* w, int64_t j) { return _mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(a)), load4(w + 4 * j)); }

/**
 * Ternary input words a (sign, non-zero) against pair j of 4 channels' weights ([pair][plane][4]):
 * m = m_a ∧ m_w, or when `negative`, m ∧ (s_a ⊕ s_w); z = popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)).
 */
inline __m256i ternaryWord(const uint64_t* a, const uint64_t* w, int64_t j, bool negative) {
  const __m256i m = _mm256_and_si256(_mm256_set1_epi64x(static_cast<long long>(a[1])), load4(w + 8 * j + 4));
  return negative ? _mm256_and_si256(_mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(a[0])), load4(w + 8 * j)), m) : m;
}

/** Bits of 4 lanes where !(a > b). */
inline uint32_t notGreater(__m256i a, __m256i b) {
  return ~static_cast<uint32_t>(_mm256_movemask_pd(_mm256_castsi256_pd(_mm256_cmpgt_epi64(a, b)))) & 0xfu;
}

// ---- convs -------------------------------------------------------------------------------------
//
// A binary or ternary conv takes its output pixels in pairs (GATHERED_WINDOWS, row by row and on
// across rows; a ternary one with a long window, one by one): it gathers the windows into the
// working space as the weights hold them (windows.h), then counts every group of 4 channels over
// them with one carry-save tree per pixel and count, so that each weight load serves two pixels and
// most vectors cost a carry-save adder instead of a lookup. The common window sizes are compiled as
// constants, which unrolls the trees.

/**
 * Per 64-bit lane, the set bits of n ≥ 1 vectors x(i, j), j < n, for L counts i: carry-save
 * (Harley–Seal) trees, so that few lookups count many vectors. `ones` starts as x(i, 0) and takes
 * the others two at a time, their carries (weight 2) go to `twos`, two at a time, and theirs (weight
 * 4) to `fours`, whose carries (weight 8) are looked up into `eights` (byte counts, at most 8 per
 * block of eight vectors, moved to `total` every 31 blocks). What is left (1–7 vectors) joins the
 * last lookups of ones, twos and fours. For n = 5 or 9 that is 2 or 5 carry-save adders and 3 or 4
 * lookups, the fewest a tree of them can do; a long run costs 7 adders and a lookup per 8 vectors.
 * N > 0: n is N, a constant.
 */
template <int L, int64_t N, typename X>
inline void countBits(int64_t size, X x, __m256i* count) {
  const int64_t n = N > 0 ? N : size;
  const __m256i zero = _mm256_setzero_si256(), table2 = doubleCountTable(), table4 = _mm256_add_epi8(table2, table2);
  __m256i ones[L], twos[L], fours[L], eights[L], total[L];
  for (int i = 0; i < L; i++) {
    ones[i] = x(i, 0);
    twos[i] = fours[i] = eights[i] = total[i] = zero;
  }
  // Four vectors from j into ones and twos: their carry of weight 4.
  const auto quad = [&](int i, int64_t j) {
    const __m256i t1 = csa(ones[i], x(i, j), x(i, j + 1)), t2 = csa(ones[i], x(i, j + 2), x(i, j + 3));
    return csa(twos[i], t1, t2);
  };
  int64_t j = 1;
  if (n >= 3) {
    for (int i = 0; i < L; i++) twos[i] = csa(ones[i], x(i, 1), x(i, 2));
    j = 3;
  }
  const bool hasFours = j + 4 <= n;
  if (hasFours) {
    for (int i = 0; i < L; i++) fours[i] = quad(i, j);
    j += 4;
  }
  const bool hasEights = j + 8 <= n;
  for (int blocks = 0; j + 8 <= n; j += 8, blocks++) {
    if (blocks == 31) {
      for (int i = 0; i < L; i++) {
        total[i] = _mm256_add_epi64(total[i], laneSums(eights[i]));
        eights[i] = zero;
      }
      blocks = 0;
    }
    for (int i = 0; i < L; i++) {
      const __m256i a = quad(i, j), b = quad(i, j + 4);
      eights[i] = _mm256_add_epi8(eights[i], popcountBytes(csa(fours[i], a, b)));
    }
  }
  for (int i = 0; i < L; i++) {
    // Bytes of at most 32 + 16 + 8 (the last vectors) + 8 + 16 + 32 (ones, twos, fours).
    __m256i bytes = zero;
    int64_t k = j;
    if (k + 4 <= n) {
      bytes = popcountBytes(quad(i, k), table4);
      k += 4;
    }
    if (n - k >= 2) {
      bytes = _mm256_add_epi8(bytes, popcountBytes(csa(ones[i], x(i, k), x(i, k + 1)), table2));
      k += 2;
    }
    if (k < n) bytes = _mm256_add_epi8(bytes, popcountBytes(x(i, k)));
    bytes = _mm256_add_epi8(bytes, _mm256_add_epi8(popcountBytes(ones[i]), popcountBytes(twos[i], table2)));
    if (hasFours) bytes = _mm256_add_epi8(bytes, popcountBytes(fours[i], table4));
    count[i] = laneSums(bytes);
    if (hasEights) count[i] = _mm256_add_epi64(count[i], _mm256_slli_epi64(_mm256_add_epi64(total[i], laneSums(eights[i])), 3));
  }
}

/** P pixels from pixel p = (y, x): bits count ≤ the threshold of each pixel's position class. */
template <int P, int64_t N>
void binaryPixels(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) {
  const uint64_t* win[P];
  gatherPixels<P>(op, c, y, x, win);
  const int64_t* t[P];
  for (int q = 0; q < P; q++) t[q] = op.constAt<int64_t>(F_THRESHOLDS) + static_cast<int64_t>(op.constAt<uint8_t>(F_POSITION_CLASS)[p + q]) * c.groups * 4;
  OutputBits<P, 1, 4> out(op, c, p);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  for (int g = 0; g < c.groups; g++) {
    const uint64_t* wg = w4 + g * c.words * 4;
    __m256i count[P];
    countBits<P, N>(c.words, [&](int q, int64_t j) { return binaryWord(win[q][j], wg, j); }, count);
    for (int q = 0; q < P; q++) out.add(q, 0, g, notGreater(count[q], load4(t[q] + 4 * g)));
    out.next(c, g);
  }
  out.finish(c);
}

/**
 * P pixels from pixel p = (y, x): each plane's bits z ≥ t, z = popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)) with
 * m = m_a ∧ m_w, each popcount by its own tree (counts 2q and 2q + 1 of countBits).
 */
template <int P, int64_t N>
void ternaryPixels(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) {
  const uint64_t* win[P];
  gatherPixels<P>(op, c, y, x, win);
  OutputBits<P, 2, 4> out(op, c, p);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  const int64_t* thresholds = op.constAt<int64_t>(F_THRESHOLDS);
  const int64_t coutPadded = 4 * c.groups;
  for (int g = 0; g < c.groups; g++) {
    const uint64_t* wg = w4 + g * c.words * 4;
    __m256i count[2 * P];
    countBits<2 * P, N / 2>(c.words / 2, [&](int i, int64_t j) { return ternaryWord(win[i / 2] + 2 * j, wg, j, i % 2 != 0); }, count);
    for (int q = 0; q < P; q++) {
      const __m256i z = _mm256_sub_epi64(count[2 * q], _mm256_add_epi64(count[2 * q + 1], count[2 * q + 1]));
      for (int plane = 0; plane < 2; plane++) out.add(q, plane, g, notGreater(load4(thresholds + plane * coutPadded + 4 * g), z));  // z ≥ t ⇔ !(t > z)
    }
    out.next(c, g);
  }
  out.finish(c);
}

/** Every pixel of a conv, Pixels::pixels<N> at a time, by Pixels::run<P, N> with N the window's 64-bit words if it is one of Sizes, else 0. */
template <typename Pixels, int64_t N>
void allPixels(const Op& op, const ConvShape& c) {
  constexpr int P = Pixels::template pixels<N>;
  static_assert(P <= GATHERED_WINDOWS[L_GROUPED4], "the working space holds GATHERED_WINDOWS[L_GROUPED4] windows");
  pixelBlocks<P>(c, [&](auto block, int64_t p, int64_t y, int64_t x) { Pixels::template run<decltype(block)::pixels, N>(op, c, p, y, x); });
}

template <typename Pixels, int64_t... Sizes>
void convPixels(const Op& op) {
  const ConvShape c = convShape(op, 4);
  if (!((c.words == Sizes && (allPixels<Pixels, Sizes>(op, c), true)) || ...)) allPixels<Pixels, 0>(op, c);
}

struct BinaryPixels {
  template <int64_t N>
  static constexpr int pixels = 2;
  template <int P, int64_t N>
  static void run(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) { binaryPixels<P, N>(op, c, p, y, x); }
};
struct TernaryPixels {
  // Two pixels (four trees) where the window is short; on longer ones their state no longer fits in registers.
  template <int64_t N>
  static constexpr int pixels = N > 0 && N <= 18 ? 2 : 1;
  template <int P, int64_t N>
  static void run(const Op& op, const ConvShape& c, int64_t p, int64_t y, int64_t x) { ternaryPixels<P, N>(op, c, p, y, x); }
};

// Windows of 5, 9 and 18 words: k = 3 and at most 32, 64 or 128 channels (ternary: 10, 18, 36 words, in pairs).
void binaryConv(const Op& op) { convPixels<BinaryPixels, 5, 9, 18>(op); }
void ternaryConv(const Op& op) { convPixels<TernaryPixels, 10, 18, 36>(op); }

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
    __m256i count;
    countBits<1, 0>(len, [&](int, int64_t j) { return binaryWord(inp[j], wg, j); }, &count);
    storeZ(op.arenaAt<int32_t>(F_OUT) + 4 * g, _mm256_sub_epi64(inputs, _mm256_add_epi64(count, count)));
  }
}

void ternaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* w4 = op.constAt<uint64_t>(F_WEIGHTS);
  for (int g = 0; g < op[F_COUT_PADDED] / 4; g++) {
    const uint64_t* wg = w4 + g * len * 4;
    __m256i count[2];
    countBits<2, 0>(len / 2, [&](int i, int64_t j) { return ternaryWord(inp + 2 * j, wg, j, i != 0); }, count);
    storeZ(op.arenaAt<int32_t>(F_OUT) + 4 * g, _mm256_sub_epi64(count[0], _mm256_add_epi64(count[1], count[1])));
  }
}

/** 4 doubles per register, for floatConvKernel. */
struct Lanes4 {
  using D = __m256d;
  static constexpr int lanes = 4, pixels = 2;
  static D set1(double v) { return _mm256_set1_pd(v); }
  static D broadcast(const double* v) { return _mm256_broadcast_sd(v); }
  static D load(const double* w) { return _mm256_loadu_pd(w); }
  static D fmadd(D a, D b, D c) { return _mm256_fmadd_pd(a, b, c); }
  static uint32_t ge(D z, const float* t) { return static_cast<uint32_t>(_mm_movemask_ps(_mm_cmp_ps(_mm256_cvtpd_ps(z), _mm_loadu_ps(t), _CMP_GE_OQ))); }
};

}  // namespace

const Kernels AVX2_KERNELS = {"AVX2", L_GROUPED4, {floatConvKernel<Lanes4>, binaryConv, ternaryConv, binaryDense, ternaryDense}};

}  // namespace packed

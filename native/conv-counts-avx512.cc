// The AVX-512 VPOPCNTDQ kernel of conv-counts.h: 8 filters per register, weights regrouped as
// [filters / 8][k][k][words][8], so that one broadcast input word meets 8 filters' words at once
// and lane i sums filter 8g + i. Compiled for AVX-512 by the pragma below, after every include (no
// inline function shared with other files is built for it); run only where the CPU has it.
#include <immintrin.h>

#include "conv-counts.h"

#pragma GCC target("avx512f,avx512vl,avx512bw,avx512dq,avx512vpopcntdq,popcnt")

namespace packed {
namespace {
// Not std::min and std::max: templates instantiated here would be built for AVX-512 and could be the copy other files link to.
inline int64_t least(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t most(int64_t a, int64_t b) { return a > b ? a : b; }
}  // namespace

/** Sign bits (set where a value is < 0) of `values` (runs of `channels`) into runs of `words` 64-bit words, for runs [first, last). */
void packSignsAvx512(const float* values, int64_t channels, int64_t words, uint64_t* bits, int64_t first, int64_t last) {
  const __m512 zero = _mm512_setzero_ps();
  for (int64_t r = first; r < last; r++) {
    const float* v = values + r * channels;
    for (int64_t j = 0; j < words; j++) {
      uint64_t word = 0;
      for (int64_t c = 64 * j, part = 0; part < 4 && c < channels; c += 16, part++) {
        const __mmask16 inside = static_cast<__mmask16>(channels - c >= 16 ? 0xffff : (1u << (channels - c)) - 1);
        word |= static_cast<uint64_t>(_mm512_mask_cmp_ps_mask(inside, _mm512_maskz_loadu_ps(inside, v + c), zero, _CMP_LT_OQ)) << (16 * part);
      }
      bits[r * words + j] = word;
    }
  }
}

/**
 * Counts of Q pixels of one row from (image, y, x), every in-bounds tap the same for all of them,
 * for R groups of 8 filters from g: each weight load serves the Q pixels, each broadcast input word
 * the R groups.
 */
template <int Q, int R>
inline void pixelGroups(const CountsShape& s, const uint64_t* input, const uint64_t* grouped, int64_t image, int64_t y, int64_t x, int64_t g,
                        int64_t dy0, int64_t dy1, int64_t dx0, int64_t dx1, float* out) {
  const int64_t pad = s.k / 2, tapWords = s.words * 8, groupStride = s.k * s.k * tapWords;
  __m512i count[Q][R];
  for (int q = 0; q < Q; q++) {
    for (int r = 0; r < R; r++) count[q][r] = _mm512_setzero_si512();
  }
  for (int64_t dy = dy0; dy < dy1; dy++) {
    for (int64_t dx = dx0; dx < dx1; dx++) {
      const uint64_t* a = input + ((image * s.height + y + dy - pad) * s.width + x + dx - pad) * s.words;
      const uint64_t* w = grouped + ((g * s.k + dy) * s.k + dx) * tapWords;
      for (int64_t j = 0; j < s.words; j++) {
        __m512i weights[R];
        for (int r = 0; r < R; r++) weights[r] = _mm512_loadu_si512(w + r * groupStride + 8 * j);
        for (int q = 0; q < Q; q++) {
          const __m512i b = _mm512_set1_epi64(static_cast<long long>(a[q * s.words + j]));
          for (int r = 0; r < R; r++) count[q][r] = _mm512_add_epi64(count[q][r], _mm512_popcnt_epi64(_mm512_xor_si512(b, weights[r])));
        }
      }
    }
  }
  const __m512i valid = _mm512_set1_epi64((dy1 - dy0) * (dx1 - dx0) * s.channels);
  for (int q = 0; q < Q; q++) {
    float* z = out + ((image * s.height + y) * s.width + x + q) * s.filters;
    for (int r = 0; r < R; r++) {
      const int64_t f = 8 * (g + r);
      const __m256 v = _mm512_maskz_cvtepi64_ps(0xff, _mm512_sub_epi64(valid, _mm512_add_epi64(count[q][r], count[q][r])));
      _mm256_mask_storeu_ps(z + f, static_cast<__mmask8>((1u << least(8, s.filters - f)) - 1), v);
    }
  }
}

/** Q pixels from (image, y, x), all groups. */
template <int Q>
inline void pixels(const CountsShape& s, const uint64_t* input, const uint64_t* grouped, int64_t image, int64_t y, int64_t x, float* out) {
  const int64_t pad = s.k / 2, groups = (s.filters + 7) / 8;
  const int64_t dy0 = most(0, pad - y), dy1 = least(s.k, s.height + pad - y);
  const int64_t dx0 = most(0, pad - x), dx1 = least(s.k, s.width + pad - x);
  int64_t g = 0;
  for (; g + 4 <= groups; g += 4) pixelGroups<Q, 4>(s, input, grouped, image, y, x, g, dy0, dy1, dx0, dx1, out);
  for (; g < groups; g++) pixelGroups<Q, 1>(s, input, grouped, image, y, x, g, dy0, dy1, dx0, dx1, out);
}

/** Pixels a block takes: the taps of pixels in a row away from its ends are the same. */
constexpr int BLOCK = 4;

/** Pixels [first, last) of conv-counts.h's convCounts, from weights regrouped by 8 (zero where filters run out). */
void convCountsAvx512(const CountsShape& s, const uint64_t* input, const uint64_t* grouped, float* out, int64_t first, int64_t last) {
  const int64_t pad = s.k / 2;
  for (int64_t p = first; p < last;) {
    const int64_t x = p % s.width, y = (p / s.width) % s.height, image = p / (s.width * s.height);
    // A block of pixels whose windows all lie inside the row (x − pad ≥ 0, x + BLOCK − 1 + pad < width), or one pixel.
    if (x >= pad && x + BLOCK - 1 + pad < s.width && p + BLOCK <= last) {
      pixels<BLOCK>(s, input, grouped, image, y, x, out);
      p += BLOCK;
    } else {
      pixels<1>(s, input, grouped, image, y, x, out);
      p++;
    }
  }
}

}  // namespace packed

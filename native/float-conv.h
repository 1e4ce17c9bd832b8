// The float first layer, one definition for every instruction set: per channel a float64 sum in
// (dy, dx, i) order, exactly as the reference (lib/packed/reference.ts); a·w of two floats is exact
// in double, so a fused multiply-add rounds as the reference's add does. Then rounded to float32 and
// compared with each plane's thresholds. V is a register of V::lanes doubles (V::D) with load (4
// floats of weights widened), set1, fmadd and ge (the lanes' bits z ≥ t for float32 thresholds).
// Two pixels (x, x + 1) at a time share the weight loads, and 8 independent sums hide the latency of
// the multiply-adds; a pixel past the row's end is computed and dropped. Channels are padded to 32
// (zero weights, NaN thresholds), a multiple of the 4·lanes each pass takes.
//
// Included by each kernel file after its `#pragma GCC target`, so that it is built for that
// instruction set.
#pragma once

#include <cstring>

#include "kernels.h"

namespace packed {

template <typename V>
void floatConvKernel(const Op& op) {
  using namespace plan_abi;
  constexpr int L = V::lanes;
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K], cin = op[F_CIN], planes = op[F_PLANES], r = (k - 1) / 2;
  const int64_t coutPadded = op[F_COUT_PADDED], outWords = wordsPerPixel(op[F_COUT], planes);
  const float* img = op.arenaAt<float>(F_SRC);
  const float* W = op.constAt<float>(F_WEIGHTS);
  const float* thresholds = op.constAt<float>(F_THRESHOLDS);
  uint32_t* pre = op.arenaAt<uint32_t>(F_OUT);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x += 2) {
      const bool second = x + 1 < w;
      uint32_t* outA = pre + (static_cast<int64_t>(y) * w + x) * outWords;
      std::memset(outA, 0, outWords * 4 * (second ? 2 : 1));
      for (int64_t o0 = 0; o0 < coutPadded; o0 += 4 * L) {
        typename V::D a[4], b[4];
        for (int q = 0; q < 4; q++) a[q] = b[q] = V::set1(0.0);
        for (int dy = 0; dy < k; dy++) {
          const int yy = y + dy - r;
          if (yy < 0 || yy >= h) continue;
          for (int dx = 0; dx < k; dx++) {
            const int xa = x + dx - r, xb = xa + 1;
            const bool inA = xa >= 0 && xa < w, inB = second && xb >= 0 && xb < w;
            if (!inA && !inB) continue;
            for (int i = 0; i < cin; i++) {
              const float* wr = W + ((dy * k + dx) * cin + i) * coutPadded + o0;
              typename V::D wv[4];
              for (int q = 0; q < 4; q++) wv[q] = V::load(wr + L * q);
              if (inA) {
                const typename V::D v = V::set1(img[(static_cast<int64_t>(yy) * w + xa) * cin + i]);
                for (int q = 0; q < 4; q++) a[q] = V::fmadd(v, wv[q], a[q]);
              }
              if (inB) {
                const typename V::D v = V::set1(img[(static_cast<int64_t>(yy) * w + xb) * cin + i]);
                for (int q = 0; q < 4; q++) b[q] = V::fmadd(v, wv[q], b[q]);
              }
            }
          }
        }
        for (int p = 0; p < planes; p++) {
          uint32_t bitsA = 0, bitsB = 0;
          for (int q = 0; q < 4; q++) {
            const float* t = thresholds + p * coutPadded + o0 + L * q;
            bitsA |= V::ge(a[q], t) << (L * q);
            bitsB |= V::ge(b[q], t) << (L * q);
          }
          const int word = channelWord(static_cast<int>(o0), p, planes), shift = static_cast<int>(o0 & 31);
          outA[word] |= bitsA << shift;
          if (second) outA[outWords + word] |= bitsB << shift;
        }
      }
    }
  }
}

}  // namespace packed

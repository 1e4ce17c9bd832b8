// The float first layer, one definition for every instruction set: per channel a float64 sum in
// (dy, dx, i) order, exactly as the reference (lib/packed/reference.ts); a·w of two floats is exact
// in double, so a fused multiply-add rounds as the reference's add does. Then rounded to float32 and
// compared with each plane's thresholds. V is a register of V::lanes doubles (V::D) with load (4
// floats of weights widened), set1, fmadd and ge (the lanes' bits z ≥ t for float32 thresholds).
// V::pixels neighbouring pixels at a time share the weight loads (and their widening), and their
// 4·pixels independent sums hide the latency of the multiply-adds. Channels are padded to 32
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
  constexpr int L = V::lanes, P = V::pixels;
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K], cin = op[F_CIN], planes = op[F_PLANES], r = (k - 1) / 2;
  const int64_t coutPadded = op[F_COUT_PADDED], outWords = wordsPerPixel(op[F_COUT], planes);
  const float* img = op.arenaAt<float>(F_SRC);
  const float* W = op.constAt<float>(F_WEIGHTS);
  const float* thresholds = op.constAt<float>(F_THRESHOLDS);
  uint32_t* pre = op.arenaAt<uint32_t>(F_OUT);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x += P) {
      const int n = w - x < P ? w - x : P;  // pixels of this pass in the row
      uint32_t* out = pre + (static_cast<int64_t>(y) * w + x) * outWords;
      std::memset(out, 0, outWords * 4 * n);
      for (int64_t o0 = 0; o0 < coutPadded; o0 += 4 * L) {
        typename V::D a[P][4];
        for (int p = 0; p < P; p++) for (int q = 0; q < 4; q++) a[p][q] = V::set1(0.0);
        for (int dy = 0; dy < k; dy++) {
          const int yy = y + dy - r;
          if (yy < 0 || yy >= h) continue;
          for (int dx = 0; dx < k; dx++) {
            const int x0 = x + dx - r;
            if (x0 + n <= 0 || x0 >= w) continue;
            for (int i = 0; i < cin; i++) {
              const float* wr = W + ((dy * k + dx) * cin + i) * coutPadded + o0;
              typename V::D wv[4];
              for (int q = 0; q < 4; q++) wv[q] = V::load(wr + L * q);
              for (int p = 0; p < P; p++) {
                if (p >= n || x0 + p < 0 || x0 + p >= w) continue;
                const typename V::D v = V::set1(img[(static_cast<int64_t>(yy) * w + x0 + p) * cin + i]);
                for (int q = 0; q < 4; q++) a[p][q] = V::fmadd(v, wv[q], a[p][q]);
              }
            }
          }
        }
        for (int pl = 0; pl < planes; pl++) {
          const int word = channelWord(static_cast<int>(o0), pl, planes), shift = static_cast<int>(o0 & 31);
          for (int p = 0; p < n; p++) {
            uint32_t bits = 0;
            for (int q = 0; q < 4; q++) bits |= V::ge(a[p][q], thresholds + pl * coutPadded + o0 + L * q) << (L * q);
            out[p * outWords + word] |= bits << shift;
          }
        }
      }
    }
  }
}

}  // namespace packed

// The float first layer, one definition for every instruction set: per channel a float64 sum in
// (dy, dx, i) order, exactly as the reference (lib/packed/reference.ts); a·w of two floats is exact
// in double, so a fused multiply-add rounds as the reference's add does. Then rounded to float32 and
// compared with each plane's thresholds. V is a register of V::lanes doubles (V::D) with load,
// broadcast (one double from memory), fmadd and ge (the lanes' bits z ≥ t for float32 thresholds).
// V::pixels neighbouring pixels at a time share the weight loads, and their 4·pixels independent
// sums hide the latency of the multiply-adds. Channels are padded to 32 (zero weights, NaN
// thresholds), a multiple of the 4·lanes each pass takes.
//
// The image and the weights are first widened to doubles, the image with a zero border, so that the
// inner loops carry no conversions and no bounds checks: a border tap adds 0·w = ±0, which leaves
// every sum as the reference's skipped tap does.
//
// Included by each kernel file after its `#pragma GCC target`, so that it is built for that
// instruction set.
#pragma once

#include <cstring>

#include "kernels.h"

namespace packed {
// Internal to each kernel file: these helpers are compiled for its instruction set.
namespace {

/** The layer's inputs and weights widened to double once per image, for loops free of conversions and bounds checks. */
struct WidenedConv {
  const double* padded;   // the image [h][w][cin] with a zero border of r pixels: [h + 2r][w + 2r][cin]
  const double* weights;  // [k][k][cin][coutPadded]

  explicit WidenedConv(const Op& op) {
    using namespace plan_abi;
    const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K], cin = op[F_CIN], r = (k - 1) / 2;
    const int64_t pw = w + 2 * r, rowValues = static_cast<int64_t>(w) * cin, weightValues = static_cast<int64_t>(k) * k * cin * op[F_COUT_PADDED];
    double* p = zeroedThreadDoubles(0, (h + 2 * r) * pw * cin);
    const float* img = op.arenaAt<float>(F_SRC);
    for (int y = 0; y < h; y++) {
      for (int64_t j = 0; j < rowValues; j++) p[((y + r) * pw + r) * cin + j] = img[y * rowValues + j];
    }
    double* wd = zeroedThreadDoubles(1, weightValues);
    const float* W = op.constAt<float>(F_WEIGHTS);
    for (int64_t j = 0; j < weightValues; j++) wd[j] = W[j];
    padded = p;
    weights = wd;
  }
};

/** Output bits of P pixels from (y, x) on: 4·lanes channels per pass, the sums in registers. */
template <typename V, int P>
inline void floatConvPixels(const Op& op, const WidenedConv& in, int y, int x) {
  using namespace plan_abi;
  constexpr int L = V::lanes;
  const int w = op[F_WIDTH], k = op[F_K], cin = op[F_CIN], planes = op[F_PLANES], r = (k - 1) / 2, run = k * cin;
  const int64_t coutPadded = op[F_COUT_PADDED], outWords = wordsPerPixel(op[F_COUT], planes), pw = w + 2 * r;
  const float* thresholds = op.constAt<float>(F_THRESHOLDS);
  uint32_t* out = op.arenaAt<uint32_t>(F_OUT) + (static_cast<int64_t>(y) * w + x) * outWords;
  std::memset(out, 0, outWords * 4 * P);
  for (int64_t o0 = 0; o0 < coutPadded; o0 += 4 * L) {
    typename V::D a[P][4];
    for (int p = 0; p < P; p++) for (int q = 0; q < 4; q++) a[p][q] = V::set1(0.0);
    for (int dy = 0; dy < k; dy++) {
      // A kernel row's taps (dx, i) are one run of k·cin values in the padded image and in the weights,
      // from padded pixel (y + dy, x), i.e. image pixel (y + dy − r, x − r).
      const double* from = in.padded + ((y + dy) * pw + x) * cin;
      const double* wrow = in.weights + dy * run * coutPadded + o0;
      for (int j = 0; j < run; j++) {
        typename V::D wv[4];
        for (int q = 0; q < 4; q++) wv[q] = V::load(wrow + j * coutPadded + L * q);
        for (int p = 0; p < P; p++) {
          const typename V::D v = V::broadcast(from + p * cin + j);
          for (int q = 0; q < 4; q++) a[p][q] = V::fmadd(v, wv[q], a[p][q]);
        }
      }
    }
    for (int pl = 0; pl < planes; pl++) {
      const int word = channelWord(static_cast<int>(o0), pl, planes), shift = static_cast<int>(o0 & 31);
      for (int p = 0; p < P; p++) {
        uint32_t bits = 0;
        for (int q = 0; q < 4; q++) bits |= V::ge(a[p][q], thresholds + pl * coutPadded + o0 + L * q) << (L * q);
        out[p * outWords + word] |= bits << shift;
      }
    }
  }
}

/** The last n < P pixels of a row from (y, x) on, in one pass. */
template <typename V, int P>
inline void floatConvTail(const Op& op, const WidenedConv& in, int y, int x, int n) {
  if constexpr (P > 1) {
    if (n == P - 1) floatConvPixels<V, P - 1>(op, in, y, x);
    else floatConvTail<V, P - 1>(op, in, y, x, n);
  }
}

template <typename V>
void floatConvKernel(const Op& op) {
  using namespace plan_abi;
  const int h = op[F_HEIGHT], w = op[F_WIDTH];
  const WidenedConv in(op);
  for (int y = 0; y < h; y++) {
    int x = 0;
    for (; x + V::pixels <= w; x += V::pixels) floatConvPixels<V, V::pixels>(op, in, y, x);
    floatConvTail<V, V::pixels>(op, in, y, x, w - x);
  }
}

}  // namespace
}  // namespace packed

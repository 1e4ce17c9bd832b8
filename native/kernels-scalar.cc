// Scalar kernels (any x86-64 or other CPU), on the portable layout of lib/packed/plan.ts: the same
// loops as the reference kernels (lib/packed/reference.ts), 64 bits at a time.
#include <cstring>

#include "float-conv.h"
#include "kernels.h"

namespace packed {
namespace {

using namespace plan_abi;

/** One double per "register", for floatConvKernel (-ffp-contract=off: the product, exact, then the sum, rounded once). */
struct Lanes1 {
  using D = double;
  static constexpr int lanes = 1, pixels = 2;
  static D set1(double v) { return v; }
  static D broadcast(const double* v) { return *v; }
  static D load(const double* w) { return *w; }
  static D fmadd(D a, D b, D c) { return a * b + c; }
  static uint32_t ge(D z, const float* t) { return static_cast<float>(z) >= *t ? 1u : 0u; }
};

void binaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K], cout = op[F_COUT];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 1) / 2, outWords = wordsPerPixel(cout, 1);
  const int64_t pw = w + k - 1, rowLen = k * wpp64;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* weights = op.constAt<uint64_t>(F_WEIGHTS);
  const uint8_t* positionClass = op.constAt<uint8_t>(F_POSITION_CLASS);
  const int32_t* thresholds = op.constAt<int32_t>(F_THRESHOLDS);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const int64_t p = static_cast<int64_t>(y) * w + x;
      const int32_t* t = thresholds + static_cast<int64_t>(positionClass[p]) * cout;
      uint32_t* out = op.arenaAt<uint32_t>(F_OUT) + p * outWords;
      std::memset(out, 0, outWords * 4);
      const uint64_t* base = inp + (y * pw + x) * wpp64;
      for (int o = 0; o < cout; o++) {
        int64_t count = 0;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + dy * pw * wpp64;
          const uint64_t* wr = weights + (static_cast<int64_t>(o) * k + dy) * rowLen;
          for (int64_t j = 0; j < rowLen; j++) count += __builtin_popcountll(a[j] ^ wr[j]);
        }
        if (count <= t[o]) out[o >> 5] |= 1u << (o & 31);
      }
    }
  }
}

/** popcount(m) − 2·popcount(m ∧ (s_a ⊕ s_w)) over `pairs` (sign, non-zero) pairs of 64-bit words. */
inline int64_t ternaryDot(const uint64_t* a, const uint64_t* w, int64_t pairs) {
  int64_t nonzero = 0, negative = 0;
  for (int64_t j = 0; j < 2 * pairs; j += 2) {
    const uint64_t m = a[j + 1] & w[j + 1];
    nonzero += __builtin_popcountll(m);
    negative += __builtin_popcountll((a[j] ^ w[j]) & m);
  }
  return nonzero - 2 * negative;
}

void ternaryConv(const Op& op) {
  const int h = op[F_HEIGHT], w = op[F_WIDTH], k = op[F_K], cout = op[F_COUT];
  const int64_t wpp64 = wordsPerPixel(op[F_CIN], 2) / 2, outWords = wordsPerPixel(cout, 2);
  const int64_t pw = w + k - 1, rowLen = k * wpp64;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* weights = op.constAt<uint64_t>(F_WEIGHTS);
  const int32_t* thresholds = op.constAt<int32_t>(F_THRESHOLDS);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      uint32_t* out = op.arenaAt<uint32_t>(F_OUT) + (static_cast<int64_t>(y) * w + x) * outWords;
      std::memset(out, 0, outWords * 4);
      const uint64_t* base = inp + (y * pw + x) * wpp64;
      for (int o = 0; o < cout; o++) {
        int64_t z = 0;
        for (int dy = 0; dy < k; dy++) z += ternaryDot(base + dy * pw * wpp64, weights + (static_cast<int64_t>(o) * k + dy) * rowLen, rowLen / 2);
        for (int p = 0; p < 2; p++) {
          if (z >= thresholds[p * cout + o]) out[channelWord(o, p, 2)] |= 1u << (o & 31);
        }
      }
    }
  }
}

void binaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* weights = op.constAt<uint64_t>(F_WEIGHTS);
  int32_t* z = op.arenaAt<int32_t>(F_OUT);
  for (int u = 0; u < op[F_COUT]; u++) {
    int64_t count = 0;
    const uint64_t* wr = weights + u * len;
    for (int64_t j = 0; j < len; j++) count += __builtin_popcountll(inp[j] ^ wr[j]);
    z[u] = static_cast<int32_t>(op[F_INPUTS] - 2 * count);
  }
}

void ternaryDense(const Op& op) {
  const int64_t len = op[F_INPUT_WORDS] / 2;
  const uint64_t* inp = op.arenaAt<uint64_t>(F_SRC);
  const uint64_t* weights = op.constAt<uint64_t>(F_WEIGHTS);
  int32_t* z = op.arenaAt<int32_t>(F_OUT);
  for (int u = 0; u < op[F_COUT]; u++) z[u] = static_cast<int32_t>(ternaryDot(inp, weights + u * len, len / 2));
}

}  // namespace

const Kernels SCALAR_KERNELS = {"scalar", L_PORTABLE, {floatConvKernel<Lanes1>, binaryConv, ternaryConv, binaryDense, ternaryDense}};

}  // namespace packed

// Native kernels of the packed binary network (N-API), an optional fast path next to the wasm
// kernels: the same layouts and results as lib/packed/reference.ts, with popcounts on AVX-512
// VPOPCNTDQ where the CPU has it (chosen at run time), else the scalar popcnt instruction.
// Built on demand by lib/packed/native.ts with the system's g++ (never required: any failure
// leaves the wasm kernels in charge). Compile with -ffp-contract=off: the logits' float32 batch
// norm must round step by step, as the float network does.
#include <node_api.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace {

enum Kind { FLOAT_CONV = 0, BINARY_CONV = 1, DENSE = 2, OUTPUT = 3 };

struct Layer {
  int kind, h, w, k, cin, cout, maxPool, inputWords, inputs, units;
  std::vector<float> fweights, fthr, mean, scale, offset;
  std::vector<uint32_t> weights, flip;
  std::vector<uint8_t> posClass;
  std::vector<int32_t> thr;
  // AVX-512 layout: weights [group of 8 channels][word][8] and thresholds [class][channel] as int64 (padding: −1, never).
  std::vector<uint64_t> w8;
  std::vector<int64_t> thr8;
};

struct Model {
  std::vector<Layer> layers;
  int imageSize = 0, classes = 0;
};

inline int wordsPerPixel(int c) { return 2 * ((c + 63) / 64); }

// ---- popcount of XOR over rows ------------------------------------------------------------

using ConvFn = void (*)(const uint32_t*, const Layer&, uint32_t*);
using DenseFn = void (*)(const uint32_t*, const Layer&, int32_t*);
using FloatFn = void (*)(const float*, const Layer&, double*, uint32_t*);

#if defined(__x86_64__)
// AVX-512: 8 output channels per register, one 64-bit input word broadcast against word j of 8
// channels' weights (repacked as [channel group][word][8]): lane i counts channel 8g + i, so no
// horizontal sums, and one compare against the thresholds gives 8 output bits.
__attribute__((target("avx512f,avx512vpopcntdq"))) void binaryConv512(const uint32_t* inp32, const Layer& l, uint32_t* pre) {
  const int h = l.h, w = l.w, k = l.k;
  const int wpp64 = wordsPerPixel(l.cin) / 2;
  const int pw = w + k - 1;
  const int rowLen = k * wpp64;
  const int K = k * rowLen;  // words per channel
  const int groups = (l.cout + 7) / 8;
  const int outWords = wordsPerPixel(l.cout);
  const uint64_t* inp = reinterpret_cast<const uint64_t*>(inp32);
  const uint64_t* w8 = l.w8.data();
  for (int y = 0; y < h; y++) {
    int x = 0;
    // Blocks of 4 pixels × 4 groups (32 channels): each weight load serves 4 pixels.
    for (; x + 4 <= w && groups >= 4; x += 4) {
      const uint64_t* base = inp + (static_cast<size_t>(y) * pw + x) * wpp64;
      uint32_t* out[4];
      const int64_t* t[4];
      for (int q = 0; q < 4; q++) {
        const int p = y * w + x + q;
        out[q] = pre + static_cast<size_t>(p) * outWords;
        std::memset(out[q], 0, outWords * 4);
        t[q] = l.thr8.data() + static_cast<size_t>(l.posClass[p]) * groups * 8;
      }
      int g = 0;
      for (; g + 4 <= groups; g += 4) {
        __m512i acc[4][4];
        for (int q = 0; q < 4; q++) for (int r = 0; r < 4; r++) acc[q][r] = _mm512_setzero_si512();
        const uint64_t* wg = w8 + static_cast<size_t>(g) * K * 8;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + static_cast<size_t>(dy) * pw * wpp64;
          const uint64_t* wr = wg + static_cast<size_t>(dy) * rowLen * 8;
          for (int j = 0; j < rowLen; j++) {
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
          const uint32_t m0 = _mm512_cmple_epi64_mask(acc[q][0], _mm512_loadu_si512(t[q] + 8 * g));
          const uint32_t m1 = _mm512_cmple_epi64_mask(acc[q][1], _mm512_loadu_si512(t[q] + 8 * (g + 1)));
          const uint32_t m2 = _mm512_cmple_epi64_mask(acc[q][2], _mm512_loadu_si512(t[q] + 8 * (g + 2)));
          const uint32_t m3 = _mm512_cmple_epi64_mask(acc[q][3], _mm512_loadu_si512(t[q] + 8 * (g + 3)));
          out[q][g >> 2] = m0 | (m1 << 8) | (m2 << 16) | (m3 << 24);
        }
      }
      for (; g < groups; g++) {
        for (int q = 0; q < 4; q++) {
          __m512i a0 = _mm512_setzero_si512();
          const uint64_t* wg = w8 + static_cast<size_t>(g) * K * 8;
          for (int dy = 0; dy < k; dy++) {
            const uint64_t* a = base + static_cast<size_t>(dy) * pw * wpp64 + q * wpp64;
            const uint64_t* wr = wg + static_cast<size_t>(dy) * rowLen * 8;
            for (int j = 0; j < rowLen; j++) {
              a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_set1_epi64(static_cast<long long>(a[j])), _mm512_loadu_si512(wr + 8 * j))));
            }
          }
          const uint32_t m0 = _mm512_cmple_epi64_mask(a0, _mm512_loadu_si512(t[q] + 8 * g));
          out[q][(8 * g) >> 5] |= m0 << ((8 * g) & 31);
        }
      }
    }
    for (; x < w; x++) {
      const int p = y * w + x;
      const int64_t* t = l.thr8.data() + static_cast<size_t>(l.posClass[p]) * groups * 8;
      uint32_t* out = pre + static_cast<size_t>(p) * outWords;
      std::memset(out, 0, outWords * 4);
      const uint64_t* base = inp + (static_cast<size_t>(y) * pw + x) * wpp64;
      int g = 0;
      for (; g + 4 <= groups; g += 4) {
        __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
        const uint64_t* wg = w8 + static_cast<size_t>(g) * K * 8;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + static_cast<size_t>(dy) * pw * wpp64;
          const uint64_t* wr = wg + static_cast<size_t>(dy) * rowLen * 8;
          for (int j = 0; j < rowLen; j++) {
            const __m512i b = _mm512_set1_epi64(static_cast<long long>(a[j]));
            a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wr + 8 * j))));
            a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wr + 8 * (K + j)))));
            a2 = _mm512_add_epi64(a2, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wr + 8 * (2 * K + j)))));
            a3 = _mm512_add_epi64(a3, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wr + 8 * (3 * K + j)))));
          }
        }
        const uint32_t m0 = _mm512_cmple_epi64_mask(a0, _mm512_loadu_si512(t + 8 * g));
        const uint32_t m1 = _mm512_cmple_epi64_mask(a1, _mm512_loadu_si512(t + 8 * (g + 1)));
        const uint32_t m2 = _mm512_cmple_epi64_mask(a2, _mm512_loadu_si512(t + 8 * (g + 2)));
        const uint32_t m3 = _mm512_cmple_epi64_mask(a3, _mm512_loadu_si512(t + 8 * (g + 3)));
        out[g >> 2] = m0 | (m1 << 8) | (m2 << 16) | (m3 << 24);  // channels 8g … 8g+31: one whole word
      }
      for (; g < groups; g++) {
        __m512i a0 = _mm512_setzero_si512();
        const uint64_t* wg = w8 + static_cast<size_t>(g) * K * 8;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + static_cast<size_t>(dy) * pw * wpp64;
          const uint64_t* wr = wg + static_cast<size_t>(dy) * rowLen * 8;
          for (int j = 0; j < rowLen; j++) {
            a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_set1_epi64(static_cast<long long>(a[j])), _mm512_loadu_si512(wr + 8 * j))));
          }
        }
        const uint32_t m0 = _mm512_cmple_epi64_mask(a0, _mm512_loadu_si512(t + 8 * g));
        out[(8 * g) >> 5] |= m0 << ((8 * g) & 31);
      }
    }
  }
}

__attribute__((target("avx512f,avx512vpopcntdq"))) void denseCounts512(const uint32_t* inp32, const Layer& l, int32_t* counts) {
  const int len = l.inputWords / 2, groups = (l.units + 7) / 8;
  const uint64_t* inp = reinterpret_cast<const uint64_t*>(inp32);
  alignas(64) int64_t lanes[32];
  int g = 0;
  for (; g < groups; g += 4) {
    const int n = std::min(4, groups - g);
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    const uint64_t* wg = l.w8.data() + static_cast<size_t>(g) * len * 8;
    const size_t step = static_cast<size_t>(len) * 8 * (n > 1 ? 1 : 0);  // extra groups read only when they exist
    for (int j = 0; j < len; j++) {
      const __m512i b = _mm512_set1_epi64(static_cast<long long>(inp[j]));
      a0 = _mm512_add_epi64(a0, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wg + 8 * j))));
      if (n > 1) a1 = _mm512_add_epi64(a1, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wg + step + 8 * j))));
      if (n > 2) a2 = _mm512_add_epi64(a2, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wg + 2 * step + 8 * j))));
      if (n > 3) a3 = _mm512_add_epi64(a3, _mm512_popcnt_epi64(_mm512_xor_si512(b, _mm512_loadu_si512(wg + 3 * step + 8 * j))));
    }
    _mm512_store_si512(lanes, a0);
    _mm512_store_si512(lanes + 8, a1);
    _mm512_store_si512(lanes + 16, a2);
    _mm512_store_si512(lanes + 24, a3);
    for (int i = 0; i < 8 * n && 8 * g + i < l.units; i++) counts[8 * g + i] = static_cast<int32_t>(lanes[i]);
  }
}
// The float first layer, exactly as the reference: per channel a float64 sum in (dy, dx, i) order,
// here 32 channels at a time in 4 registers of 8 doubles (a·w of two floats is exact in double, so
// the fused multiply-add rounds as the reference's add does), then rounded to float32 and compared.
__attribute__((target("avx512f,avx512vl"))) void floatConv512(const float* img, const Layer& l, double*, uint32_t* pre) {
  const int h = l.h, w = l.w, k = l.k, cin = l.cin, cout = l.cout, r = (k - 1) / 2;
  const int outWords = wordsPerPixel(cout);
  const float* W = l.fweights.data();
  for (int y = 0; y < h; y++) {
    // Two pixels (x, x + 1) at a time: they share the weight loads, and 8 independent sums hide the
    // latency of the fused multiply-adds. A pixel past the row's end is computed and dropped.
    for (int x = 0; x < w; x += 2) {
      const bool second = x + 1 < w;
      for (int o0 = 0; o0 < cout; o0 += 32) {
        __mmask8 mask[4];
        for (int q = 0; q < 4; q++) {
          const int left = cout - o0 - 8 * q;
          mask[q] = left >= 8 ? 0xff : left <= 0 ? 0 : static_cast<__mmask8>((1u << left) - 1);
        }
        __m512d a0 = _mm512_setzero_pd(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int dy = 0; dy < k; dy++) {
          const int yy = y + dy - r;
          if (yy < 0 || yy >= h) continue;
          for (int dx = 0; dx < k; dx++) {
            const int xa = x + dx - r, xb = xa + 1;
            const bool inA = xa >= 0 && xa < w, inB = second && xb >= 0 && xb < w;
            if (!inA && !inB) continue;
            for (int i = 0; i < cin; i++) {
              const float* wr = W + static_cast<size_t>((dy * k + dx) * cin + i) * cout + o0;
              const __m512d w0 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask[0], wr));
              const __m512d w1 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask[1], wr + 8));
              const __m512d w2 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask[2], wr + 16));
              const __m512d w3 = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(mask[3], wr + 24));
              if (inA) {
                const __m512d a = _mm512_set1_pd(img[(yy * w + xa) * cin + i]);
                a0 = _mm512_fmadd_pd(a, w0, a0);
                a1 = _mm512_fmadd_pd(a, w1, a1);
                a2 = _mm512_fmadd_pd(a, w2, a2);
                a3 = _mm512_fmadd_pd(a, w3, a3);
              }
              if (inB) {
                const __m512d b = _mm512_set1_pd(img[(yy * w + xb) * cin + i]);
                b0 = _mm512_fmadd_pd(b, w0, b0);
                b1 = _mm512_fmadd_pd(b, w1, b1);
                b2 = _mm512_fmadd_pd(b, w2, b2);
                b3 = _mm512_fmadd_pd(b, w3, b3);
              }
            }
          }
        }
        const float* t = l.fthr.data() + o0;
        const __m256 t0 = _mm256_maskz_loadu_ps(mask[0], t), t1 = _mm256_maskz_loadu_ps(mask[1], t + 8);
        const __m256 t2 = _mm256_maskz_loadu_ps(mask[2], t + 16), t3 = _mm256_maskz_loadu_ps(mask[3], t + 24);
        // o0 is a multiple of 32: each pixel's 32 channels are one whole word.
        uint32_t* outA = pre + static_cast<size_t>(y * w + x) * outWords;
        outA[o0 >> 5] = static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[0], _mm512_cvtpd_ps(a0), t0, _CMP_GE_OQ)) |
                        static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[1], _mm512_cvtpd_ps(a1), t1, _CMP_GE_OQ)) << 8 |
                        static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[2], _mm512_cvtpd_ps(a2), t2, _CMP_GE_OQ)) << 16 |
                        static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[3], _mm512_cvtpd_ps(a3), t3, _CMP_GE_OQ)) << 24;
        if (second) {
          uint32_t* outB = outA + outWords;
          outB[o0 >> 5] = static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[0], _mm512_cvtpd_ps(b0), t0, _CMP_GE_OQ)) |
                          static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[1], _mm512_cvtpd_ps(b1), t1, _CMP_GE_OQ)) << 8 |
                          static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[2], _mm512_cvtpd_ps(b2), t2, _CMP_GE_OQ)) << 16 |
                          static_cast<uint32_t>(_mm256_mask_cmp_ps_mask(mask[3], _mm512_cvtpd_ps(b3), t3, _CMP_GE_OQ)) << 24;
        }
      }
      // Words past the last channel's are zero padding.
      for (int j = (cout + 31) / 32; j < outWords; j++) {
        pre[static_cast<size_t>(y * w + x) * outWords + j] = 0;
        if (second) pre[static_cast<size_t>(y * w + x + 1) * outWords + j] = 0;
      }
    }
  }
}
#define POPCNT_TARGET __attribute__((target("popcnt")))
#else
#define POPCNT_TARGET
#endif

POPCNT_TARGET void binaryConvScalar(const uint32_t* inp32, const Layer& l, uint32_t* pre) {
  const int h = l.h, w = l.w, k = l.k, cout = l.cout;
  const int wpp64 = wordsPerPixel(l.cin) / 2;
  const int pw = w + k - 1;
  const int rowLen = k * wpp64;
  const size_t wStride = static_cast<size_t>(k) * rowLen;
  const int outWords = wordsPerPixel(cout);
  const uint64_t* inp = reinterpret_cast<const uint64_t*>(inp32);
  const uint64_t* weights = reinterpret_cast<const uint64_t*>(l.weights.data());
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const int p = y * w + x;
      const int32_t* t = l.thr.data() + static_cast<size_t>(l.posClass[p]) * cout;
      uint32_t* out = pre + static_cast<size_t>(p) * outWords;
      std::memset(out, 0, outWords * 4);
      const uint64_t* base = inp + (static_cast<size_t>(y) * pw + x) * wpp64;
      for (int o = 0; o < cout; o++) {
        int64_t count = 0;
        for (int dy = 0; dy < k; dy++) {
          const uint64_t* a = base + static_cast<size_t>(dy) * pw * wpp64;
          const uint64_t* wr = weights + o * wStride + dy * rowLen;
          for (int j = 0; j < rowLen; j++) count += __builtin_popcountll(a[j] ^ wr[j]);
        }
        if (count <= t[o]) out[o >> 5] |= 1u << (o & 31);
      }
    }
  }
}

POPCNT_TARGET void denseCountsScalar(const uint32_t* inp32, const Layer& l, int32_t* counts) {
  const int len = l.inputWords / 2;
  const uint64_t* inp = reinterpret_cast<const uint64_t*>(inp32);
  const uint64_t* weights = reinterpret_cast<const uint64_t*>(l.weights.data());
  for (int u = 0; u < l.units; u++) {
    int64_t count = 0;
    const uint64_t* wr = weights + static_cast<size_t>(u) * len;
    for (int j = 0; j < len; j++) count += __builtin_popcountll(inp[j] ^ wr[j]);
    counts[u] = static_cast<int32_t>(count);
  }
}


// ---- float first layer, pooling, the forward pass ---------------------------------------------

// z summed in float64 in (dy, dx, i) order per channel, as the reference does; a·w of two floats is
// exact in double, so the sum is the same with or without fused multiply-add.
__attribute__((target_clones("avx512f", "avx2", "default"))) void floatConv(const float* img, const Layer& l, double* acc, uint32_t* pre) {
  const int h = l.h, w = l.w, k = l.k, cin = l.cin, cout = l.cout, r = (k - 1) / 2;
  const int outWords = wordsPerPixel(cout);
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      std::fill(acc, acc + cout, 0.0);
      for (int dy = 0; dy < k; dy++) {
        const int yy = y + dy - r;
        if (yy < 0 || yy >= h) continue;
        for (int dx = 0; dx < k; dx++) {
          const int xx = x + dx - r;
          if (xx < 0 || xx >= w) continue;
          for (int i = 0; i < cin; i++) {
            const double a = img[(yy * w + xx) * cin + i];
            const float* wr = l.fweights.data() + static_cast<size_t>((dy * k + dx) * cin + i) * cout;
            for (int o = 0; o < cout; o++) acc[o] += a * static_cast<double>(wr[o]);
          }
        }
      }
      uint32_t* out = pre + static_cast<size_t>(y * w + x) * outWords;
      std::memset(out, 0, outWords * 4);
      for (int o = 0; o < cout; o++) {
        if (static_cast<float>(acc[o]) >= l.fthr[o]) out[o >> 5] |= 1u << (o & 31);
      }
    }
  }
}

struct Kernels {
  ConvFn conv;
  DenseFn dense;
  FloatFn first;
  const char* name;
  bool grouped;  // needs the [group][word][8] layout
};

Kernels chooseKernels() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vpopcntdq")) return {binaryConv512, denseCounts512, floatConv512, "AVX-512 VPOPCNTDQ", true};
  if (__builtin_cpu_supports("popcnt")) return {binaryConvScalar, denseCountsScalar, floatConv, "scalar popcnt", false};
#endif
  return {binaryConvScalar, denseCountsScalar, floatConv, "scalar", false};
}

const Kernels KERNELS = chooseKernels();

void finish(const uint32_t* pre, int h, int w, int wpp, bool pool, const uint32_t* flip, uint32_t* dst, int pad) {
  const int oh = pool ? (h + 1) / 2 : h, ow = pool ? (w + 1) / 2 : w, dw = ow + 2 * pad;
  for (int y = 0; y < oh; y++) {
    for (int x = 0; x < ow; x++) {
      uint32_t* d = dst + (static_cast<size_t>(y + pad) * dw + x + pad) * wpp;
      for (int j = 0; j < wpp; j++) {
        uint32_t v;
        if (pool) {
          const int yy = 2 * y, xx = 2 * x;
          v = pre[(yy * w + xx) * wpp + j];
          if (xx + 1 < w) v |= pre[(yy * w + xx + 1) * wpp + j];
          if (yy + 1 < h) {
            v |= pre[((yy + 1) * w + xx) * wpp + j];
            if (xx + 1 < w) v |= pre[((yy + 1) * w + xx + 1) * wpp + j];
          }
        } else {
          v = pre[(y * w + x) * wpp + j];
        }
        d[j] = v ^ flip[j];
      }
    }
  }
}

int outputWords(const Layer& l) {
  if (l.kind == FLOAT_CONV || l.kind == BINARY_CONV) {
    const int oh = l.maxPool ? (l.h + 1) / 2 : l.h, ow = l.maxPool ? (l.w + 1) / 2 : l.w;
    return oh * ow * wordsPerPixel(l.cout);
  }
  return l.kind == OUTPUT ? 0 : wordsPerPixel(l.units);
}

/** Runs images taken one by one from `next` (shared by the threads) until `count`, with this thread's own buffers. */
void runImages(const Model& m, const float* images, float* logits, std::atomic<int>* next, int count) {
  const size_t n = m.layers.size();
  std::vector<std::vector<uint64_t>> inputs(n), pres(n);  // u64 storage: 8-byte aligned
  std::vector<int> pads(n, 0);
  std::vector<int32_t> counts;
  std::vector<double> acc;
  for (size_t i = 0; i < n; i++) {
    const Layer& l = m.layers[i];
    size_t words = 0;
    if (i == 0) {
      words = 0;
    } else if (l.kind == BINARY_CONV) {
      pads[i] = (l.k - 1) / 2;
      words = static_cast<size_t>(l.h + 2 * pads[i]) * (l.w + 2 * pads[i]) * wordsPerPixel(l.cin);
    } else {
      words = outputWords(m.layers[i - 1]);
    }
    inputs[i].assign(words / 2 + 8, 0);
    if (l.kind == FLOAT_CONV || l.kind == BINARY_CONV) pres[i].assign(static_cast<size_t>(l.h) * l.w * wordsPerPixel(l.cout) / 2 + 8, 0);
    if (l.kind == DENSE || l.kind == OUTPUT) counts.resize(std::max<size_t>(counts.size(), l.units));
    if (l.kind == FLOAT_CONV) acc.resize(l.cout);
  }
  for (int img = next->fetch_add(1); img < count; img = next->fetch_add(1)) {
    const float* image = images + static_cast<size_t>(img) * m.imageSize;
    for (size_t i = 0; i < n; i++) {
      const Layer& l = m.layers[i];
      uint32_t* dst = i + 1 < n ? reinterpret_cast<uint32_t*>(inputs[i + 1].data()) : nullptr;
      const int padNext = i + 1 < n ? pads[i + 1] : 0;
      uint32_t* pre = reinterpret_cast<uint32_t*>(pres[i].data());
      const uint32_t* in = reinterpret_cast<const uint32_t*>(inputs[i].data());
      switch (l.kind) {
        case FLOAT_CONV:
          KERNELS.first(image, l, acc.data(), pre);
          finish(pre, l.h, l.w, wordsPerPixel(l.cout), l.maxPool, l.flip.data(), dst, padNext);
          break;
        case BINARY_CONV:
          KERNELS.conv(in, l, pre);
          finish(pre, l.h, l.w, wordsPerPixel(l.cout), l.maxPool, l.flip.data(), dst, padNext);
          break;
        case DENSE: {
          KERNELS.dense(in, l, counts.data());
          const int words = wordsPerPixel(l.units);
          for (int j = 0; j < words; j++) dst[j] = l.flip[j];
          for (int u = 0; u < l.units; u++) {
            if (counts[u] <= l.thr[u]) dst[u >> 5] ^= 1u << (u & 31);
          }
          break;
        }
        case OUTPUT: {
          KERNELS.dense(in, l, counts.data());
          float* out = logits + static_cast<size_t>(img) * m.classes;
          for (int u = 0; u < l.units; u++) {
            // ((z − mean)·scale) + offset, each step rounded to float32 (-ffp-contract=off).
            const float z = static_cast<float>(l.inputs - 2 * counts[u]);
            const float d = z - l.mean[u];
            const float s = d * l.scale[u];
            out[u] = s + l.offset[u];
          }
          break;
        }
      }
    }
  }
}

// ---- N-API glue ------------------------------------------------------------------------------

#define CHECK(call)                                                   \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error(env, nullptr, "packed native: " #call " failed"); \
      return nullptr;                                                 \
    }                                                                 \
  } while (0)

template <typename T>
bool typedArray(napi_env env, napi_value v, std::vector<T>& out) {
  bool is = false;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &buffer, &offset) != napi_ok) return false;
  size_t bytes = length;
  switch (type) {
    case napi_uint8_array: bytes = length; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: bytes = length * 4; break;
    default: return false;
  }
  out.resize(bytes / sizeof(T));
  if (bytes) std::memcpy(out.data(), data, bytes);
  return true;
}

/** Builds the [group of 8 channels][word][8] weights and int64 thresholds of the AVX-512 kernels. */
void regroup(Layer& l) {
  const int channels = l.kind == BINARY_CONV ? l.cout : l.units;
  const size_t words = l.kind == BINARY_CONV ? static_cast<size_t>(l.k) * l.k * (wordsPerPixel(l.cin) / 2) : l.inputWords / 2;
  const int groups = (channels + 7) / 8;
  const uint64_t* src = reinterpret_cast<const uint64_t*>(l.weights.data());
  l.w8.assign(static_cast<size_t>(groups) * words * 8, 0);
  for (int o = 0; o < channels; o++) {
    for (size_t j = 0; j < words; j++) l.w8[(static_cast<size_t>(o / 8) * words + j) * 8 + o % 8] = src[o * words + j];
  }
  if (l.kind == BINARY_CONV) {
    const size_t classes = l.thr.size() / channels;
    l.thr8.assign(classes * groups * 8, -1);
    for (size_t c = 0; c < classes; c++) {
      for (int o = 0; o < channels; o++) l.thr8[c * groups * 8 + o] = l.thr[c * channels + o];
    }
  }
}

void deleteModel(napi_env, void* data, void*) { delete static_cast<Model*>(data); }

// create(meta: Int32Array, arrays: TypedArray[]) → external model.
// meta: imageSize, classes, layerCount, then per layer 10 ints (kind h w k cin cout maxPool
// inputWords inputs units); arrays: per layer in order — float-conv: weights, thresholds, flip;
// binary-conv: weights, positionClass, thresholds, flip; dense: weights, thresholds, flip;
// output: weights, mean, scale, offset.
napi_value Create(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  std::vector<int32_t> meta;
  if (argc < 2 || !typedArray(env, argv[0], meta) || meta.size() < 3) {
    napi_throw_type_error(env, nullptr, "create(meta: Int32Array, arrays: TypedArray[])");
    return nullptr;
  }
  auto* m = new Model();
  m->imageSize = meta[0];
  m->classes = meta[1];
  const int count = meta[2];
  uint32_t next = 0;
  auto array = [&](auto& out) {
    napi_value v;
    return napi_get_element(env, argv[1], next++, &v) == napi_ok && typedArray(env, v, out);
  };
  bool ok = static_cast<int>(meta.size()) >= 3 + 10 * count;
  for (int i = 0; ok && i < count; i++) {
    const int32_t* p = meta.data() + 3 + 10 * i;
    Layer l{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], {}, {}, {}, {}, {}, {}, {}, {}, {}};
    switch (l.kind) {
      case FLOAT_CONV: ok = array(l.fweights) && array(l.fthr) && array(l.flip); break;
      case BINARY_CONV: ok = array(l.weights) && array(l.posClass) && array(l.thr) && array(l.flip); break;
      case DENSE: ok = array(l.weights) && array(l.thr) && array(l.flip); break;
      case OUTPUT: ok = array(l.weights) && array(l.mean) && array(l.scale) && array(l.offset); break;
      default: ok = false;
    }
    if (ok && KERNELS.grouped && (l.kind == BINARY_CONV || l.kind == DENSE || l.kind == OUTPUT)) regroup(l);
    m->layers.push_back(std::move(l));
  }
  if (!ok) {
    delete m;
    napi_throw_type_error(env, nullptr, "packed native: malformed model description");
    return nullptr;
  }
  napi_value result;
  CHECK(napi_create_external(env, m, deleteModel, nullptr, &result));
  return result;
}

// run(model, images: Float32Array, count, threads, logits: Float32Array): synchronous, splits the
// images between `threads` threads.
napi_value Run(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
  Model* m;
  CHECK(napi_get_value_external(env, argv[0], reinterpret_cast<void**>(&m)));
  napi_typedarray_type type;
  size_t length, offset;
  void *images, *logits;
  napi_value buffer;
  CHECK(napi_get_typedarray_info(env, argv[1], &type, &length, &images, &buffer, &offset));
  int32_t count, threads;
  CHECK(napi_get_value_int32(env, argv[2], &count));
  CHECK(napi_get_value_int32(env, argv[3], &threads));
  size_t logitsLength;
  CHECK(napi_get_typedarray_info(env, argv[4], &type, &logitsLength, &logits, &buffer, &offset));
  if (length < static_cast<size_t>(count) * m->imageSize || logitsLength < static_cast<size_t>(count) * m->classes) {
    napi_throw_range_error(env, nullptr, "packed native: arrays too short for count");
    return nullptr;
  }
  // Images are handed out one at a time, so a thread slowed by other work on its core takes fewer.
  threads = std::max(1, std::min(threads, count));
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; t++) {
    pool.emplace_back(runImages, std::cref(*m), static_cast<const float*>(images), static_cast<float*>(logits), &next, count);
  }
  runImages(*m, static_cast<const float*>(images), static_cast<float*>(logits), &next, count);
  for (auto& th : pool) th.join();
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn, name;
  napi_create_function(env, "create", NAPI_AUTO_LENGTH, Create, nullptr, &fn);
  napi_set_named_property(env, exports, "create", fn);
  napi_create_function(env, "run", NAPI_AUTO_LENGTH, Run, nullptr, &fn);
  napi_set_named_property(env, exports, "run", fn);
  napi_create_string_utf8(env, KERNELS.name, NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, exports, "kernels", name);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)

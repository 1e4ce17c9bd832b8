// conv-counts.h: the inputs and weights packed into sign bits (the weights, for AVX-512, regrouped
// by 8 filters) and the output pixels split between threads; and the scalar kernel (hardware
// popcount), for CPUs without AVX-512.
#include "conv-counts.h"

#include <algorithm>
#include <system_error>
#include <thread>
#include <vector>

#include "cpu.h"

namespace packed {

void convCountsAvx512(const CountsShape& s, const uint64_t* input, const uint64_t* grouped, float* out, int64_t first, int64_t last);
void packSignsAvx512(const float* values, int64_t channels, int64_t words, uint64_t* bits, int64_t first, int64_t last);

namespace {

__attribute__((target("popcnt"))) void convCountsScalar(const CountsShape& s, const uint64_t* input, const uint64_t* weights, float* out, int64_t first, int64_t last) {
  const int64_t pad = s.k / 2;
  for (int64_t p = first; p < last; p++) {
    const int64_t x = p % s.width, y = (p / s.width) % s.height, image = p / (s.width * s.height);
    const int64_t dy0 = std::max<int64_t>(0, pad - y), dy1 = std::min(s.k, s.height + pad - y);
    const int64_t dx0 = std::max<int64_t>(0, pad - x), dx1 = std::min(s.k, s.width + pad - x);
    const int64_t valid = (dy1 - dy0) * (dx1 - dx0) * s.channels;
    for (int64_t f = 0; f < s.filters; f++) {
      int64_t count = 0;
      for (int64_t dy = dy0; dy < dy1; dy++) {
        for (int64_t dx = dx0; dx < dx1; dx++) {
          const uint64_t* a = input + ((image * s.height + y + dy - pad) * s.width + x + dx - pad) * s.words;
          const uint64_t* w = weights + ((f * s.k + dy) * s.k + dx) * s.words;
          for (int64_t j = 0; j < s.words; j++) count += __builtin_popcountll(a[j] ^ w[j]);
        }
      }
      out[p * s.filters + f] = static_cast<float>(valid - 2 * count);
    }
  }
}

/** fn(first, last) over [0, n) split into `threads` parts, this thread taking the first. */
template <typename F>
void inParallel(int64_t n, int threads, F fn) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, n));
  std::vector<std::thread> pool;
  int64_t started = 1;
  try {
    for (; started < parts; started++) pool.emplace_back(fn, n * started / parts, n * (started + 1) / parts);
  } catch (const std::system_error&) {
    // Fewer threads than asked: this one also takes the parts not started.
    for (int64_t t = started; t < parts; t++) fn(n * t / parts, n * (t + 1) / parts);
  }
  fn(0, n / parts);
  for (auto& th : pool) th.join();
}

/** The sign bits of `values` (runs of `channels`) into runs of `words` 64-bit words, for runs [first, last). */
void packSigns(const float* values, int64_t channels, int64_t words, uint64_t* bits, int64_t first, int64_t last) {
  for (int64_t r = first; r < last; r++) {
    const float* v = values + r * channels;
    for (int64_t j = 0; j < words; j++) {
      uint64_t word = 0;
      const int64_t end = std::min<int64_t>(64, channels - 64 * j);
      for (int64_t b = 0; b < end; b++) word |= static_cast<uint64_t>(v[64 * j + b] < 0) << b;
      bits[r * words + j] = word;
    }
  }
}

}  // namespace

std::string countsShapeOf(const double sizes[6], CountsShape* shape) {
  constexpr int64_t limit = int64_t{1} << 31;
  int64_t d[6];
  for (int i = 0; i < 6; i++) {
    const double v = sizes[i];
    if (!(v >= 1 && v < static_cast<double>(limit)) || v != static_cast<double>(static_cast<int64_t>(v))) return "every size must be a whole number from 1 to 2^31 - 1";
    d[i] = static_cast<int64_t>(v);
  }
  const CountsShape s{d[0], d[1], d[2], d[3], (d[3] + 63) / 64, d[4], d[5]};
  if (s.k % 2 == 0) return "k must be odd ('same' padding)";
  // Input, weights, output: each product is checked against the limit before the next multiplication, so none overflows.
  const int64_t buffers[3][4] = {{s.images, s.height, s.width, s.channels}, {s.k, s.k, s.channels, s.filters}, {s.images, s.height, s.width, s.filters}};
  for (const auto& sizesOfBuffer : buffers) {
    int64_t n = 1;
    for (int64_t v : sizesOfBuffer) {
      n *= v;
      if (n >= limit) return "a buffer would exceed 2^31 elements";
    }
  }
  *shape = s;
  return "";
}

std::string convCountsCpuProblem(bool avx512) {
  if (avx512 && !hasAvx512()) return "this CPU lacks AVX-512 VPOPCNTDQ";
  if (!avx512 && !hasPopcnt()) return "this CPU lacks POPCNT";
  return "";
}

void convCounts(const CountsShape& s, const float* input, const float* weights, float* out, bool avx512, int threads) {
  const int64_t pixels = s.images * s.height * s.width, taps = s.k * s.k, groups = (s.filters + 7) / 8;
  std::vector<uint64_t> inputBits(static_cast<size_t>(pixels * s.words));
  inParallel(pixels, threads, [&](int64_t first, int64_t last) {
    (avx512 ? packSignsAvx512 : packSigns)(input, s.channels, s.words, inputBits.data(), first, last);
  });
  // The weights' sign bits, read in TensorFlow's order ([k][k][channels][filters]) and laid out as the kernel reads them:
  // [filters][k][k][words], or [filters / 8][k][k][words][8] for AVX-512.
  std::vector<uint64_t> weightBits(static_cast<size_t>((avx512 ? groups * 8 : s.filters) * taps * s.words), 0);
  // Split by taps: each tap's words are its own.
  inParallel(taps, threads, [&](int64_t firstTap, int64_t lastTap) {
    for (int64_t t = firstTap; t < lastTap; t++) {
      for (int64_t c = 0; c < s.channels; c++) {
        const float* w = weights + (t * s.channels + c) * s.filters;
        const int64_t j = c / 64;
        for (int64_t f = 0; f < s.filters; f++) {
          const int64_t at = avx512 ? (((f / 8) * taps + t) * s.words + j) * 8 + f % 8 : (f * taps + t) * s.words + j;
          weightBits[at] |= static_cast<uint64_t>(w[f] < 0) << (c % 64);
        }
      }
    }
  });
  inParallel(pixels, threads, [&](int64_t first, int64_t last) {
    (avx512 ? convCountsAvx512 : convCountsScalar)(s, inputBits.data(), weightBits.data(), out, first, last);
  });
}

}  // namespace packed

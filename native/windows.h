// The windows of a binary or ternary conv, as the kernels that gather them read them (the grouped
// layouts of lib/packed/plan.ts): each output pixel's k×k window is copied into the op's working
// space as the weights hold it (inputWords: every half of each tap, or only the halves its channels
// fill, end to end), so that the counts run over one flat run of 64-bit words, and pixels can be
// taken in blocks that run on across row ends. Then their output bits, a group of channels at a time.
//
// Included by each kernel file after its `#pragma GCC target`, so that it is built for that
// instruction set.
#pragma once

#include <immintrin.h>  // the kernel file includes it first, before its pragma

#include "kernels.h"

namespace packed {
// Internal to each kernel file: these helpers are compiled for its instruction set.
namespace {

/** A binary or ternary conv as the gathering kernels read it. */
struct ConvShape {
  int w, k, planes, groups;  // output width, kernel size, bit-planes, groups of the layout's G channels
  int64_t pixels;            // output pixels
  int64_t halves;            // halves (32-bit words) of each tap per plane that a window holds
  int64_t pixelWords;        // 32-bit words of an input pixel
  int64_t rowWords;          // of a zero-bordered input row
  int64_t words;             // 64-bit words of a window
  int64_t outWords;          // 32-bit words of an output pixel
};

/** The shape of a binary or ternary conv whose weights are in groups of G = `group` channels. */
inline ConvShape convShape(const Op& op, int group) {
  using namespace plan_abi;
  const int planes = op[F_PLANES], k = op[F_K];
  const int64_t pixelWords = wordsPerPixel(op[F_CIN], planes);
  // The checked plan gives inputWords = windowWords(k, halves, planes) with the halves of whole pixels, or those the channels fill.
  const bool whole = op[F_INPUT_WORDS] == k * k * pixelWords;
  return {op[F_WIDTH], k, planes, op[F_COUT_PADDED] / group, static_cast<int64_t>(op[F_HEIGHT]) * op[F_WIDTH],
          whole ? pixelWords / planes : halvesPerPixel(op[F_CIN]), pixelWords, (op[F_WIDTH] + k - 1) * pixelWords, op[F_INPUT_WORDS] / 2,
          wordsPerPixel(op[F_COUT], planes)};
}

/** A 32-bit word of a gathered window, which the kernels read as 64-bit words: exempt from type-based alias analysis. */
typedef uint32_t __attribute__((may_alias)) WindowHalf;

/** The 32-bit word of half s of a plane, in a pixel or a window: planes alternate by 64-bit word. */
template <int Planes>
inline int64_t halfAt(int64_t s, int plane) { return Planes == 1 ? s : 4 * (s >> 1) + 2 * plane + (s & 1); }

/**
 * The windows of P pixels (zero-bordered inputs from src[q], their top-left taps) of an odd number
 * of halves per tap (Halves, or c.halves if 0), into win[q]: each tap's halves end to end on each
 * plane, then a zero half to end on a whole word. Tap by tap, the pixels innermost.
 */
template <int P, int Planes, int Halves>
inline void gatherHalves(const uint32_t* const* src, const ConvShape& c, WindowHalf* const* win) {
  // The sizes in locals: the stores to win may alias anything, c too.
  const int k = c.k;
  const int64_t halves = Halves > 0 ? Halves : c.halves, pixelWords = c.pixelWords, rowWords = c.rowWords;
  int64_t s = 0;
  for (int dy = 0; dy < k; dy++) {
    for (int dx = 0; dx < k; dx++) {
      const int64_t tap = dy * rowWords + dx * pixelWords;
      for (int64_t i = 0; i < halves; i++, s++) {
        for (int plane = 0; plane < Planes; plane++) {
          for (int q = 0; q < P; q++) win[q][halfAt<Planes>(s, plane)] = src[q][tap + halfAt<Planes>(i, plane)];
        }
      }
    }
  }
  if (s & 1) {
    for (int plane = 0; plane < Planes; plane++) for (int q = 0; q < P; q++) win[q][halfAt<Planes>(s, plane)] = 0;
  }
}

/** The windows of P pixels whose zero-bordered inputs start at src[q] (their top-left taps), into win[q] as the weights hold them. */
template <int P>
inline void gatherWindows(const uint32_t* const* src, const ConvShape& c, WindowHalf* const* win) {
  if (c.halves % 2 != 0) {  // each tap's halves, end to end
    if (c.planes == 1) c.halves == 1 ? gatherHalves<P, 1, 1>(src, c, win) : gatherHalves<P, 1, 0>(src, c, win);
    else c.halves == 1 ? gatherHalves<P, 2, 1>(src, c, win) : gatherHalves<P, 2, 0>(src, c, win);
    return;
  }
  // Whole pixels: each kernel row is a run of 64-bit words.
  const int64_t row = c.k * c.pixelWords / 2;
  for (int q = 0; q < P; q++) {
    uint64_t* to = reinterpret_cast<uint64_t*>(win[q]);
    for (int dy = 0; dy < c.k; dy++, to += row) {
      const uint64_t* from = reinterpret_cast<const uint64_t*>(src[q] + dy * c.rowWords);
      for (int64_t j = 0; j < row; j++) _mm_storel_epi64(reinterpret_cast<__m128i*>(to + j), _mm_loadl_epi64(reinterpret_cast<const __m128i*>(from + j)));
    }
  }
}

/** The windows of P pixels from pixel p = (y, x) on (in row-major order), gathered into the working space. */
template <int P>
inline void gatherPixels(const Op& op, const ConvShape& c, int64_t y, int64_t x, const uint64_t** win) {
  using namespace plan_abi;
  WindowHalf* scratch = op.arenaAt<WindowHalf>(F_SCRATCH);
  const uint32_t* src[P];
  WindowHalf* to[P];
  for (int q = 0; q < P; q++, x++) {
    if (x == c.w) {
      x = 0;
      y++;
    }
    src[q] = op.arenaAt<uint32_t>(F_SRC) + y * c.rowWords + x * c.pixelWords;
    to[q] = scratch + q * 2 * c.words;
    win[q] = reinterpret_cast<const uint64_t*>(to[q]);
  }
  gatherWindows<P>(src, c, to);
}

/**
 * Output bits of P pixels from pixel p, G channels (a group) at a time: stored by whole words, the
 * words past the last group zeroed.
 */
template <int P, int Planes, int G>
struct OutputBits {
  uint32_t* out[P];
  uint32_t bits[P][Planes] = {};
  OutputBits(const Op& op, const ConvShape& c, int64_t p) {
    for (int q = 0; q < P; q++) out[q] = op.arenaAt<uint32_t>(plan_abi::F_OUT) + (p + q) * c.outWords;
  }
  /** Group g's bits of pixel q on `plane`. */
  void add(int q, int plane, int g, uint32_t group) { bits[q][plane] |= group << ((G * g) & 31); }
  /** After group g: stores the words it completes (its 32 channels', or the conv's last). */
  void next(const ConvShape& c, int g) {
    if ((G * (g + 1)) % 32 != 0 && g != c.groups - 1) return;
    for (int q = 0; q < P; q++) {
      for (int plane = 0; plane < Planes; plane++) {
        out[q][channelWord(G * g, plane, Planes)] = bits[q][plane];
        bits[q][plane] = 0;
      }
    }
  }
  void finish(const ConvShape& c) {
    // Words of channels past the last group's 32 (64-channel blocks of [plane][2 words]).
    const int64_t last = (G * (c.groups - 1)) >> 5;
    for (int q = 0; q < P; q++) {
      for (int64_t j = 0; j < c.outWords; j++) {
        if ((j / (2 * Planes)) * 2 + (j & 1) > last) out[q][j] = 0;
      }
    }
  }
};

/** A block of P output pixels, its size a type for a generic lambda to read as a constant. */
template <int P>
struct Block {
  static constexpr int pixels = P;
};

/**
 * Every output pixel in row-major order, P at a time (a block runs on across row ends), then the
 * rest one by one: run(Block<P or 1>(), p, y, x) for the block from pixel p = (y, x).
 */
template <int P, typename Run>
inline void pixelBlocks(const ConvShape& c, Run run) {
  int64_t p = 0, y = 0, x = 0;
  const auto step = [&](auto block) {
    run(block, p, y, x);
    p += block.pixels;
    for (x += block.pixels; x >= c.w; x -= c.w) y++;
  };
  while (p + P <= c.pixels) step(Block<P>());
  while (p < c.pixels) step(Block<1>());
}

}  // namespace
}  // namespace packed

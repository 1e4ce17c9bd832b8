// A binary conv's exact outputs, for the op of tensorflow-ops.h (training and inference on tfjs-node): ±1 inputs and ±1
// weights, packed here as sign bits (bit set where a value is < 0, channels padded to whole 64-bit
// words with 0 bits), stride 1, 'same' zero padding, output z = Σ over in-bounds taps of
// (channels − 2·popcount(a ⊕ w)): the value a float conv of the ±1 values gives exactly (integers
// far below 2^24), as float32.
#pragma once

#include <cstdint>
#include <string>

namespace packed {

struct CountsShape {
  int64_t images, height, width;  // input and output: 'same' padding, stride 1
  int64_t channels;
  int64_t words;                  // 64-bit words of a pixel's channels: ceil(channels / 64)
  int64_t filters, k;             // k×k window, k odd
};

/**
 * The shape of sizes [images, height, width, channels, filters, k] (from a caller not trusted: each
 * a whole number from 1 to 2^31 − 1, k odd, no buffer of 2^31 elements or more) into `shape`;
 * returns "" or what is wrong.
 */
std::string countsShapeOf(const double sizes[6], CountsShape* shape);

/** "" when this CPU has what the asked-for kernel needs (AVX-512 VPOPCNTDQ, or POPCNT), else what it lacks. */
std::string convCountsCpuProblem(bool avx512);

/**
 * z for every output pixel and filter into out ([images][height][width][filters]), from input
 * ([images][height][width][channels]) and weights ([k][k][channels][filters], TensorFlow's
 * layout), on `threads` threads. The caller has checked every size against the buffers
 * (countsShapeOf), and that the CPU has AVX-512 VPOPCNTDQ (`avx512`) or POPCNT
 * (convCountsCpuProblem). Throws std::bad_alloc.
 */
void convCounts(const CountsShape& s, const float* input, const float* weights, float* out, bool avx512, int threads);

}  // namespace packed

// What every native kernel file shares: the view of one operation of an execution plan
// (lib/packed/plan.ts; its fields are plan_abi.h, generated from lib/packed/plan-abi.ts), and the
// table of kernels one instruction set provides. Kernels trust the operation's sizes: plan.cc checks
// every one against the memory it names before a plan runs.
#pragma once

#include <cstddef>
#include <cstdint>

#include "plan_abi.h"

namespace packed {

/** One operation: its int32 fields, and the memory it runs in (this thread's arena, the plan's constants). */
struct Op {
  const int32_t* f;
  uint32_t* arena;
  const uint32_t* constants;

  int32_t operator[](plan_abi::OpField i) const { return f[i]; }
  /** A region of the arena (src, out, dst, scratch) or of the constants, as T. */
  template <typename T>
  T* arenaAt(plan_abi::OpField region) const { return reinterpret_cast<T*>(arena + f[region]); }
  template <typename T>
  const T* constAt(plan_abi::OpField region) const { return reinterpret_cast<const T*>(constants + f[region]); }
};

using KernelFn = void (*)(const Op&);

/** The kernels of one instruction set, indexed by plan_abi::KernelKind (null: not provided), and the layout they read. */
struct Kernels {
  const char* name;
  plan_abi::Layout layout;
  KernelFn kernel[plan_abi::KERNEL_KINDS];
};

// Tables list their kernels in this order.
static_assert(plan_abi::K_FLOAT_CONV == 0 && plan_abi::K_BINARY_CONV == 1 && plan_abi::K_TERNARY_CONV == 2 &&
                  plan_abi::K_BINARY_DENSE == 3 && plan_abi::K_TERNARY_DENSE == 4 && plan_abi::KERNEL_KINDS == 5,
              "kernel kinds changed in lib/packed/plan-abi.ts: update the kernel tables");

extern const Kernels SCALAR_KERNELS;
extern const Kernels AVX2_KERNELS;
extern const Kernels AVX512_KERNELS;

/**
 * This thread's buffer number `slot` (0 or 1) of n doubles, zeroed, for a kernel's working copies
 * (defined in plan.cc, outside every instruction set's pragma: its std::vector code is shared).
 */
double* zeroedThreadDoubles(int slot, int64_t n);

/** 32-bit words of one pixel's channels on `planes` bit-planes (model.ts). */
inline int64_t wordsPerPixel(int64_t channels, int64_t planes) { return 2 * planes * ((channels + 63) / 64); }

/** 32-bit halves that one pixel's channels fill on each plane. */
inline int64_t halvesPerPixel(int64_t channels) { return (channels + 31) / 32; }

/**
 * 32-bit words of a k×k window that holds `halves` halves of each tap per plane, end to end, in whole
 * 64-bit words (planes alternating by word, as a pixel's): a binary or ternary conv's inputWords
 * (lib/packed/plan.ts), with every half of a pixel (k·k·wordsPerPixel) or, in the grouped layouts,
 * with only the halves its channels fill.
 */
inline int64_t windowWords(int64_t k, int64_t halves, int64_t planes) { return 2 * planes * ((k * k * halves + 1) / 2); }

/** The 32-bit word of a pixel holding channel c of plane p (bit c & 31). */
inline int channelWord(int c, int plane, int planes) { return ((c >> 6) * planes + plane) * 2 + ((c >> 5) & 1); }

}  // namespace packed

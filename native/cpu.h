// What this CPU can run: the addon's kernels choose by these (addon.cc, conv-counts.cc).
#pragma once

namespace packed {

inline bool hasAvx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("popcnt");
}

inline bool hasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("popcnt");
}

inline bool hasPopcnt() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("popcnt");
}

}  // namespace packed

// Work split between threads, for the addon's kernels (conv-counts.cc, tensorflow-ops.cc).
#pragma once

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <thread>
#include <vector>

namespace packed {

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

}  // namespace packed

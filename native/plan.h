// An execution plan as the native engine holds it (lib/packed/plan.ts): checked once when created,
// then run by any number of threads, each with its own arena.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels.h"

namespace packed {

struct Plan {
  std::vector<int32_t> fields;     // header, then one record per operation
  std::vector<uint32_t> constants;
  const Kernels* kernels = nullptr;
  int32_t header(plan_abi::HeaderField f) const { return fields[f]; }
  int opCount() const { return header(plan_abi::H_OP_COUNT); }
  const int32_t* op(int i) const { return fields.data() + plan_abi::HEADER_FIELDS + static_cast<size_t>(i) * plan_abi::OP_FIELDS; }
};

/** What is wrong with a plan for `kernels`, or an empty string: every size, offset and code it holds is checked. */
std::string checkPlan(const Plan& plan, const Kernels& kernels);

/** A zeroed arena for one thread (8-byte aligned; the convs' borders stay zero). Throws std::bad_alloc. */
std::vector<uint64_t> newArena(const Plan& plan);

/** Runs images taken one by one from `next` (shared by the threads) until `count`, in this thread's own arena. */
void runImages(const Plan& plan, uint64_t* arena, const float* images, float* logits, std::atomic<int>* next, int count);

}  // namespace packed

// Run by test/packed-asan.test.ts, built with the native kernels' AddressSanitizer flags: a plan whose
// dense weights are shorter than the operation says, run without checkPlan (which refuses it). The
// kernel reads past the constants, and AddressSanitizer must say so: the harness would see a real one.
#include <atomic>
#include <cstdio>

#include "plan.h"

int main() {
  using namespace plan_abi;
  packed::Plan plan;
  const int inputWords = 64, units = 4;
  plan.fields.assign(HEADER_FIELDS + OP_FIELDS, 0);
  int32_t* h = plan.fields.data();
  h[H_MAGIC] = MAGIC;
  h[H_VERSION] = VERSION;
  h[H_HEADER_FIELDS] = HEADER_FIELDS;
  h[H_OP_FIELDS] = OP_FIELDS;
  h[H_OP_COUNT] = 1;
  h[H_IMAGE_SIZE] = inputWords;
  h[H_CLASSES] = units;
  h[H_IMAGE] = 0;
  h[H_LOGITS] = 2 * inputWords;
  h[H_ARENA_WORDS] = 2 * inputWords + units;
  int32_t* op = h + HEADER_FIELDS;
  op[F_KERNEL] = K_BINARY_DENSE;
  op[F_TRANSFORM] = T_BATCH_NORM;
  op[F_HEIGHT] = op[F_WIDTH] = op[F_K] = op[F_PLANES] = 1;
  op[F_COUT] = op[F_COUT_PADDED] = units;
  op[F_INPUTS] = 32 * inputWords;
  op[F_INPUT_WORDS] = op[F_SRC_WORDS] = inputWords;
  op[F_OUT] = inputWords;
  op[F_OUT_WORDS] = units;
  op[F_DST] = 2 * inputWords;
  op[F_DST_WORDS] = units;
  // Weights need units · inputWords words; the constants hold a quarter of them, then mean, scale, offset.
  plan.constants.assign(units * inputWords / 4 + 3 * units, 0);
  op[F_WEIGHTS_WORDS] = units * inputWords;
  op[F_MEAN] = units * inputWords / 4;
  op[F_SCALE] = op[F_MEAN] + units;
  op[F_OFFSET] = op[F_SCALE] + units;
  op[F_MEAN_WORDS] = op[F_SCALE_WORDS] = op[F_OFFSET_WORDS] = units;
  h[H_CONSTANTS_WORDS] = static_cast<int32_t>(plan.constants.size());
  h[H_LAYOUT] = L_PORTABLE;
  plan.kernels = &packed::SCALAR_KERNELS;
  std::printf("check: %s\n", packed::checkPlan(plan, packed::SCALAR_KERNELS).c_str());
  std::fflush(stdout);
  std::vector<float> image(inputWords, 0.0f), logits(units);
  std::atomic<int> next{0};
  std::vector<uint64_t> arena = packed::newArena(plan);
  packed::runImages(plan, arena.data(), image.data(), logits.data(), &next, 1);
  return 0;
}

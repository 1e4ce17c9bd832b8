// The binary conv as a TensorFlow op (tensorflow-ops.cc).
#pragma once

#include <string>

namespace packed {

/**
 * Registers BnnBinaryConv2D with the TensorFlow that tfjs-node loaded into this process (once; later
 * calls return the first call's result), to run on `threads` threads. Returns "" or why the op is
 * unavailable.
 */
std::string registerTensorflowOps(int threads);

}  // namespace packed

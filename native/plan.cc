// Checking and running an execution plan, and the output transforms every instruction set shares
// (lib/packed/plan.ts names them; lib/packed/reference.ts defines them). Compiled with
// -ffp-contract=off: the logits' float32 batch norm must round step by step, as the float network does.
#include "plan.h"

#include <cstring>

namespace packed {
namespace {

using namespace plan_abi;

// ---- output transforms -------------------------------------------------------------------------

/** Bits [32 channels) of a word that are real channels, for channels from `first` on of `cout`. */
inline uint32_t validMask(int64_t cout, int64_t first) {
  const int64_t n = cout - first;
  return n >= 32 ? 0xffffffffu : n <= 0 ? 0u : (1u << n) - 1;
}

/** One pixel's levels (bits z ≥ t per plane, pooled) → its values: binary XOR flip; ternary sign and non-zero planes. */
void levelsToValues(uint32_t* v, int64_t words, const uint32_t* flip, int64_t cout, int planes) {
  if (planes == 1) {
    for (int64_t j = 0; j < words; j++) v[j] ^= flip[j];
    return;
  }
  for (int64_t b = 0; b < words; b += 4) {
    for (int half = 0; half < 2; half++) {
      const uint32_t notLowest = v[b + half], highest = v[b + 2 + half], f = flip[b / 2 + half];
      const uint32_t valid = validMask(cout, b / 4 * 64 + half * 32);
      v[b + half] = ((highest & ~f) | (~notLowest & f)) & valid;  // +1: highest level, or the lowest reversed
      v[b + 2 + half] = (~notLowest | highest) & valid;          // non-zero: not the middle level
    }
  }
}

/** Bits before pooling [h][w][wpp] → optional 2×2 'same' max-pool (OR) → values → dst with a zero border of `pad` pixels. */
void finish(const Op& op, const uint32_t* pre, int64_t h, int64_t w) {
  const int planes = op[F_PLANES];
  const int64_t wpp = wordsPerPixel(op[F_COUT], planes), pad = op[F_PAD];
  const bool pool = op[F_POOL] != 0;
  const int64_t oh = pool ? (h + 1) / 2 : h, ow = pool ? (w + 1) / 2 : w, dw = ow + 2 * pad;
  const uint32_t* flip = op.constAt<uint32_t>(F_FLIP);
  for (int64_t y = 0; y < oh; y++) {
    for (int64_t x = 0; x < ow; x++) {
      uint32_t* d = op.arenaAt<uint32_t>(F_DST) + ((y + pad) * dw + x + pad) * wpp;
      for (int64_t j = 0; j < wpp; j++) {
        uint32_t v;
        if (pool) {
          const int64_t yy = 2 * y, xx = 2 * x;
          v = pre[(yy * w + xx) * wpp + j];
          if (xx + 1 < w) v |= pre[(yy * w + xx + 1) * wpp + j];
          if (yy + 1 < h) {
            v |= pre[((yy + 1) * w + xx) * wpp + j];
            if (xx + 1 < w) v |= pre[((yy + 1) * w + xx + 1) * wpp + j];
          }
        } else {
          v = pre[(y * w + x) * wpp + j];
        }
        d[j] = v;
      }
      levelsToValues(d, wpp, flip, op[F_COUT], planes);
    }
  }
}

/** z → each plane's bit z ≥ t in the working space, then as finish. */
void threshold(const Op& op) {
  const int planes = op[F_PLANES], units = op[F_COUT];
  uint32_t* pre = op.arenaAt<uint32_t>(F_SCRATCH);
  std::memset(pre, 0, wordsPerPixel(units, planes) * 4);
  const int32_t* z = op.arenaAt<int32_t>(F_OUT);
  const int32_t* t = op.constAt<int32_t>(F_THRESHOLDS);
  for (int u = 0; u < units; u++) {
    for (int p = 0; p < planes; p++) {
      if (z[u] >= t[p * units + u]) pre[channelWord(u, p, planes)] |= 1u << (u & 31);
    }
  }
  finish(op, pre, 1, 1);
}

/** Logits: ((z − mean)·scale) + offset, each step rounded to float32 (|z| < 2^24 converts exactly). */
void batchNorm(const Op& op) {
  const int32_t* z = op.arenaAt<int32_t>(F_OUT);
  const float *mean = op.constAt<float>(F_MEAN), *scale = op.constAt<float>(F_SCALE), *offset = op.constAt<float>(F_OFFSET);
  float* out = op.arenaAt<float>(F_DST);
  for (int u = 0; u < op[F_COUT]; u++) {
    const float d = static_cast<float>(z[u]) - mean[u];
    const float s = d * scale[u];
    out[u] = s + offset[u];
  }
}

// ---- checks ------------------------------------------------------------------------------------

/** The widest layer and largest map the plan may describe (config.ts allows 65536 units; 2^24 keeps z and its float exact). */
constexpr int64_t MAX_SIZE = 65536;
constexpr int64_t MAX_WORDS = int64_t{1} << 30;

struct Checker {
  const Plan& plan;
  const Kernels& kernels;
  std::string problem;

  bool fail(const std::string& what) {
    if (problem.empty()) problem = what;
    return false;
  }

  bool inRange(const char* name, int64_t v, int64_t lo, int64_t hi, const std::string& where) {
    if (v >= lo && v <= hi) return true;
    return fail(where + ": " + name + " = " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }

  /** A region lies in its memory and holds at least `need` words. */
  bool region(const int32_t* f, OpField at, const char* name, int64_t need, const std::string& where) {
    const bool arena = at == F_SRC || at == F_OUT || at == F_DST || at == F_SCRATCH;
    const int64_t size = arena ? plan.header(H_ARENA_WORDS) : static_cast<int64_t>(plan.constants.size());
    const int64_t offset = f[at], words = f[at + 1];
    if (offset < 0 || words < 0 || offset + words > size) {
      return fail(where + ": " + name + " [" + std::to_string(offset) + ", +" + std::to_string(words) + ") lies outside the " + (arena ? "arena" : "constants"));
    }
    if (words < need) return fail(where + ": " + name + " has " + std::to_string(words) + " words, needs " + std::to_string(need));
    if (arena && offset % 2 != 0) return fail(where + ": " + name + " is not 8-byte aligned");
    return true;
  }

  bool op(int i) {
    const int32_t* f = plan.op(i);
    const std::string where = "operation " + std::to_string(i);
    const int kernel = f[F_KERNEL], transform = f[F_TRANSFORM];
    if (!inRange("kernel", kernel, 0, KERNEL_KINDS - 1, where) || !inRange("transform", transform, 0, TRANSFORM_KINDS - 1, where)) return false;
    if (!kernels.kernel[kernel]) return fail(where + ": the " + kernels.name + " kernels have no kernel " + std::to_string(kernel));
    const int64_t h = f[F_HEIGHT], w = f[F_WIDTH], k = f[F_K], cin = f[F_CIN], cout = f[F_COUT], coutPadded = f[F_COUT_PADDED], planes = f[F_PLANES];
    if (!inRange("height", h, 1, MAX_SIZE, where) || !inRange("width", w, 1, MAX_SIZE, where) || !inRange("k", k, 1, 31, where) ||
        !inRange("cout", cout, 1, MAX_SIZE, where) || !inRange("planes", planes, 1, 2, where) || !inRange("pad", f[F_PAD], 0, 15, where) ||
        !inRange("pool", f[F_POOL], 0, 1, where)) {
      return false;
    }
    if (h * w > MAX_SIZE * 16) return fail(where + ": a map of " + std::to_string(h) + "×" + std::to_string(w) + " pixels is too large");
    const int64_t group = kernels.layout == L_GROUPED8 ? 8 : kernels.layout == L_GROUPED4 ? 4 : 1;
    const int64_t wOut = wordsPerPixel(cout, planes);
    const bool conv = kernel == K_FLOAT_CONV || kernel == K_BINARY_CONV || kernel == K_TERNARY_CONV;
    if (conv) {
      if (k % 2 != 1) return fail(where + ": k = " + std::to_string(k) + " is not odd");
      if (!inRange("cin", cin, 1, MAX_SIZE, where)) return false;
      if (coutPadded < cout || coutPadded > 32 * wOut / planes || coutPadded % (kernel == K_FLOAT_CONV ? 32 : group) != 0) {
        return fail(where + ": coutPadded = " + std::to_string(coutPadded) + " does not fit cout = " + std::to_string(cout));
      }
      if (!region(f, F_OUT, "out", h * w * wOut, where)) return false;
    }
    if (kernel == K_FLOAT_CONV) {
      if (!region(f, F_SRC, "src", h * w * cin, where) || !region(f, F_WEIGHTS, "weights", k * k * cin * coutPadded, where) ||
          !region(f, F_THRESHOLDS, "thresholds", planes * coutPadded, where)) {
        return false;
      }
    } else if (kernel == K_BINARY_CONV || kernel == K_TERNARY_CONV) {
      const bool binary = kernel == K_BINARY_CONV;
      if (binary != (planes == 1)) return fail(where + ": a " + (binary ? "binary" : "ternary") + " conv with " + std::to_string(planes) + " planes");
      const int64_t wIn = wordsPerPixel(cin, planes), window = k * k * wIn, held = f[F_INPUT_WORDS];
      // The weights hold whole windows, or (for kernels that gather them) only the halves of each tap its channels fill.
      const int64_t gathered = GATHERED_WINDOWS[kernels.layout];
      if (held != window && !(gathered > 0 && held == windowWords(k, halvesPerPixel(cin), planes))) {
        return fail(where + ": inputWords = " + std::to_string(held) + " is not the size of a window");
      }
      const int64_t rows = group == 1 ? cout : coutPadded, entry = group == 1 ? 1 : 2;
      if (!region(f, F_SRC, "src", (h + k - 1) * (w + k - 1) * wIn, where) || !region(f, F_WEIGHTS, "weights", rows * held, where) ||
          !region(f, F_SCRATCH, "scratch", gathered > 0 ? gathered * held : window, where)) {
        return false;
      }
      if (binary) {
        const int64_t classes = f[F_CLASSES];
        if (!inRange("classes", classes, 1, 256, where) || !region(f, F_POSITION_CLASS, "positionClass", (h * w + 3) / 4, where) ||
            !region(f, F_THRESHOLDS, "thresholds", classes * rows * entry, where)) {
          return false;
        }
        const uint8_t* cls = reinterpret_cast<const uint8_t*>(plan.constants.data() + f[F_POSITION_CLASS]);
        for (int64_t p = 0; p < h * w; p++) {
          if (cls[p] >= classes) return fail(where + ": positionClass[" + std::to_string(p) + "] = " + std::to_string(cls[p]) + " names no class");
        }
      } else if (!region(f, F_THRESHOLDS, "thresholds", 2 * rows * entry, where)) {
        return false;
      }
    } else {
      const int64_t inputWords = f[F_INPUT_WORDS];
      if (!inRange("inputWords", inputWords, 2 * planes, MAX_WORDS, where) || inputWords % (2 * planes) != 0) {
        return fail(where + ": inputWords = " + std::to_string(inputWords) + " is not a whole number of 64-bit words per plane");
      }
      if ((kernel == K_TERNARY_DENSE) != (planes == 2)) return fail(where + ": the dense kernel does not match its planes");
      if (!inRange("inputs", f[F_INPUTS], 1, 32 * inputWords / planes, where)) return false;
      if (coutPadded < cout || coutPadded % group != 0 || coutPadded >= cout + group) return fail(where + ": coutPadded = " + std::to_string(coutPadded) + " does not fit the units");
      if (!region(f, F_SRC, "src", inputWords, where) || !region(f, F_OUT, "out", coutPadded, where) ||
          !region(f, F_WEIGHTS, "weights", (group == 1 ? cout : coutPadded) * inputWords, where)) {
        return false;
      }
    }
    // The transform.
    if (transform == T_BATCH_NORM) {
      if (conv) return fail(where + ": a conv layer cannot give logits");
      if (cout != plan.header(H_CLASSES) || f[F_DST] != plan.header(H_LOGITS)) return fail(where + ": batch norm must write the logits");
      return region(f, F_DST, "dst", cout, where) && region(f, F_MEAN, "mean", cout, where) && region(f, F_SCALE, "scale", cout, where) &&
             region(f, F_OFFSET, "offset", cout, where);
    }
    if (!region(f, F_FLIP, "flip", wordsPerPixel(cout, 1), where)) return false;
    if (transform == T_THRESHOLD) {
      if (conv || f[F_POOL] != 0 || f[F_PAD] != 0) return fail(where + ": threshold is the transform of a hidden dense layer (no pooling, no border)");
      return region(f, F_SCRATCH, "scratch", wOut, where) && region(f, F_THRESHOLDS, "thresholds", planes * cout, where) && region(f, F_DST, "dst", wOut, where);
    }
    if (!conv) return fail(where + ": finish is the transform of a conv layer");
    const int64_t pad = f[F_PAD], oh = f[F_POOL] ? (h + 1) / 2 : h, ow = f[F_POOL] ? (w + 1) / 2 : w;
    return region(f, F_DST, "dst", (oh + 2 * pad) * (ow + 2 * pad) * wOut, where);
  }

  bool all() {
    const std::vector<int32_t>& v = plan.fields;
    if (v.size() < HEADER_FIELDS) return fail("the plan has no header");
    if (plan.header(H_MAGIC) != MAGIC || plan.header(H_VERSION) != VERSION || plan.header(H_HEADER_FIELDS) != HEADER_FIELDS ||
        plan.header(H_OP_FIELDS) != OP_FIELDS) {
      return fail("the plan is version " + std::to_string(plan.header(H_VERSION)) + " with " + std::to_string(plan.header(H_OP_FIELDS)) +
                  " fields per operation; these kernels read version " + std::to_string(VERSION) + " with " + std::to_string(OP_FIELDS) +
                  " (rebuild them: delete build/native/)");
    }
    const int64_t ops = plan.header(H_OP_COUNT);
    if (!inRange("opCount", ops, 1, 4096, "header")) return false;
    if (static_cast<int64_t>(v.size()) != HEADER_FIELDS + ops * OP_FIELDS) return fail("the plan's length does not match its operation count");
    if (plan.header(H_LAYOUT) != kernels.layout) return fail(std::string("the plan's weights are not in the layout of the ") + kernels.name + " kernels");
    if (plan.header(H_CONSTANTS_WORDS) != static_cast<int64_t>(plan.constants.size())) return fail("the constants do not have the size the header gives");
    if (!inRange("arenaWords", plan.header(H_ARENA_WORDS), 1, MAX_WORDS, "header") || !inRange("imageSize", plan.header(H_IMAGE_SIZE), 1, MAX_WORDS, "header") ||
        !inRange("classes", plan.header(H_CLASSES), 1, MAX_SIZE, "header")) {
      return false;
    }
    const int64_t arena = plan.header(H_ARENA_WORDS), image = plan.header(H_IMAGE), logits = plan.header(H_LOGITS);
    if (image < 0 || image + plan.header(H_IMAGE_SIZE) > arena || logits < 0 || logits + plan.header(H_CLASSES) > arena) {
      return fail("the image or the logits lie outside the arena");
    }
    for (int i = 0; i < ops; i++) {
      if (!op(i)) return false;
    }
    return true;
  }
};

}  // namespace

double* zeroedThreadDoubles(int slot, int64_t n) {
  thread_local std::vector<double> buffers[2];
  buffers[slot].assign(static_cast<size_t>(n), 0.0);
  return buffers[slot].data();
}

std::string checkPlan(const Plan& plan, const Kernels& kernels) {
  Checker checker{plan, kernels, {}};
  checker.all();
  return checker.problem;
}

std::vector<uint64_t> newArena(const Plan& plan) { return std::vector<uint64_t>((plan.header(H_ARENA_WORDS) + 1) / 2, 0); }

void runImages(const Plan& plan, uint64_t* storage, const float* images, float* logits, std::atomic<int>* next, int count) {
  uint32_t* arena = reinterpret_cast<uint32_t*>(storage);
  const int64_t imageSize = plan.header(H_IMAGE_SIZE), classes = plan.header(H_CLASSES);
  for (int img = next->fetch_add(1); img < count; img = next->fetch_add(1)) {
    std::memcpy(arena + plan.header(H_IMAGE), images + img * imageSize, imageSize * 4);
    for (int i = 0; i < plan.opCount(); i++) {
      const Op op{plan.op(i), arena, plan.constants.data()};
      plan.kernels->kernel[op[F_KERNEL]](op);
      switch (op[F_TRANSFORM]) {
        case T_FINISH: finish(op, op.arenaAt<uint32_t>(F_OUT), op[F_HEIGHT], op[F_WIDTH]); break;
        case T_THRESHOLD: threshold(op); break;
        default: batchNorm(op); break;
      }
    }
    std::memcpy(logits + img * classes, arena + plan.header(H_LOGITS), classes * 4);
  }
}

}  // namespace packed

// The native engine's N-API glue (node-addon-api): which instruction sets this CPU has, a checked
// execution plan per model, and runs of it on a worker thread of libuv's pool (an AsyncWorker), split
// between `threads` threads inside, so that Node's event loop stays free while the kernels run.
//
//   isas: string[]                       the instruction sets this CPU can run, best first
//   new Plan(header: Int32Array, constants: Uint32Array, isa: string)
//   plan.run(images: Float32Array, count: number, threads: number): Promise<Float32Array>
//   convCountsIsa: string                the binary conv of conv-counts.h runs with 'avx512' or 'scalar' ('' : no popcount)
//   convCounts(input: Float32Array, weights: Float32Array, shape: Float64Array, avx512: boolean, threads: number, out: Float32Array): void
//                                        shape: [images, height, width, channels, filters, k]; fills out; synchronous
//   registerTensorflowOps(threads: number): string
//                                        registers tensorflow-ops.h's BnnBinaryConv2D in tfjs-node's TensorFlow: '' or why not
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "conv-counts.h"
#include "cpu.h"
#include "plan.h"
#include "tensorflow-ops.h"

namespace packed {
namespace {

struct Isa {
  const char* name;
  const Kernels* kernels;
  bool (*available)();
};

bool always() { return true; }

// Best first (lib/packed/native.ts names them the same).
const Isa ISAS[] = {{"avx512", &AVX512_KERNELS, hasAvx512}, {"avx2", &AVX2_KERNELS, hasAvx2}, {"scalar", &SCALAR_KERNELS, always}};

template <typename T>
std::vector<T> copyOf(const Napi::TypedArrayOf<T>& a) {
  return std::vector<T>(a.Data(), a.Data() + a.ElementLength());
}

class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<const Plan> plan, std::vector<float> images, int count, int threads)
      : Napi::AsyncWorker(env), plan_(std::move(plan)), images_(std::move(images)), count_(count), threads_(threads), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

  void Execute() override {
    try {
      logits_.assign(static_cast<size_t>(count_) * plan_->header(plan_abi::H_CLASSES), 0.0f);
      // One arena per thread, allocated here so that a failure is an error, not a crash in a thread.
      std::vector<std::vector<uint64_t>> arenas;
      for (int t = 0; t < std::max(1, std::min(threads_, count_)); t++) arenas.push_back(newArena(*plan_));
      // Images are handed out one at a time, so a thread slowed by other work on its core takes fewer.
      std::atomic<int> next{0};
      std::vector<std::thread> pool;
      try {
        for (size_t t = 1; t < arenas.size(); t++) pool.emplace_back(runImages, std::cref(*plan_), arenas[t].data(), images_.data(), logits_.data(), &next, count_);
      } catch (const std::system_error&) {
        // Fewer threads than asked: the ones started, and this one, share the images.
      }
      runImages(*plan_, arenas[0].data(), images_.data(), logits_.data(), &next, count_);
      for (auto& th : pool) th.join();
    } catch (const std::exception& e) {
      SetError(std::string("packed native: ") + e.what());
    }
  }

  void OnOK() override {
    Napi::Float32Array out = Napi::Float32Array::New(Env(), logits_.size());
    std::copy(logits_.begin(), logits_.end(), out.Data());
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  std::shared_ptr<const Plan> plan_;
  std::vector<float> images_;  // a copy: the caller's buffer may change or be transferred while this runs
  std::vector<float> logits_;
  int count_, threads_;
  Napi::Promise::Deferred deferred_;
};

class PlanWrap : public Napi::ObjectWrap<PlanWrap> {
 public:
  static Napi::Function Define(Napi::Env env) { return DefineClass(env, "Plan", {InstanceMethod("run", &PlanWrap::Run)}); }

  explicit PlanWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PlanWrap>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
        !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array || !info[2].IsString()) {
      throw Napi::TypeError::New(env, "new Plan(header: Int32Array, constants: Uint32Array, isa: string)");
    }
    const std::string isa = info[2].As<Napi::String>().Utf8Value();
    const Isa* chosen = nullptr;
    for (const Isa& i : ISAS) {
      if (isa == i.name) chosen = &i;
    }
    if (!chosen) throw Napi::Error::New(env, "packed native: unknown instruction set '" + isa + "'");
    if (!chosen->available()) throw Napi::Error::New(env, "packed native: this CPU cannot run the " + std::string(chosen->kernels->name) + " kernels");
    auto plan = std::make_shared<Plan>();
    plan->fields = copyOf(info[0].As<Napi::Int32Array>());
    plan->constants = copyOf(info[1].As<Napi::Uint32Array>());
    const std::string problem = checkPlan(*plan, *chosen->kernels);
    if (!problem.empty()) throw Napi::Error::New(env, "packed native: invalid plan: " + problem);
    plan->kernels = chosen->kernels;
    plan_ = plan;
  }

 private:
  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
        !info[1].IsNumber() || !info[2].IsNumber()) {
      throw Napi::TypeError::New(env, "plan.run(images: Float32Array, count: number, threads: number)");
    }
    const Napi::Float32Array images = info[0].As<Napi::Float32Array>();
    const int64_t count = info[1].As<Napi::Number>().Int64Value(), threads = info[2].As<Napi::Number>().Int64Value();
    const int64_t imageSize = plan_->header(plan_abi::H_IMAGE_SIZE);
    if (count < 0 || count > (int64_t{1} << 24) || threads < 1 || threads > 1024) throw Napi::RangeError::New(env, "packed native: count or threads out of range");
    if (static_cast<int64_t>(images.ElementLength()) < count * imageSize) throw Napi::RangeError::New(env, "packed native: images has fewer than count images");
    std::vector<float> copy(images.Data(), images.Data() + count * imageSize);
    auto* worker = new RunWorker(env, plan_, std::move(copy), static_cast<int>(count), static_cast<int>(threads));
    worker->Queue();
    return worker->Promise();
  }

  std::shared_ptr<const Plan> plan_;
};

Napi::Value ConvCounts(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto typed = [&](int i, napi_typedarray_type t) { return info[i].IsTypedArray() && info[i].As<Napi::TypedArray>().TypedArrayType() == t; };
  if (info.Length() != 6 || !typed(0, napi_float32_array) || !typed(1, napi_float32_array) || !typed(2, napi_float64_array) || !info[3].IsBoolean() ||
      !info[4].IsNumber() || !typed(5, napi_float32_array)) {
    throw Napi::TypeError::New(env, "convCounts(input: Float32Array, weights: Float32Array, shape: Float64Array, avx512: boolean, threads: number, out: Float32Array)");
  }
  const Napi::Float64Array shape = info[2].As<Napi::Float64Array>();
  if (shape.ElementLength() != 6) throw Napi::TypeError::New(env, "convCounts: shape holds [images, height, width, channels, filters, k]");
  double sizes[6];
  for (int i = 0; i < 6; i++) sizes[i] = shape[i];
  CountsShape s;
  const std::string problem = countsShapeOf(sizes, &s);
  if (!problem.empty()) throw Napi::RangeError::New(env, "convCounts: " + problem);
  const int64_t inputs = s.images * s.height * s.width * s.channels, weightCount = s.k * s.k * s.channels * s.filters;
  const int64_t outputs = s.images * s.height * s.width * s.filters;
  const Napi::Float32Array input = info[0].As<Napi::Float32Array>(), weights = info[1].As<Napi::Float32Array>();
  Napi::Float32Array out = info[5].As<Napi::Float32Array>();
  if (static_cast<int64_t>(input.ElementLength()) != inputs || static_cast<int64_t>(weights.ElementLength()) != weightCount ||
      static_cast<int64_t>(out.ElementLength()) != outputs) {
    throw Napi::RangeError::New(env, "convCounts: input, weights or out does not hold the values its shape gives");
  }
  const bool avx512 = info[3].As<Napi::Boolean>().Value();
  const std::string cpu = convCountsCpuProblem(avx512);
  if (!cpu.empty()) throw Napi::Error::New(env, "convCounts: " + cpu);
  const int64_t threads = info[4].As<Napi::Number>().Int64Value();
  if (threads < 1 || threads > 1024) throw Napi::RangeError::New(env, "convCounts: threads out of range");
  try {
    convCounts(s, input.Data(), weights.Data(), out.Data(), avx512, static_cast<int>(threads));
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, "convCounts: out of memory");
  }
  return env.Undefined();
}

Napi::Value RegisterTensorflowOps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "registerTensorflowOps(threads: number)");
  const int64_t threads = info[0].As<Napi::Number>().Int64Value();
  if (threads < 1 || threads > 1024) throw Napi::RangeError::New(env, "registerTensorflowOps: threads out of range");
  return Napi::String::New(env, registerTensorflowOps(static_cast<int>(threads)));
}

}  // namespace
}  // namespace packed

Napi::Object InitPacked(Napi::Env env, Napi::Object exports) {
  using namespace packed;
  Napi::Array isas = Napi::Array::New(env);
  for (const Isa& i : ISAS) {
    if (i.available()) isas.Set(isas.Length(), Napi::String::New(env, i.name));
  }
  exports.Set("isas", isas);
  exports.Set("Plan", PlanWrap::Define(env));
  exports.Set("convCountsIsa", Napi::String::New(env, hasAvx512() ? "avx512" : hasPopcnt() ? "scalar" : ""));
  exports.Set("convCounts", Napi::Function::New(env, ConvCounts, "convCounts"));
  exports.Set("registerTensorflowOps", Napi::Function::New(env, RegisterTensorflowOps, "registerTensorflowOps"));
  return exports;
}

NODE_API_MODULE(packed_native, InitPacked)

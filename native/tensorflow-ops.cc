// The binary conv of conv-counts.h as a TensorFlow op, so that the training step's and inference's
// graphs (lib/model/graph-network.ts) run it in place of Conv2D within one session run. Registered
// through TensorFlow's C kernel API into the libtensorflow_framework that tfjs-node has already
// loaded (found by dlopen with RTLD_NOLOAD, so this addon builds and loads without TensorFlow).
//
//   BnnBinaryConv2D(input: [images, height, width, channels], filter: [k, k, channels, filters]; avx512: bool)
//     -> [images, height, width, filters]: Conv2D with stride 1 and 'same' padding, exactly, for ±1
//     input and filter values; a NaN anywhere in them gives an output of NaNs (a diverged step
//     stays visible), as Conv2D would give NaN where it reaches.
#include "tensorflow-ops.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <new>
#include <string>
#include <type_traits>

#include "conv-counts.h"

namespace packed {
namespace {

// TensorFlow's C API, declared here (opaque types; the functions' C signatures from
// tensorflow/c/c_api.h, ops.h, kernels.h and tf_tensor.h) and looked up at run time.
struct TF_Status;
struct TF_Tensor;
struct TF_OpDefinitionBuilder;
struct TF_ShapeInferenceContext;
struct TF_ShapeHandle;
struct TF_KernelBuilder;
struct TF_OpKernelConstruction;
struct TF_OpKernelContext;
constexpr int TF_FLOAT = 1;
constexpr int TF_OK = 0;
constexpr int TF_INVALID_ARGUMENT = 3;

struct Api {
  TF_Status* (*NewStatus)();
  void (*DeleteStatus)(TF_Status*);
  int (*GetCode)(const TF_Status*);
  const char* (*Message)(const TF_Status*);
  void (*SetStatus)(TF_Status*, int, const char*);
  TF_OpDefinitionBuilder* (*NewOpDefinitionBuilder)(const char*);
  void (*OpDefinitionBuilderAddInput)(TF_OpDefinitionBuilder*, const char*);
  void (*OpDefinitionBuilderAddOutput)(TF_OpDefinitionBuilder*, const char*);
  void (*OpDefinitionBuilderAddAttr)(TF_OpDefinitionBuilder*, const char*);
  void (*OpDefinitionBuilderSetShapeInferenceFunction)(TF_OpDefinitionBuilder*, void (*)(TF_ShapeInferenceContext*, TF_Status*));
  void (*RegisterOpDefinition)(TF_OpDefinitionBuilder*, TF_Status*);
  TF_ShapeHandle* (*NewShapeHandle)();
  void (*DeleteShapeHandle)(TF_ShapeHandle*);
  void (*ShapeInferenceContextGetInput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
  void (*ShapeInferenceContextSetOutput)(TF_ShapeInferenceContext*, int, TF_ShapeHandle*, TF_Status*);
  void (*ShapeInferenceContextSubshape)(TF_ShapeInferenceContext*, TF_ShapeHandle*, int64_t, int64_t, TF_ShapeHandle*, TF_Status*);
  void (*ShapeInferenceContextConcatenateShapes)(TF_ShapeInferenceContext*, TF_ShapeHandle*, TF_ShapeHandle*, TF_ShapeHandle*, TF_Status*);
  TF_KernelBuilder* (*NewKernelBuilder)(const char*, const char*, void* (*)(TF_OpKernelConstruction*), void (*)(void*, TF_OpKernelContext*),
                                        void (*)(void*));
  void (*RegisterKernelBuilder)(const char*, TF_KernelBuilder*, TF_Status*);
  void (*GetAttrBool)(TF_OpKernelConstruction*, const char*, unsigned char*, TF_Status*);
  void (*ConstructionFailure)(TF_OpKernelConstruction*, TF_Status*);
  void (*GetInput)(TF_OpKernelContext*, int, TF_Tensor**, TF_Status*);
  TF_Tensor* (*AllocateOutput)(TF_OpKernelContext*, int, int, const int64_t*, int, size_t, TF_Status*);
  void (*ContextFailure)(TF_OpKernelContext*, TF_Status*);
  int (*TensorType)(const TF_Tensor*);
  int (*NumDims)(const TF_Tensor*);
  int64_t (*Dim)(const TF_Tensor*, int);
  int64_t (*ElementCount)(const TF_Tensor*);
  void* (*TensorData)(const TF_Tensor*);
  void (*DeleteTensor)(TF_Tensor*);
};

Api api;
int opThreads = 1;

/** Looks up every function of `api` in TensorFlow's framework library; returns the first missing, or "". */
std::string bindApi(void* lib) {
  std::string missing;
  auto bind = [&](auto& fn, const char* name) {
    fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
    if (!fn && missing.empty()) missing = name;
  };
  bind(api.NewStatus, "TF_NewStatus");
  bind(api.DeleteStatus, "TF_DeleteStatus");
  bind(api.GetCode, "TF_GetCode");
  bind(api.Message, "TF_Message");
  bind(api.SetStatus, "TF_SetStatus");
  bind(api.NewOpDefinitionBuilder, "TF_NewOpDefinitionBuilder");
  bind(api.OpDefinitionBuilderAddInput, "TF_OpDefinitionBuilderAddInput");
  bind(api.OpDefinitionBuilderAddOutput, "TF_OpDefinitionBuilderAddOutput");
  bind(api.OpDefinitionBuilderAddAttr, "TF_OpDefinitionBuilderAddAttr");
  bind(api.OpDefinitionBuilderSetShapeInferenceFunction, "TF_OpDefinitionBuilderSetShapeInferenceFunction");
  bind(api.RegisterOpDefinition, "TF_RegisterOpDefinition");
  bind(api.NewShapeHandle, "TF_NewShapeHandle");
  bind(api.DeleteShapeHandle, "TF_DeleteShapeHandle");
  bind(api.ShapeInferenceContextGetInput, "TF_ShapeInferenceContextGetInput");
  bind(api.ShapeInferenceContextSetOutput, "TF_ShapeInferenceContextSetOutput");
  bind(api.ShapeInferenceContextSubshape, "TF_ShapeInferenceContextSubshape");
  bind(api.ShapeInferenceContextConcatenateShapes, "TF_ShapeInferenceContextConcatenateShapes");
  bind(api.NewKernelBuilder, "TF_NewKernelBuilder");
  bind(api.RegisterKernelBuilder, "TF_RegisterKernelBuilder");
  bind(api.GetAttrBool, "TF_OpKernelConstruction_GetAttrBool");
  bind(api.ConstructionFailure, "TF_OpKernelConstruction_Failure");
  bind(api.GetInput, "TF_GetInput");
  bind(api.AllocateOutput, "TF_AllocateOutput");
  bind(api.ContextFailure, "TF_OpKernelContext_Failure");
  bind(api.TensorType, "TF_TensorType");
  bind(api.NumDims, "TF_NumDims");
  bind(api.Dim, "TF_Dim");
  bind(api.ElementCount, "TF_TensorElementCount");
  bind(api.TensorData, "TF_TensorData");
  bind(api.DeleteTensor, "TF_DeleteTensor");
  return missing;
}

/** The output's shape: the input's [images, height, width] and the filter's [filters]. */
void convShape(TF_ShapeInferenceContext* ctx, TF_Status* status) {
  TF_ShapeHandle *input = api.NewShapeHandle(), *filter = api.NewShapeHandle(), *pixels = api.NewShapeHandle(), *filters = api.NewShapeHandle(),
                 *out = api.NewShapeHandle();
  api.ShapeInferenceContextGetInput(ctx, 0, input, status);
  if (api.GetCode(status) == TF_OK) api.ShapeInferenceContextGetInput(ctx, 1, filter, status);
  if (api.GetCode(status) == TF_OK) api.ShapeInferenceContextSubshape(ctx, input, 0, 3, pixels, status);
  if (api.GetCode(status) == TF_OK) api.ShapeInferenceContextSubshape(ctx, filter, 3, 4, filters, status);
  if (api.GetCode(status) == TF_OK) api.ShapeInferenceContextConcatenateShapes(ctx, pixels, filters, out, status);
  if (api.GetCode(status) == TF_OK) api.ShapeInferenceContextSetOutput(ctx, 0, out, status);
  for (TF_ShapeHandle* h : {input, filter, pixels, filters, out}) api.DeleteShapeHandle(h);
}

/** The conv's input and filter tensors, deleted when it returns. */
class Inputs {
 public:
  Inputs(TF_OpKernelContext* ctx, TF_Status* status) {
    for (int i = 0; i < 2 && api.GetCode(status) == TF_OK; i++) api.GetInput(ctx, i, &tensors_[i], status);
  }
  ~Inputs() {
    for (TF_Tensor* t : tensors_) {
      if (t) api.DeleteTensor(t);
    }
  }
  Inputs(const Inputs&) = delete;
  Inputs& operator=(const Inputs&) = delete;
  TF_Tensor* operator[](int i) const { return tensors_[i]; }

 private:
  TF_Tensor* tensors_[2] = {};
};

/** Fails the kernel with `message` as an invalid argument. */
void fail(TF_OpKernelContext* ctx, TF_Status* status, const std::string& message) {
  api.SetStatus(status, TF_INVALID_ARGUMENT, message.c_str());
  api.ContextFailure(ctx, status);
}

const float* floats(TF_Tensor* t) { return static_cast<const float*>(api.TensorData(t)); }

bool hasNaN(const float* values, int64_t n) {
  // The largest magnitude's bits, an integer max that the compiler vectorizes (a float compare
  // with an early exit it does not); above infinity's bits is a NaN.
  uint32_t largest = 0;
  for (int64_t i = 0; i < n; i++) {
    uint32_t bits;
    std::memcpy(&bits, values + i, sizeof bits);
    largest = std::max(largest, bits & 0x7fffffffu);
  }
  return largest > 0x7f800000u;
}

void* createConv(TF_OpKernelConstruction* ctx) {
  TF_Status* status = api.NewStatus();
  unsigned char avx512 = 0;
  api.GetAttrBool(ctx, "avx512", &avx512, status);
  if (api.GetCode(status) == TF_OK) {
    const std::string cpu = convCountsCpuProblem(avx512 != 0);
    if (!cpu.empty()) api.SetStatus(status, TF_INVALID_ARGUMENT, ("BnnBinaryConv2D: " + cpu).c_str());
  }
  if (api.GetCode(status) != TF_OK) api.ConstructionFailure(ctx, status);
  api.DeleteStatus(status);
  return new bool(avx512 != 0);
}

void deleteConv(void* kernel) { delete static_cast<bool*>(kernel); }

/** The conv of the inputs `in` into output 0, or the kernel's failure: why not. */
void convInto(TF_OpKernelContext* ctx, const Inputs& in, bool avx512, TF_Status* status) {
  if (api.TensorType(in[0]) != TF_FLOAT || api.TensorType(in[1]) != TF_FLOAT || api.NumDims(in[0]) != 4 || api.NumDims(in[1]) != 4 ||
      api.Dim(in[1], 0) != api.Dim(in[1], 1) || api.Dim(in[1], 2) != api.Dim(in[0], 3)) {
    return fail(ctx, status, "BnnBinaryConv2D takes a float32 input [images, height, width, channels] and filter [k, k, channels, filters]");
  }
  const int64_t images = api.Dim(in[0], 0);
  CountsShape shape{0, 0, 0, 0, 0, 0, 0};
  if (images > 0) {
    const double sizes[6] = {static_cast<double>(images), static_cast<double>(api.Dim(in[0], 1)), static_cast<double>(api.Dim(in[0], 2)),
                             static_cast<double>(api.Dim(in[0], 3)), static_cast<double>(api.Dim(in[1], 3)), static_cast<double>(api.Dim(in[1], 0))};
    const std::string problem = countsShapeOf(sizes, &shape);
    if (!problem.empty()) return fail(ctx, status, "BnnBinaryConv2D: " + problem);
  }
  const int64_t dims[4] = {images, api.Dim(in[0], 1), api.Dim(in[0], 2), api.Dim(in[1], 3)};
  const int64_t outputs = shape.images * shape.height * shape.width * shape.filters;  // 0 without images
  TF_Tensor* out = api.AllocateOutput(ctx, 0, TF_FLOAT, dims, 4, static_cast<size_t>(outputs) * sizeof(float), status);
  if (api.GetCode(status) != TF_OK) {
    api.ContextFailure(ctx, status);
  } else if (outputs > 0) {
    float* y = static_cast<float*>(api.TensorData(out));
    const float *x = floats(in[0]), *w = floats(in[1]);
    if (hasNaN(x, api.ElementCount(in[0])) || hasNaN(w, api.ElementCount(in[1]))) {
      std::fill(y, y + outputs, std::numeric_limits<float>::quiet_NaN());
    } else {
      try {
        convCounts(shape, x, w, y, avx512, opThreads);
      } catch (const std::bad_alloc&) {
        fail(ctx, status, "BnnBinaryConv2D: out of memory");
      }
    }
  }
  if (out) api.DeleteTensor(out);
}

void computeConv(void* kernel, TF_OpKernelContext* ctx) {
  TF_Status* status = api.NewStatus();
  {
    Inputs in(ctx, status);
    if (api.GetCode(status) != TF_OK) {
      api.ContextFailure(ctx, status);
    } else {
      convInto(ctx, in, *static_cast<bool*>(kernel), status);
    }
  }
  api.DeleteStatus(status);
}

}  // namespace

std::string registerTensorflowOps(int threads) {
  static const std::string result = [] {
    void* lib = dlopen("libtensorflow_framework.so.2", RTLD_NOW | RTLD_NOLOAD);
    if (!lib) return std::string("TensorFlow's framework library is not loaded in this process");
    const std::string missing = bindApi(lib);
    if (!missing.empty()) return "this TensorFlow lacks " + missing + " of its C kernel API";
    TF_Status* status = api.NewStatus();
    TF_OpDefinitionBuilder* op = api.NewOpDefinitionBuilder("BnnBinaryConv2D");
    api.OpDefinitionBuilderAddInput(op, "input: float");
    api.OpDefinitionBuilderAddInput(op, "filter: float");
    api.OpDefinitionBuilderAddOutput(op, "output: float");
    api.OpDefinitionBuilderAddAttr(op, "avx512: bool");
    api.OpDefinitionBuilderSetShapeInferenceFunction(op, convShape);
    api.RegisterOpDefinition(op, status);
    if (api.GetCode(status) == TF_OK) {
      api.RegisterKernelBuilder("BnnBinaryConv2D", api.NewKernelBuilder("BnnBinaryConv2D", "CPU", createConv, computeConv, deleteConv), status);
    }
    const std::string problem = api.GetCode(status) == TF_OK ? "" : std::string("registering BnnBinaryConv2D: ") + api.Message(status);
    api.DeleteStatus(status);
    return problem;
  }();
  opThreads = threads;
  return result;
}

}  // namespace packed

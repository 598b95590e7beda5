// Shared helpers for the addon: one CPU engine/stream, argument unpacking, error conversion,
// the primitive cache and the reordered-weights cache. No tfjs knowledge lives here: every
// exported function takes flat typed arrays and integers.
#pragma once
#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace rl {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

dnnl::engine& eng();
dnnl::stream& strm();

inline float* f32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
inline size_t f32len(const Napi::Value& v) { return v.As<Napi::Float32Array>().ElementLength(); }
inline int32_t* i32(const Napi::Value& v) { return v.As<Napi::Int32Array>().Data(); }
inline int64_t i64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
inline double dbl(const Napi::Value& v) { return v.As<Napi::Number>().DoubleValue(); }
inline float* f32OrNull(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() ? nullptr : f32(v); }

// A key for caches built from integer parameters.
std::string key(std::initializer_list<int64_t> parts);

// Primitive descriptors are slow to create (implementation search, JIT); each kernel keeps its
// own map from geometry to a prepared entry.
template <typename T>
struct Cache {
  std::unordered_map<std::string, std::shared_ptr<T>> map;
  std::shared_ptr<T> get(const std::string& k, const std::function<std::shared_ptr<T>()>& make) {
    auto it = map.find(k);
    if (it != map.end()) return it->second;
    auto v = make();
    map.emplace(k, v);
    return v;
  }
};

// Weights handed to oneDNN in the layout it picked, cached per tfjs data id (key != 0). The TS side
// drops an entry when the tensor is disposed or updated in place.
memory weightsAs(uint32_t key, const memory::desc& want, memory& user);
void dropWeights(uint32_t key);
size_t cachedWeightCount();

void reorderNow(memory& from, memory& to);

// Runs `body`, turning C++ and oneDNN exceptions into JS errors instead of aborting Node.
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name,
                    const std::function<Napi::Value()>& body);

// Element-wise loops run on OpenMP only when there is enough work to pay for the fork.
constexpr int64_t kParallelMin = 1 << 15;

using Register = void (*)(Napi::Env env, Napi::Object exports);
void registerConv2d(Napi::Env, Napi::Object);
void registerConv2dBackpropInput(Napi::Env, Napi::Object);
void registerConv2dBackpropFilter(Napi::Env, Napi::Object);
void registerBatchNormTraining(Napi::Env, Napi::Object);
void registerBatchNormTrainingGrad(Napi::Env, Napi::Object);
void registerBatchNormInference(Napi::Env, Napi::Object);
void registerRelu(Napi::Env, Napi::Object);
void registerBinary(Napi::Env, Napi::Object);
void registerAddN(Napi::Env, Napi::Object);
void registerReduce(Napi::Env, Napi::Object);
void registerPool(Napi::Env, Napi::Object);
void registerPoolGrad(Napi::Env, Napi::Object);
void registerMatMul(Napi::Env, Napi::Object);
void registerSoftmax(Napi::Env, Napi::Object);
void registerSoftmaxCrossEntropy(Napi::Env, Napi::Object);
void registerSgdMomentum(Napi::Env, Napi::Object);
void registerSlice(Napi::Env, Napi::Object);
void registerPad(Napi::Env, Napi::Object);
void registerRuntime(Napi::Env, Napi::Object);

}  // namespace rl

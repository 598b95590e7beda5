// Threads, version and the weight cache's bookkeeping, exposed to the TS side.
#include <omp.h>

#include "common.h"

namespace rl {
namespace {

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  int n = static_cast<int>(i64(info[0]));
  if (n > 0) omp_set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  const dnnl_version_t* v = dnnl_version();
  return Napi::String::New(info.Env(), std::to_string(v->major) + "." + std::to_string(v->minor) +
                                           "." + std::to_string(v->patch));
}

Napi::Value DropWeights(const Napi::CallbackInfo& info) {
  dropWeights(static_cast<uint32_t>(i64(info[0])));
  return info.Env().Undefined();
}

Napi::Value CachedWeightCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cachedWeightCount()));
}

}  // namespace

void registerRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("dropWeights", Napi::Function::New(env, DropWeights, "dropWeights"));
  exports.Set("cachedWeightCount",
              Napi::Function::New(env, CachedWeightCount, "cachedWeightCount"));
}

}  // namespace rl

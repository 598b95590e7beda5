// Threads, version and the weight cache's bookkeeping, exposed to the TS side.
#include <omp.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

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

// adviseHugePages(array): asks Linux to back the 2 MiB-aligned part of a freshly allocated, not
// yet touched buffer with transparent huge pages (THP "madvise" mode, as on this machine): fewer
// page faults on first touch and fewer TLB misses for the large activations the kernels stream.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  bool advised = false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  auto arr = info[0].As<Napi::Float32Array>();
  const uintptr_t huge = uintptr_t(2) << 20;
  uintptr_t begin = reinterpret_cast<uintptr_t>(arr.Data());
  uintptr_t end = begin + arr.ByteLength();
  uintptr_t alignedBegin = (begin + huge - 1) & ~(huge - 1);
  uintptr_t alignedEnd = end & ~(huge - 1);
  if (alignedEnd > alignedBegin)
    advised = madvise(reinterpret_cast<void*>(alignedBegin), alignedEnd - alignedBegin, MADV_HUGEPAGE) == 0;
#endif
  return Napi::Boolean::New(info.Env(), advised);
}

}  // namespace

void registerRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("dropWeights", Napi::Function::New(env, DropWeights, "dropWeights"));
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePages, "adviseHugePages"));
  exports.Set("cachedWeightCount",
              Napi::Function::New(env, CachedWeightCount, "cachedWeightCount"));
}

}  // namespace rl

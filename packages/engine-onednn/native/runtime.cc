// Threads, version, ISA and the caches' bookkeeping, exposed to the TS side.
#include <omp.h>
#ifdef __linux__
#include <sys/mman.h>
#endif

#include "common.h"

namespace rl {
namespace {

// oneDNN primitives split their work for the thread count they were created with: a change
// empties the primitive caches so that later primitives are made for the new count.
Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info, "setNumThreads", [&]() -> Napi::Value {
    int n = static_cast<int>(integer(info, 0, "threads", 1, 1 << 16));
    if (n != omp_get_max_threads()) {
      omp_set_num_threads(n);
      clearCaches();
    }
    return info.Env().Undefined();
  });
}

// setConvPrecision("fp32" | "bf16"): the type convolutions multiply in (common.h). bf16 only where
// the CPU has it natively.
Napi::Value SetConvPrecision(const Napi::CallbackInfo& info) {
  return guarded(info, "setConvPrecision", [&]() -> Napi::Value {
    Napi::Value v = info[0];
    expect(v.IsString(), "precision must be \"fp32\" or \"bf16\"");
    std::string p = v.As<Napi::String>().Utf8Value();
    expect(p == "fp32" || p == "bf16",
           "precision must be \"fp32\" or \"bf16\", got \"" + p + "\"");
    if (p == "bf16")
      expect(nativeBf16(), "bf16 needs a CPU with AVX512_BF16 or AMX, which this one lacks");
    setConvPrecision(p == "bf16" ? Precision::bf16 : Precision::fp32);
    return info.Env().Undefined();
  });
}

Napi::Value GetConvPrecision(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), convPrecision() == Precision::bf16 ? "bf16" : "fp32");
}

Napi::Value NativeBf16(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), nativeBf16());
}

// Empties every primitive cache and the reordered-weights cache (the backend's dispose).
Napi::Value ClearCaches(const Napi::CallbackInfo& info) {
  clearCaches();
  return info.Env().Undefined();
}

// The instruction set oneDNN's JIT kernels use on this CPU: results are bit-exact only between
// runs with the same version, ISA and thread count.
Napi::Value CpuIsa(const Napi::CallbackInfo& info) {
  const char* name;
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: name = "sse41"; break;
    case dnnl::cpu_isa::avx: name = "avx"; break;
    case dnnl::cpu_isa::avx2: name = "avx2"; break;
    case dnnl::cpu_isa::avx512_core: name = "avx512_core"; break;
    case dnnl::cpu_isa::avx512_core_vnni: name = "avx512_core_vnni"; break;
    case dnnl::cpu_isa::avx512_core_bf16: name = "avx512_core_bf16"; break;
    case dnnl::cpu_isa::avx512_core_amx: name = "avx512_core_amx"; break;
    case dnnl::cpu_isa::avx2_vnni: name = "avx2_vnni"; break;
    default: name = nullptr;
  }
  if (name) return Napi::String::New(info.Env(), name);
  return Napi::String::New(info.Env(), "isa-" + std::to_string(static_cast<int>(dnnl::get_effective_cpu_isa())));
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
  return guarded(info, "dropWeights", [&]() -> Napi::Value {
    dropWeights(static_cast<uint32_t>(integer(info, 0, "key", 0, UINT32_MAX)));
    return info.Env().Undefined();
  });
}

Napi::Value CachedPrimitiveCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cachedPrimitiveCount()));
}

Napi::Value CachedWeightCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(cachedWeightCount()));
}

// adviseHugePages(array): asks Linux to back the 2 MiB-aligned part of a freshly allocated, not
// yet touched buffer with transparent huge pages (THP "madvise" mode, as on this machine): fewer
// page faults on first touch and fewer TLB misses for the large activations the kernels stream.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  return guarded(info, "adviseHugePages", [&]() -> Napi::Value {
    auto arr = f32Array(info, 0, "array");
    bool advised = false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    const uintptr_t huge = uintptr_t(2) << 20;
    uintptr_t begin = reinterpret_cast<uintptr_t>(arr.Data());
    uintptr_t end = begin + arr.ByteLength();
    uintptr_t alignedBegin = (begin + huge - 1) & ~(huge - 1);
    uintptr_t alignedEnd = end & ~(huge - 1);
    if (alignedEnd > alignedBegin)
      advised = madvise(reinterpret_cast<void*>(alignedBegin), alignedEnd - alignedBegin,
                        MADV_HUGEPAGE) == 0;
#endif
    return Napi::Boolean::New(info.Env(), advised);
  });
}

void registerRuntime(Napi::Env env, Napi::Object exports) {
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("getNumThreads", Napi::Function::New(env, GetNumThreads, "getNumThreads"));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  exports.Set("dropWeights", Napi::Function::New(env, DropWeights, "dropWeights"));
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePages, "adviseHugePages"));
  exports.Set("cachedWeightCount",
              Napi::Function::New(env, CachedWeightCount, "cachedWeightCount"));
  exports.Set("cachedPrimitiveCount",
              Napi::Function::New(env, CachedPrimitiveCount, "cachedPrimitiveCount"));
  exports.Set("clearCaches", Napi::Function::New(env, ClearCaches, "clearCaches"));
  exports.Set("cpuIsa", Napi::Function::New(env, CpuIsa, "cpuIsa"));
  exports.Set("setConvPrecision", Napi::Function::New(env, SetConvPrecision, "setConvPrecision"));
  exports.Set("getConvPrecision", Napi::Function::New(env, GetConvPrecision, "getConvPrecision"));
  exports.Set("nativeBf16", Napi::Function::New(env, NativeBf16, "nativeBf16"));
}
RL_REGISTER(registerRuntime);

}  // namespace
}  // namespace rl

// AddN: the sum of same-shape tensors in one pass (tfjs uses it to accumulate gradients).
#include "common.h"

namespace rl {
namespace {

// addN(inputs: Float32Array[], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guarded(info, "addN", [&]() -> Napi::Value {
    auto list = info[0].As<Napi::Array>();
    std::vector<const float*> ins;
    for (uint32_t i = 0; i < list.Length(); ++i) ins.push_back(f32(list.Get(i)));
    float* out = f32(info[1]);
    int64_t n = static_cast<int64_t>(f32len(info[1]));
    size_t k = ins.size();
#pragma omp parallel for if (n > kParallelMin)
    for (int64_t s = 0; s < n; s += 4096) {
      int64_t e = std::min<int64_t>(n, s + 4096);
      for (int64_t i = s; i < e; ++i) out[i] = ins[0][i];
      for (size_t j = 1; j < k; ++j) {
        const float* in = ins[j];
#pragma omp simd
        for (int64_t i = s; i < e; ++i) out[i] += in[i];
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerAddN(Napi::Env env, Napi::Object exports) {
  exports.Set("addN", Napi::Function::New(env, AddN, "addN"));
}

}  // namespace rl

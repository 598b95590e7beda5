// AddN: the sum of same-shape tensors in one pass (tfjs uses it to accumulate gradients).
#include "common.h"

namespace rl {
namespace {

// addN(inputs: Float32Array[], out)
Napi::Value AddN(const Napi::CallbackInfo& info) {
  return guarded(info, "addN", [&]() -> Napi::Value {
    expect(info.Length() > 1 && info[0].IsArray(), "inputs must be an array");
    auto list = info[0].As<Napi::Array>();
    expect(list.Length() >= 1, "inputs is empty");
    auto outArray = f32Array(info, 1, "out");
    float* out = outArray.Data();
    auto n = static_cast<int64_t>(outArray.ElementLength());
    std::vector<const float*> ins;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value v = list.Get(i);
      expect(v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array &&
                 static_cast<int64_t>(v.As<Napi::Float32Array>().ElementLength()) == n,
             "input " + std::to_string(i) + " is not a Float32Array of the output's " + std::to_string(n) + " values");
      ins.push_back(v.As<Napi::Float32Array>().Data());
    }
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

void registerAddN(Napi::Env env, Napi::Object exports) {
  exports.Set("addN", Napi::Function::New(env, AddN, "addN"));
}
RL_REGISTER(registerAddN);

}  // namespace
}  // namespace rl

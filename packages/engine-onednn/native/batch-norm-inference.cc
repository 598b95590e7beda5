// FusedBatchNorm with given statistics (inference): y = (x - mean) * scale / sqrt(var + eps) +
// offset per channel (the innermost dimension). Each vector has length c or 1 (broadcast).
#include <cmath>

#include "common.h"

namespace rl {
namespace {

// batchNormInference(x, mean, variance, scale|null, offset|null, y, c, epsilon)
Napi::Value BatchNormInference(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormInference", [&]() -> Napi::Value {
    auto xs = f32Array(info, 0, "x");
    const float* x = xs.Data();
    auto total = static_cast<int64_t>(xs.ElementLength());
    // c >= 1: a zero channel count would divide by zero below (SIGFPE), and x must be whole rows.
    int64_t c = integer(info, 6, "c", 1);
    expect(total % c == 0, "x has " + std::to_string(total) + " values, not a multiple of c = " + std::to_string(c));
    double eps = number(info, 7, "epsilon");
    float* y = f32(info, 5, "y", total);
    auto vecAt = [&](size_t idx, const char* name, float dflt) {
      std::vector<float> v(c, dflt);
      if (idx >= info.Length() || info[idx].IsNull() || info[idx].IsUndefined()) return v;
      auto arr = f32Array(info, idx, name);
      size_t len = arr.ElementLength();
      expect(len == 1 || static_cast<int64_t>(len) == c,
             std::string(name) + " has " + std::to_string(len) + " values, expected 1 or c = " + std::to_string(c));
      for (int64_t i = 0; i < c; ++i) v[i] = arr.Data()[len == 1 ? 0 : i];
      return v;
    };
    std::vector<float> mean = vecAt(1, "mean", 0.f), var = vecAt(2, "variance", 1.f),
                       scale = vecAt(3, "scale", 1.f), offset = vecAt(4, "offset", 0.f);
    std::vector<float> mul(c), add(c);
    for (int64_t i = 0; i < c; ++i) {
      mul[i] = static_cast<float>(scale[i] / std::sqrt(static_cast<double>(var[i]) + eps));
      add[i] = offset[i] - mean[i] * mul[i];
    }
    int64_t rows = total / c;
#pragma omp parallel for if (total > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (int64_t i = 0; i < c; ++i) yr[i] = xr[i] * mul[i] + add[i];
    }
    return info.Env().Undefined();
  });
}

void registerBatchNormInference(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormInference",
              Napi::Function::New(env, BatchNormInference, "batchNormInference"));
}
RL_REGISTER(registerBatchNormInference);

}  // namespace
}  // namespace rl

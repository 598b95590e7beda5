// FusedBatchNorm with given statistics (inference): y = (x - mean) * scale / sqrt(var + eps) +
// offset per channel (the innermost dimension). Each vector has length c or 1 (broadcast).
#include <cmath>

#include "common.h"

namespace rl {
namespace {

// batchNormInference(x, mean, variance, scale|null, offset|null, y, c, epsilon)
Napi::Value BatchNormInference(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormInference", [&]() -> Napi::Value {
    const float* x = f32(info[0]);
    size_t total = f32len(info[0]);
    int64_t c = i64(info[6]);
    double eps = dbl(info[7]);
    auto vecAt = [&](int idx, float dflt) {
      std::vector<float> v(c, dflt);
      const float* p = f32OrNull(info[idx]);
      if (p) {
        size_t len = f32len(info[idx]);
        for (int64_t i = 0; i < c; ++i) v[i] = p[len == 1 ? 0 : i];
      }
      return v;
    };
    std::vector<float> mean = vecAt(1, 0.f), var = vecAt(2, 1.f), scale = vecAt(3, 1.f),
                       offset = vecAt(4, 0.f);
    std::vector<float> mul(c), add(c);
    for (int64_t i = 0; i < c; ++i) {
      mul[i] = static_cast<float>(scale[i] / std::sqrt(static_cast<double>(var[i]) + eps));
      add[i] = offset[i] - mean[i] * mul[i];
    }
    float* y = f32(info[5]);
    int64_t rows = static_cast<int64_t>(total) / c;
#pragma omp parallel for if (static_cast<int64_t>(total) > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * c;
      float* yr = y + r * c;
      for (int64_t i = 0; i < c; ++i) yr[i] = xr[i] * mul[i] + add[i];
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerBatchNormInference(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormInference",
              Napi::Function::New(env, BatchNormInference, "batchNormInference"));
}

}  // namespace rl

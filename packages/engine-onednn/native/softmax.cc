// Softmax over the last axis, max-shifted and accumulated in double.
#include <cmath>

#include "common.h"

namespace rl {
namespace {

// softmax(x, y, rows, cols)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  return guarded(info, "softmax", [&]() -> Napi::Value {
    int64_t rows = integer(info, 2, "rows", 1), cols = integer(info, 3, "cols", 1);
    const float* x = f32(info, 0, "x", product({rows, cols}, "x"));
    float* y = f32(info, 1, "y", rows * cols);
#pragma omp parallel for if (rows * cols > kParallelMin)
    for (int64_t r = 0; r < rows; ++r) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      float mx = xr[0];
      for (int64_t j = 1; j < cols; ++j) mx = xr[j] > mx ? xr[j] : mx;
      double s = 0;
      for (int64_t j = 0; j < cols; ++j) s += std::exp(static_cast<double>(xr[j] - mx));
      for (int64_t j = 0; j < cols; ++j)
        yr[j] = static_cast<float>(std::exp(static_cast<double>(xr[j] - mx)) / s);
    }
    return info.Env().Undefined();
  });
}

void registerSoftmax(Napi::Env env, Napi::Object exports) {
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
}
RL_REGISTER(registerSoftmax);

}  // namespace
}  // namespace rl

// ReLU, Step (what tfjs' ReLU gradient multiplies by) and a fused ReLU gradient.
#include "common.h"

namespace rl {
namespace {

// relu(x, y)
Napi::Value Relu(const Napi::CallbackInfo& info) {
  return guarded(info, "relu", [&]() -> Napi::Value {
    auto xs = f32Array(info, 0, "x");
    const float* x = xs.Data();
    auto n = static_cast<int64_t>(xs.ElementLength());
    float* y = f32(info, 1, "y", n);
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] > 0.f ? x[i] : (x[i] != x[i] ? x[i] : 0.f);
    return info.Env().Undefined();
  });
}

// step(x, y, alpha): 1 where x > 0, alpha elsewhere, NaN stays NaN (tfjs' Step).
Napi::Value Step(const Napi::CallbackInfo& info) {
  return guarded(info, "step", [&]() -> Napi::Value {
    auto xs = f32Array(info, 0, "x");
    const float* x = xs.Data();
    auto n = static_cast<int64_t>(xs.ElementLength());
    float* y = f32(info, 1, "y", n);
    auto alpha = static_cast<float>(number(info, 2, "alpha"));
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) y[i] = x[i] != x[i] ? x[i] : (x[i] > 0.f ? 1.f : alpha);
    return info.Env().Undefined();
  });
}

// reluGrad(dy, x, dx): dy where x > 0, else 0, in one pass instead of Step + Multiply.
Napi::Value ReluGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "reluGrad", [&]() -> Napi::Value {
    auto dys = f32Array(info, 0, "dy");
    auto n = static_cast<int64_t>(dys.ElementLength());
    const float* __restrict dy = dys.Data();
    const float* __restrict x = f32(info, 1, "x", n);
    float* __restrict dx = f32(info, 2, "dx", n);
    // dy * step(x) exactly as tfjs computes it (NaN in x propagates), written branch-free so it
    // vectorises: random signs make a branch mispredict half the time.
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
      float s = x[i] > 0.f ? 1.f : 0.f;
      s = x[i] != x[i] ? x[i] : s;
      dx[i] = dy[i] * s;
    }
    return info.Env().Undefined();
  });
}

void registerRelu(Napi::Env env, Napi::Object exports) {
  exports.Set("relu", Napi::Function::New(env, Relu, "relu"));
  exports.Set("step", Napi::Function::New(env, Step, "step"));
  exports.Set("reluGrad", Napi::Function::New(env, ReluGrad, "reluGrad"));
}
RL_REGISTER(registerRelu);

}  // namespace
}  // namespace rl

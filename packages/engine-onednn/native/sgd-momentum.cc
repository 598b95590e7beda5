// SGD with momentum and weight decay, in place on the weights and velocity (PyTorch's rule):
//   g' = g + wd * w;  v = momentum * v + g';  w -= lr * (nesterov ? g' + momentum * v : v)
#include "common.h"

namespace rl {
namespace {

// sgdMomentum(w, g, v, lr, momentum, weightDecay, nesterov)
Napi::Value SgdMomentum(const Napi::CallbackInfo& info) {
  return guarded(info, "sgdMomentum", [&]() -> Napi::Value {
    auto ws = f32Array(info, 0, "weights");
    float* w = ws.Data();
    auto n = static_cast<int64_t>(ws.ElementLength());
    const float* g = f32(info, 1, "gradient", n);
    float* v = f32(info, 2, "velocity", n);
    auto lr = static_cast<float>(number(info, 3, "lr"));
    auto mom = static_cast<float>(number(info, 4, "momentum"));
    auto wd = static_cast<float>(number(info, 5, "weightDecay"));
    bool nesterov = boolean(info, 6, "nesterov");
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
      float gi = g[i] + wd * w[i];
      float vi = mom * v[i] + gi;
      v[i] = vi;
      w[i] -= lr * (nesterov ? gi + mom * vi : vi);
    }
    return info.Env().Undefined();
  });
}

void registerSgdMomentum(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdMomentum", Napi::Function::New(env, SgdMomentum, "sgdMomentum"));
}
RL_REGISTER(registerSgdMomentum);

}  // namespace
}  // namespace rl

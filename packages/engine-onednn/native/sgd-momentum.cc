// SGD with momentum and weight decay, in place on the weights and velocity (PyTorch's rule):
//   g' = g + wd * w;  v = momentum * v + g';  w -= lr * (nesterov ? g' + momentum * v : v)
#include "common.h"

namespace rl {
namespace {

// sgdMomentum(w, g, v, lr, momentum, weightDecay, nesterov)
Napi::Value SgdMomentum(const Napi::CallbackInfo& info) {
  return guarded(info, "sgdMomentum", [&]() -> Napi::Value {
    float* w = f32(info[0]);
    const float* g = f32(info[1]);
    float* v = f32(info[2]);
    float lr = static_cast<float>(dbl(info[3]));
    float mom = static_cast<float>(dbl(info[4]));
    float wd = static_cast<float>(dbl(info[5]));
    bool nesterov = info[6].As<Napi::Boolean>().Value();
    int64_t n = static_cast<int64_t>(f32len(info[0]));
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

}  // namespace

void registerSgdMomentum(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdMomentum", Napi::Function::New(env, SgdMomentum, "sgdMomentum"));
}

}  // namespace rl

// Local response normalisation across channels (AlexNet, GoogLeNet as published) and its gradient,
// over NHWC rows of `channels` values, with tfjs' definition: the sum of squares runs over the
// channels within `radius` of each one, y = x * (bias + alpha * sum)^-beta. Accumulated in double,
// as tfjs' cpu kernels compute in JavaScript numbers.
#include <algorithm>
#include <cmath>

#include "common.h"

namespace rl {
namespace {

struct LrnParams {
  int64_t pixels, channels, radius;
  double bias, alpha, beta;
};

LrnParams params(const Napi::CallbackInfo& info, size_t first) {
  LrnParams p{};
  p.pixels = integer(info, first, "pixels", 1);
  p.channels = integer(info, first + 1, "channels", 1);
  p.radius = integer(info, first + 2, "radius", 0);
  p.bias = number(info, first + 3, "bias");
  p.alpha = number(info, first + 4, "alpha");
  p.beta = number(info, first + 5, "beta");
  return p;
}

// lrn(x, y, pixels, channels, radius, bias, alpha, beta)
Napi::Value Lrn(const Napi::CallbackInfo& info) {
  return guarded(info, "lrn", [&]() -> Napi::Value {
    LrnParams p = params(info, 2);
    int64_t size = product({p.pixels, p.channels}, "x");
    const float* x = f32(info, 0, "x", size);
    float* y = f32(info, 1, "y", size);
#pragma omp parallel for if (size > kParallelMin)
    for (int64_t n = 0; n < p.pixels; ++n) {
      const float* xr = x + n * p.channels;
      float* yr = y + n * p.channels;
      for (int64_t c = 0; c < p.channels; ++c) {
        double sum = 0;
        int64_t end = std::min(c + p.radius, p.channels - 1);
        for (int64_t k = std::max<int64_t>(0, c - p.radius); k <= end; ++k) sum += double(xr[k]) * xr[k];
        yr[c] = static_cast<float>(xr[c] * std::pow(p.bias + p.alpha * sum, -p.beta));
      }
    }
    return info.Env().Undefined();
  });
}

// lrnGrad(x, y, dy, dx, pixels, channels, radius, bias, alpha, beta): dx is overwritten.
Napi::Value LrnGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "lrnGrad", [&]() -> Napi::Value {
    LrnParams p = params(info, 4);
    int64_t size = product({p.pixels, p.channels}, "x");
    const float* x = f32(info, 0, "x", size);
    const float* y = f32(info, 1, "y", size);
    const float* dy = f32(info, 2, "dy", size);
    float* dx = f32(info, 3, "dx", size);
#pragma omp parallel for if (size > kParallelMin)
    for (int64_t n = 0; n < p.pixels; ++n) {
      const float* xr = x + n * p.channels;
      const float* yr = y + n * p.channels;
      const float* dyr = dy + n * p.channels;
      float* dxr = dx + n * p.channels;
      std::fill(dxr, dxr + p.channels, 0.0f);
      // Each output channel c feeds back into every input channel of its window.
      for (int64_t c = 0; c < p.channels; ++c) {
        int64_t begin = std::max<int64_t>(0, c - p.radius), end = std::min(p.channels, c + p.radius + 1);
        double norm = 0;
        for (int64_t k = begin; k < end; ++k) norm += double(xr[k]) * xr[k];
        norm = p.alpha * norm + p.bias;
        for (int64_t k = begin; k < end; ++k) {
          double g = -2 * p.alpha * p.beta * xr[k] * yr[c] / norm;
          if (k == c) g += std::pow(norm, -p.beta);
          dxr[k] = static_cast<float>(dxr[k] + g * dyr[c]);
        }
      }
    }
    return info.Env().Undefined();
  });
}

void registerLrn(Napi::Env env, Napi::Object exports) {
  exports.Set("lrn", Napi::Function::New(env, Lrn, "lrn"));
  exports.Set("lrnGrad", Napi::Function::New(env, LrnGrad, "lrnGrad"));
}
RL_REGISTER(registerLrn);

}  // namespace
}  // namespace rl

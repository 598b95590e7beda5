// MaxPoolGrad and AvgPoolGrad with tfjs' semantics: max routes each output gradient to the first
// maximum of its window; avg spreads it over the window's real pixels with weight 1/(kh*kw).
// Threads split the batch, so no two threads write the same dx element.
#include <algorithm>
#include <limits>

#include "pool-geometry.h"

namespace rl {
namespace {

// maxPoolGrad(dy, x, dx, geom)
Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "maxPoolGrad", [&]() -> Napi::Value {
    PoolGeom g(i32(info, 3, "geometry", 14));
    const float* dy = f32(info, 0, "dy", g.dstLen());
    const float* x = f32(info, 1, "x", g.srcLen());
    float* dx = f32(info, 2, "dx", g.srcLen());
    int64_t c = g.c;
#pragma omp parallel for if (g.n * g.oh * g.ow * c > kParallelMin)
    for (int64_t b = 0; b < g.n; ++b) {
      // Each thread clears the images it owns: a serial clear of the whole dx dominated.
      std::fill(dx + b * g.h * g.w * c, dx + (b + 1) * g.h * g.w * c, 0.f);
      std::vector<float> best(c);
      std::vector<int64_t> where(c);
      for (int64_t yr = 0; yr < g.oh; ++yr) {
        for (int64_t yc = 0; yc < g.ow; ++yc) {
          std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
          std::fill(where.begin(), where.end(), -1);
          g.forWindow(yr, yc, [&](int64_t xr, int64_t xc) {
            int64_t base = ((b * g.h + xr) * g.w + xc) * c;
            float* bp = best.data();
            int64_t* wp = where.data();
            const float* xp = x + base;
#pragma omp simd
            for (int64_t ch = 0; ch < c; ++ch) {
              bool better = xp[ch] > bp[ch];
              wp[ch] = better ? base + ch : wp[ch];
              bp[ch] = better ? xp[ch] : bp[ch];
            }
          });
          const float* g0 = dy + ((b * g.oh + yr) * g.ow + yc) * c;
          for (int64_t ch = 0; ch < c; ++ch)
            if (where[ch] >= 0) dx[where[ch]] += g0[ch];
        }
      }
    }
    return info.Env().Undefined();
  });
}

// avgPoolGrad(dy, dx, geom)
Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "avgPoolGrad", [&]() -> Napi::Value {
    PoolGeom g(i32(info, 2, "geometry", 14));
    const float* dy = f32(info, 0, "dy", g.dstLen());
    float* dx = f32(info, 1, "dx", g.srcLen());
    int64_t c = g.c;
    float w = 1.f / static_cast<float>(g.kh * g.kw);
#pragma omp parallel for if (g.n * g.oh * g.ow * c > kParallelMin)
    for (int64_t b = 0; b < g.n; ++b) {
      std::fill(dx + b * g.h * g.w * c, dx + (b + 1) * g.h * g.w * c, 0.f);
      for (int64_t yr = 0; yr < g.oh; ++yr) {
        for (int64_t yc = 0; yc < g.ow; ++yc) {
          const float* g0 = dy + ((b * g.oh + yr) * g.ow + yc) * c;
          g.forWindow(yr, yc, [&](int64_t xr, int64_t xc) {
            float* d = dx + ((b * g.h + xr) * g.w + xc) * c;
            for (int64_t ch = 0; ch < c; ++ch) d[ch] += g0[ch] * w;
          });
        }
      }
    }
    return info.Env().Undefined();
  });
}

void registerPoolGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("maxPoolGrad", Napi::Function::New(env, MaxPoolGrad, "maxPoolGrad"));
  exports.Set("avgPoolGrad", Napi::Function::New(env, AvgPoolGrad, "avgPoolGrad"));
}
RL_REGISTER(registerPoolGrad);

}  // namespace
}  // namespace rl

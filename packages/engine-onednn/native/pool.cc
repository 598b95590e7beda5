// MaxPool and AvgPool forward (NHWC, channels in the inner loop). Like tfjs, padding never
// contributes: max ignores it and the average divides by the number of real pixels.
#include <limits>

#include "pool-geometry.h"

namespace rl {
namespace {

// pool2d(isMax, x, y, geom:Int32Array)
Napi::Value Pool2d(const Napi::CallbackInfo& info) {
  return guarded(info, "pool2d", [&]() -> Napi::Value {
    bool isMax = boolean(info, 0, "isMax");
    PoolGeom g(i32(info, 3, "geometry", 14));
    const float* x = f32(info, 1, "x", g.srcLen());
    float* y = f32(info, 2, "y", g.dstLen());
    int64_t c = g.c;
#pragma omp parallel for collapse(2) if (g.n * g.oh * g.ow * c > kParallelMin)
    for (int64_t b = 0; b < g.n; ++b) {
      for (int64_t yr = 0; yr < g.oh; ++yr) {
        std::vector<double> acc(c);
        for (int64_t yc = 0; yc < g.ow; ++yc) {
          float* out = y + ((b * g.oh + yr) * g.ow + yc) * c;
          if (isMax)
            for (int64_t ch = 0; ch < c; ++ch) out[ch] = -std::numeric_limits<float>::infinity();
          else
            std::fill(acc.begin(), acc.end(), 0.0);
          int64_t count = 0;
          g.forWindow(yr, yc, [&](int64_t xr, int64_t xc) {
            const float* in = x + ((b * g.h + xr) * g.w + xc) * c;
            ++count;
            if (isMax) {
              // A select instead of a branch lets the channel loop vectorise.
#pragma omp simd
              for (int64_t ch = 0; ch < c; ++ch)
                out[ch] = (in[ch] > out[ch] || in[ch] != in[ch]) ? in[ch] : out[ch];
            } else {
              for (int64_t ch = 0; ch < c; ++ch) acc[ch] += in[ch];
            }
          });
          if (!isMax)
            for (int64_t ch = 0; ch < c; ++ch)
              out[ch] = static_cast<float>(acc[ch] / static_cast<double>(count));
        }
      }
    }
    return info.Env().Undefined();
  });
}

void registerPool(Napi::Env env, Napi::Object exports) {
  exports.Set("pool2d", Napi::Function::New(env, Pool2d, "pool2d"));
}
RL_REGISTER(registerPool);

}  // namespace
}  // namespace rl

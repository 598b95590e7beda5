// Batch norm in training, forward: batch statistics over N,H,W per channel (biased variance, as
// tfjs' moments), normalise, scale and shift, in one oneDNN primitive.
#include "batch-norm-shape.h"

namespace rl {
namespace {

PrimitiveCache<dnnl::batch_normalization_forward> cache;

// batchNormTraining(x, gamma, beta, y, mean, variance, n, h, w, c, epsilon)
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormTraining", [&]() -> Napi::Value {
    BatchNormShape s(info, 6);
    auto e = cache.get(s.id(), [&] { return bnForwardPd(s.data(), s.eps); });
    execute(e->prim, {{DNNL_ARG_SRC, memory(s.data(), eng(), f32(info, 0, "x", s.dataLen()))},
                      {DNNL_ARG_SCALE, memory(s.vec(), eng(), f32(info, 1, "gamma", s.c))},
                      {DNNL_ARG_SHIFT, memory(s.vec(), eng(), f32(info, 2, "beta", s.c))},
                      {DNNL_ARG_DST, memory(s.data(), eng(), f32(info, 3, "y", s.dataLen()))},
                      {DNNL_ARG_MEAN, memory(s.vec(), eng(), f32(info, 4, "mean", s.c))},
                      {DNNL_ARG_VARIANCE, memory(s.vec(), eng(), f32(info, 5, "variance", s.c))}});
    return info.Env().Undefined();
  });
}

void registerBatchNormTraining(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTraining",
              Napi::Function::New(env, BatchNormTraining, "batchNormTraining"));
}
RL_REGISTER(registerBatchNormTraining);

}  // namespace
}  // namespace rl

// Batch norm in training, backward: dx, dgamma and dbeta in one oneDNN primitive, from the batch
// statistics the forward kernel returned.
#include "batch-norm-shape.h"

namespace rl {
namespace {

PrimitiveCache<dnnl::batch_normalization_backward> cache;

// batchNormTrainingGrad(x, dy, gamma, beta, mean, variance, dx, dgamma, dbeta, n, h, w, c, epsilon)
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormTrainingGrad", [&]() -> Napi::Value {
    BatchNormShape s(info, 9);
    auto e = cache.get(s.id(), [&] { return bnBackwardPd(s.data(), s.eps); });
    auto data = [&](size_t i, const char* name) { return memory(s.data(), eng(), f32(info, i, name, s.dataLen())); };
    auto vec = [&](size_t i, const char* name) { return memory(s.vec(), eng(), f32(info, i, name, s.c)); };
    // oneDNN 2.6 reads DNNL_ARG_SHIFT in backward when use_shift is set, so it is passed too.
    execute(e->prim, {{DNNL_ARG_SRC, data(0, "x")},
                      {DNNL_ARG_DIFF_DST, data(1, "dy")},
                      {DNNL_ARG_SCALE, vec(2, "gamma")},
                      {DNNL_ARG_SHIFT, vec(3, "beta")},
                      {DNNL_ARG_MEAN, vec(4, "mean")},
                      {DNNL_ARG_VARIANCE, vec(5, "variance")},
                      {DNNL_ARG_DIFF_SRC, data(6, "dx")},
                      {DNNL_ARG_DIFF_SCALE, vec(7, "dgamma")},
                      {DNNL_ARG_DIFF_SHIFT, vec(8, "dbeta")}});
    return info.Env().Undefined();
  });
}

void registerBatchNormTrainingGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrainingGrad",
              Napi::Function::New(env, BatchNormTrainingGrad, "batchNormTrainingGrad"));
}
RL_REGISTER(registerBatchNormTrainingGrad);

}  // namespace
}  // namespace rl

// Batch norm in training, backward: dx, dgamma and dbeta in one oneDNN primitive, from the batch
// statistics the forward kernel returned.
#include <cstring>
#include "dnnl-compat.h"

namespace rl {
namespace {

struct Entry {
  dnnl::batch_normalization_backward::primitive_desc pd;
  dnnl::batch_normalization_backward prim;
};
Cache<Entry> cache;

// batchNormTrainingGrad(x, dy, gamma, beta, mean, variance, dx, dgamma, dbeta, n, h, w, c, epsilon)
Napi::Value BatchNormTrainingGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormTrainingGrad", [&]() -> Napi::Value {
    int64_t n = i64(info[9]), h = i64(info[10]), w = i64(info[11]), c = i64(info[12]);
    float eps = static_cast<float>(dbl(info[13]));
    memory::desc data({n, c, h, w}, dt::f32, tag::nhwc);
    memory::desc vec({c}, dt::f32, tag::x);
    // Keyed on eps's exact bits: a decimal rendering would merge nearby small epsilons.
    uint32_t epsBits;
    std::memcpy(&epsBits, &eps, sizeof epsBits);
    auto e = cache.get(key({n, h, w, c, static_cast<int64_t>(epsBits)}), [&]() {
      auto pd = bnBackwardPd(data, eps);
      return std::make_shared<Entry>(Entry{pd, dnnl::batch_normalization_backward(pd)});
    });
    // oneDNN 2.6 reads DNNL_ARG_SHIFT in backward when use_shift is set, so it is passed too.
    e->prim.execute(strm(), {{DNNL_ARG_SRC, memory(data, eng(), f32(info[0]))},
                             {DNNL_ARG_DIFF_DST, memory(data, eng(), f32(info[1]))},
                             {DNNL_ARG_SCALE, memory(vec, eng(), f32(info[2]))},
                             {DNNL_ARG_SHIFT, memory(vec, eng(), f32(info[3]))},
                             {DNNL_ARG_MEAN, memory(vec, eng(), f32(info[4]))},
                             {DNNL_ARG_VARIANCE, memory(vec, eng(), f32(info[5]))},
                             {DNNL_ARG_DIFF_SRC, memory(data, eng(), f32(info[6]))},
                             {DNNL_ARG_DIFF_SCALE, memory(vec, eng(), f32(info[7]))},
                             {DNNL_ARG_DIFF_SHIFT, memory(vec, eng(), f32(info[8]))}});
    strm().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void registerBatchNormTrainingGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTrainingGrad",
              Napi::Function::New(env, BatchNormTrainingGrad, "batchNormTrainingGrad"));
}

}  // namespace rl

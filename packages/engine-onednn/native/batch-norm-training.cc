// Batch norm in training, forward: batch statistics over N,H,W per channel (biased variance, as
// tfjs' moments), normalise, scale and shift, in one oneDNN primitive.
#include <cstring>
#include "dnnl-compat.h"

namespace rl {
namespace {

struct Entry {
  dnnl::batch_normalization_forward::primitive_desc pd;
  dnnl::batch_normalization_forward prim;
};
Cache<Entry> cache;

// batchNormTraining(x, gamma, beta, y, mean, variance, n, h, w, c, epsilon)
Napi::Value BatchNormTraining(const Napi::CallbackInfo& info) {
  return guarded(info, "batchNormTraining", [&]() -> Napi::Value {
    int64_t n = i64(info[6]), h = i64(info[7]), w = i64(info[8]), c = i64(info[9]);
    float eps = static_cast<float>(dbl(info[10]));
    memory::desc data({n, c, h, w}, dt::f32, tag::nhwc);
    memory::desc vec({c}, dt::f32, tag::x);
    // Keyed on eps's exact bits: a decimal rendering would merge nearby small epsilons.
    uint32_t epsBits;
    std::memcpy(&epsBits, &eps, sizeof epsBits);
    auto e = cache.get(key({n, h, w, c, static_cast<int64_t>(epsBits)}), [&]() {
      auto pd = bnForwardPd(data, eps);
      return std::make_shared<Entry>(Entry{pd, dnnl::batch_normalization_forward(pd)});
    });
    e->prim.execute(strm(), {{DNNL_ARG_SRC, memory(data, eng(), f32(info[0]))},
                             {DNNL_ARG_SCALE, memory(vec, eng(), f32(info[1]))},
                             {DNNL_ARG_SHIFT, memory(vec, eng(), f32(info[2]))},
                             {DNNL_ARG_DST, memory(data, eng(), f32(info[3]))},
                             {DNNL_ARG_MEAN, memory(vec, eng(), f32(info[4]))},
                             {DNNL_ARG_VARIANCE, memory(vec, eng(), f32(info[5]))}});
    strm().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void registerBatchNormTraining(Napi::Env env, Napi::Object exports) {
  exports.Set("batchNormTraining",
              Napi::Function::New(env, BatchNormTraining, "batchNormTraining"));
}

}  // namespace rl

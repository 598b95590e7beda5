// BatchMatMul / _FusedMatMul via oneDNN's sgemm (row-major), with optional bias over the last
// axis and fused ReLU. A batch stride of 0 broadcasts that operand across the batch.
#include "common.h"

namespace rl {
namespace {

// matmul(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, bias|null, relu)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info, "matmul", [&]() -> Napi::Value {
    const float* a = f32(info[0]);
    const float* b = f32(info[1]);
    float* out = f32(info[2]);
    int64_t batch = i64(info[3]), m = i64(info[4]), n = i64(info[5]), k = i64(info[6]);
    bool ta = info[7].As<Napi::Boolean>().Value(), tb = info[8].As<Napi::Boolean>().Value();
    int64_t as = i64(info[9]), bs = i64(info[10]);
    const float* bias = f32OrNull(info[11]);
    size_t biasLen = bias ? f32len(info[11]) : 0;
    bool relu = info[12].As<Napi::Boolean>().Value();
    for (int64_t i = 0; i < batch; ++i) {
      dnnl_status_t st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.f, a + i * as,
                                    ta ? m : k, b + i * bs, tb ? k : n, 0.f, out + i * m * n, n);
      if (st != dnnl_success) throw std::runtime_error("dnnl_sgemm failed: " + std::to_string(st));
    }
    int64_t total = batch * m * n;
    if (bias || relu) {
#pragma omp parallel for if (total > kParallelMin)
      for (int64_t r = 0; r < batch * m; ++r) {
        float* o = out + r * n;
        if (bias)
          for (int64_t j = 0; j < n; ++j) o[j] += bias[biasLen == 1 ? 0 : j];
        if (relu)
          for (int64_t j = 0; j < n; ++j) o[j] = o[j] > 0.f ? o[j] : 0.f;
      }
    }
    return info.Env().Undefined();
  });
}

}  // namespace

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul, "matmul"));
}

}  // namespace rl

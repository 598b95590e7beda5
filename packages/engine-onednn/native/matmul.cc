// BatchMatMul / _FusedMatMul via oneDNN's sgemm (row-major), with optional bias over the last
// axis and fused ReLU. A batch stride of 0 broadcasts that operand across the batch.
#include "common.h"

namespace rl {
namespace {

// matmul(a, b, out, batch, m, n, k, transA, transB, aBatchStride, bBatchStride, bias|null, relu)
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  return guarded(info, "matmul", [&]() -> Napi::Value {
    // Empty products never reach here (the TS side falls back to cpu): every size is at least 1.
    int64_t batch = integer(info, 3, "batch", 1), m = integer(info, 4, "m", 1),
            n = integer(info, 5, "n", 1), k = integer(info, 6, "k", 1);
    bool ta = boolean(info, 7, "transposeA"), tb = boolean(info, 8, "transposeB");
    // A batch stride is 0 (broadcast) or one whole matrix.
    int64_t as = integer(info, 9, "aBatchStride", 0), bs = integer(info, 10, "bBatchStride", 0);
    int64_t aLen = product({m, k}, "a"), bLen = product({k, n}, "b");
    expect(as == 0 || as == aLen, "aBatchStride must be 0 or m*k");
    expect(bs == 0 || bs == bLen, "bBatchStride must be 0 or k*n");
    const float* a = f32(info, 0, "a", as == 0 ? aLen : product({batch, aLen}, "a"));
    const float* b = f32(info, 1, "b", bs == 0 ? bLen : product({batch, bLen}, "b"));
    float* out = f32(info, 2, "out", product({batch, m, n}, "out"));
    const float* bias = nullptr;
    size_t biasLen = 0;
    if (info.Length() > 11 && !info[11].IsNull() && !info[11].IsUndefined()) {
      auto biasArray = f32Array(info, 11, "bias");
      biasLen = biasArray.ElementLength();
      expect(biasLen == 1 || static_cast<int64_t>(biasLen) == n, "bias must have 1 or n values");
      bias = biasArray.Data();
    }
    bool relu = boolean(info, 12, "relu");
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

void registerMatMul(Napi::Env env, Napi::Object exports) {
  exports.Set("matmul", Napi::Function::New(env, MatMul, "matmul"));
}
RL_REGISTER(registerMatMul);

}  // namespace
}  // namespace rl

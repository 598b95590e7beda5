// Conv2D / FusedConv2D forward: NHWC activations, weights reordered once into the layout oneDNN
// picked (cached per tfjs data id), optional bias and fused ReLU.
#include "conv-geometry.h"

namespace rl {
namespace {

PrimitiveCache<dnnl::convolution_forward> cache;

// conv2d(x, w, bias|null, y, geom:Int32Array, relu:boolean, weightKey:number)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2d", [&]() -> Napi::Value {
    ConvGeom g(i32(info, 4, "geometry", 17));
    float* x = f32(info, 0, "x", g.srcLen());
    float* filter = f32(info, 1, "filter", g.weightsLen());
    float* bias = f32OrNull(info, 2, "bias", g.oc);
    float* y = f32(info, 3, "y", g.dstLen());
    bool relu = boolean(info, 5, "relu");
    auto wkey = static_cast<uint32_t>(integer(info, 6, "weightKey", 0, UINT32_MAX));
    auto e = cache.get(g.id() + (bias ? "b" : "") + (relu ? "r" : ""), [&] {
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops po;
        appendRelu(po);
        attr.set_post_ops(po);
      }
      return g.forwardPd(bias != nullptr, attr);
    });
    memory userW(g.weightsHwio(), eng(), filter);
    memory src = staged(memory(g.src(), eng(), x), e->pd.src_desc(), e->stagedA);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src},
                                         {DNNL_ARG_WEIGHTS, weightsAs(wkey, e->pd.weights_desc(), userW)},
                                         {DNNL_ARG_DST, memory(g.dst(), eng(), y)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(g.bias(), eng(), bias));
    execute(e->prim, args);
    return info.Env().Undefined();
  });
}

void registerConv2d(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
}
RL_REGISTER(registerConv2d);

}  // namespace
}  // namespace rl

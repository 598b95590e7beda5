// Conv2D / FusedConv2D forward: NHWC activations, weights reordered once into the layout oneDNN
// picked (cached per tfjs data id), optional bias and fused ReLU.
#include "conv-geometry.h"

namespace rl {
namespace {

struct Entry {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
};
Cache<Entry> cache;

// conv2d(x, w, bias|null, y, geom:Int32Array, relu:boolean, weightKey:number)
Napi::Value Conv2d(const Napi::CallbackInfo& info) {
  return guarded(info, "conv2d", [&]() -> Napi::Value {
    ConvGeom g(i32(info[4]));
    float* bias = f32OrNull(info[2]);
    bool relu = info[5].As<Napi::Boolean>().Value();
    uint32_t wkey = static_cast<uint32_t>(i64(info[6]));
    auto e = cache.get(g.id() + (bias ? "b" : "") + (relu ? "r" : ""), [&]() {
      dnnl::primitive_attr attr;
      if (relu) {
        dnnl::post_ops po;
        appendRelu(po);
        attr.set_post_ops(po);
      }
      auto pd = g.forwardPd(bias != nullptr, attr);
      return std::make_shared<Entry>(Entry{pd, dnnl::convolution_forward(pd)});
    });
    memory src(g.src(), eng(), f32(info[0]));
    memory userW(g.weightsHwio(), eng(), f32(info[1]));
    memory w = weightsAs(wkey, e->pd.weights_desc(), userW);
    memory dst(g.dst(), eng(), f32(info[3]));
    std::unordered_map<int, memory> args{
        {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(g.bias(), eng(), bias));
    e->prim.execute(strm(), args);
    strm().wait();
    return info.Env().Undefined();
  });
}

}  // namespace

void registerConv2d(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, Conv2d, "conv2d"));
}

}  // namespace rl

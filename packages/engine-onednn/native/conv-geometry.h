// The geometry of a 2-D convolution as the TS side sends it (Int32Array of 17 values), checked,
// and the oneDNN descriptors every conv kernel derives from it. Activations are NHWC, tfjs
// weights HWIO.
#pragma once
#include "common.h"
#include "dnnl-compat.h"

namespace rl {

struct ConvGeom {
  int64_t n, h, w, c, kh, kw, oc, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw;
  // The type the multiply reads (convPrecision() when made): the convolution's inputs (source,
  // weights, and in backward the incoming gradient) in it; outputs always float32.
  dt compute;
  explicit ConvGeom(const int32_t* g)
      : n(g[0]), h(g[1]), w(g[2]), c(g[3]), kh(g[4]), kw(g[5]), oc(g[6]), oh(g[7]), ow(g[8]),
        sh(g[9]), sw(g[10]), pt(g[11]), pl(g[12]), pb(g[13]), pr(g[14]), dh(g[15]), dw(g[16]),
        compute(convPrecision() == Precision::bf16 ? dt::bf16 : dt::f32) {
    // Empty tensors never reach here (the TS side falls back to cpu): every size is at least 1.
    for (int64_t d : {n, h, w, c, kh, kw, oc, oh, ow, sh, sw, dh, dw})
      expect(d >= 1, "geometry has a size, stride or dilation below 1: " + id());
    for (int64_t p : {pt, pl, pb, pr}) expect(p >= 0, "geometry has a negative padding: " + id());
    // The output size oneDNN derives from the rest must be the one the arrays were sized for.
    expect(oh == (h + pt + pb - ((kh - 1) * dh + 1)) / sh + 1 &&
               ow == (w + pl + pr - ((kw - 1) * dw + 1)) / sw + 1 &&
               h + pt + pb >= (kh - 1) * dh + 1 && w + pl + pr >= (kw - 1) * dw + 1,
           "output size does not follow from input, filter, strides and padding: " + id());
  }
  // Element counts of the NHWC input, NHWC output and HWIO weights.
  int64_t srcLen() const { return product({n, h, w, c}, "x"); }
  int64_t dstLen() const { return product({n, oh, ow, oc}, "y"); }
  int64_t weightsLen() const { return product({kh, kw, c, oc}, "filter"); }
  std::string id() const {
    return key(
        {n, h, w, c, kh, kw, oc, oh, ow, sh, sw, pt, pl, pb, pr, dh, dw, compute == dt::bf16});
  }
  // The user's float32 arrays.
  memory::desc src() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({n, oc, oh, ow}, dt::f32, tag::nhwc); }
  // What the multiply reads: the same in the compute type (a staged copy where that is bf16).
  memory::desc srcIn() const { return memory::desc({n, c, h, w}, compute, tag::nhwc); }
  memory::desc dstIn() const { return memory::desc({n, oc, oh, ow}, compute, tag::nhwc); }
  memory::desc weightsAny() const { return memory::desc({oc, c, kh, kw}, compute, tag::any); }
  // The weights gradient stays float32 (it feeds the float32 master weights).
  memory::desc weightsGradAny() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::any); }
  memory::desc weightsHwio() const { return memory::desc({oc, c, kh, kw}, dt::f32, tag::hwio); }
  memory::desc bias() const { return memory::desc({oc}, dt::f32, tag::x); }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims padL() const { return {pt, pl}; }
  memory::dims padR() const { return {pb, pr}; }

  // oneDNN 3 dropped the operation descriptors of 2.x (Debian's libdnnl-dev 2.6) and builds
  // primitive descriptors directly (Homebrew's onednn, newer distributions); these three
  // functions are the only places that differ.
  dnnl::convolution_forward::primitive_desc forwardPd(bool withBias,
                                                      const dnnl::primitive_attr& attr = {}) const {
    using dnnl::convolution_forward;
    const auto prop = dnnl::prop_kind::forward_training;
    const auto alg = dnnl::algorithm::convolution_direct;
#if DNNL_VERSION_MAJOR >= 3
    if (withBias)
      return convolution_forward::primitive_desc(eng(), prop, alg, srcIn(), weightsAny(), bias(),
                                                 dst(), strides(), dilates(), padL(), padR(), attr);
    return convolution_forward::primitive_desc(eng(), prop, alg, srcIn(), weightsAny(), dst(),
                                               strides(), dilates(), padL(), padR(), attr);
#else
    if (withBias)
      return convolution_forward::primitive_desc(
          convolution_forward::desc(prop, alg, srcIn(), weightsAny(), bias(), dst(), strides(),
                                    dilates(), padL(), padR()),
          attr, eng());
    return convolution_forward::primitive_desc(
        convolution_forward::desc(prop, alg, srcIn(), weightsAny(), dst(), strides(), dilates(),
                                  padL(), padR()),
        attr, eng());
#endif
  }

  dnnl::convolution_backward_data::primitive_desc backwardDataPd() const {
    using dnnl::convolution_backward_data;
    const auto alg = dnnl::algorithm::convolution_direct;
    auto hint = forwardPd(false);
#if DNNL_VERSION_MAJOR >= 3
    return convolution_backward_data::primitive_desc(eng(), alg, src(), weightsAny(), dstIn(),
                                                     strides(), dilates(), padL(), padR(), hint);
#else
    return convolution_backward_data::primitive_desc(
        convolution_backward_data::desc(alg, src(), weightsAny(), dstIn(), strides(), dilates(),
                                        padL(), padR()),
        eng(), hint);
#endif
  }

  dnnl::convolution_backward_weights::primitive_desc backwardWeightsPd() const {
    using dnnl::convolution_backward_weights;
    const auto alg = dnnl::algorithm::convolution_direct;
    auto hint = forwardPd(false);
#if DNNL_VERSION_MAJOR >= 3
    return convolution_backward_weights::primitive_desc(eng(), alg, srcIn(), weightsGradAny(),
                                                        dstIn(), strides(), dilates(), padL(),
                                                        padR(), hint);
#else
    return convolution_backward_weights::primitive_desc(
        convolution_backward_weights::desc(alg, srcIn(), weightsGradAny(), dstIn(), strides(),
                                           dilates(), padL(), padR()),
        eng(), hint);
#endif
  }
};

}  // namespace rl

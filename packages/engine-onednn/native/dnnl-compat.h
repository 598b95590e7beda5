// The few oneDNN API differences between 2.x (Debian's libdnnl-dev 2.6) and 3.x (Homebrew,
// newer distributions) that are not about convolution descriptors.
#pragma once
#include "common.h"

namespace rl {

inline void appendRelu(dnnl::post_ops& po) {
#if DNNL_VERSION_MAJOR >= 3
  po.append_eltwise(dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#else
  po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
#endif
}

inline dnnl::normalization_flags scaleShift() {
  return dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
}

// Batch norm in training over NHWC data, forward and backward primitive descriptors.
inline dnnl::batch_normalization_forward::primitive_desc bnForwardPd(const memory::desc& data,
                                                                     float eps) {
  using dnnl::batch_normalization_forward;
#if DNNL_VERSION_MAJOR >= 3
  return batch_normalization_forward::primitive_desc(eng(), dnnl::prop_kind::forward_training,
                                                     data, data, eps, scaleShift());
#else
  return batch_normalization_forward::primitive_desc(
      batch_normalization_forward::desc(dnnl::prop_kind::forward_training, data, eps, scaleShift()),
      eng());
#endif
}

inline dnnl::batch_normalization_backward::primitive_desc bnBackwardPd(const memory::desc& data,
                                                                       float eps) {
  using dnnl::batch_normalization_backward;
  auto hint = bnForwardPd(data, eps);
#if DNNL_VERSION_MAJOR >= 3
  return batch_normalization_backward::primitive_desc(eng(), dnnl::prop_kind::backward, data, data,
                                                      data, eps, scaleShift(), hint);
#else
  return batch_normalization_backward::primitive_desc(
      batch_normalization_backward::desc(dnnl::prop_kind::backward, data, data, eps, scaleShift()),
      eng(), hint);
#endif
}

}  // namespace rl

// The NHWC shape and epsilon the two training batch-norm kernels take as trailing arguments
// (n, h, w, c, epsilon), checked, with the descriptors and cache key they derive from them.
#pragma once
#include <cstring>

#include "dnnl-compat.h"

namespace rl {

struct BatchNormShape {
  int64_t n, h, w, c;
  float eps;
  BatchNormShape(const Napi::CallbackInfo& info, size_t first)
      : n(integer(info, first, "n", 1)),
        h(integer(info, first + 1, "h", 1)),
        w(integer(info, first + 2, "w", 1)),
        c(integer(info, first + 3, "c", 1)),
        eps(static_cast<float>(number(info, first + 4, "epsilon"))) {
    expect(eps >= 0.f, "epsilon must be a number >= 0");
  }
  int64_t dataLen() const { return product({n, h, w, c}, "x"); }
  memory::desc data() const { return memory::desc({n, c, h, w}, dt::f32, tag::nhwc); }
  memory::desc vec() const { return memory::desc({c}, dt::f32, tag::x); }
  // Keyed on eps's exact bits: a decimal rendering would merge nearby small epsilons.
  std::string id() const {
    uint32_t epsBits;
    std::memcpy(&epsBits, &eps, sizeof epsBits);
    return key({n, h, w, c, static_cast<int64_t>(epsBits)});
  }
};

}  // namespace rl

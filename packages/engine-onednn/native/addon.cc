// The addon's entry point: one list of every native kernel's registration.
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const rl::Register all[] = {
      rl::registerConv2d,          rl::registerConv2dBackpropInput,
      rl::registerConv2dBackpropFilter, rl::registerBatchNormTraining,
      rl::registerBatchNormTrainingGrad, rl::registerBatchNormInference,
      rl::registerRelu,            rl::registerBinary,
      rl::registerAddN,            rl::registerReduce,
      rl::registerPool,            rl::registerPoolGrad,
      rl::registerMatMul,          rl::registerSoftmax,
      rl::registerSoftmaxCrossEntropy, rl::registerSgdMomentum,
      rl::registerSlice,           rl::registerPad,
      rl::registerRuntime,
  };
  for (auto reg : all) reg(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(onednn, Init)

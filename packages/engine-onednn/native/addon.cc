// The addon's entry point: every kernel file registered its exports with RL_REGISTER.
#include "common.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  for (auto reg : rl::registrations()) reg(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(onednn, Init)

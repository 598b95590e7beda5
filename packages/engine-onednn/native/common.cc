#include "common.h"

namespace rl {

dnnl::engine& eng() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& strm() {
  static dnnl::stream s(eng());
  return s;
}

std::string key(std::initializer_list<int64_t> parts) {
  std::string k;
  k.reserve(parts.size() * 6);
  for (int64_t p : parts) {
    k += std::to_string(p);
    k += ',';
  }
  return k;
}

namespace {
struct WeightEntry {
  memory::desc md;
  memory mem;
};
std::unordered_map<uint32_t, std::vector<WeightEntry>>& weightCache() {
  static std::unordered_map<uint32_t, std::vector<WeightEntry>> c;
  return c;
}
}  // namespace

void reorderNow(memory& from, memory& to) {
  dnnl::reorder(from, to).execute(strm(), from, to);
  strm().wait();
}

memory weightsAs(uint32_t k, const memory::desc& want, memory& user) {
  if (user.get_desc() == want) return user;
  if (k != 0) {
    auto& entries = weightCache()[k];
    for (auto& e : entries)
      if (e.md == want) return e.mem;
  }
  memory m(want, eng());
  reorderNow(user, m);
  if (k != 0) weightCache()[k].push_back({want, m});
  return m;
}

void dropWeights(uint32_t k) { weightCache().erase(k); }
size_t cachedWeightCount() { return weightCache().size(); }

Napi::Value guarded(const Napi::CallbackInfo& info, const char* name,
                    const std::function<Napi::Value()>& body) {
  try {
    return body();
  } catch (const Napi::Error&) {
    throw;
  } catch (const dnnl::error& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": oneDNN error " +
                                           std::to_string(static_cast<int>(e.status)) + ": " +
                                           e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
  }
}

}  // namespace rl

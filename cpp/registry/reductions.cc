#include "registry/reductions.h"

#include "util/error.h"

namespace cohort {

ReductionRegistry::ReductionRegistry() {
  byName_ = {{"sum", kRedopSum}, {"product", kRedopProduct}, {"min", kRedopMin}, {"max", kRedopMax}};
}

RedopId ReductionRegistry::registerOp(const std::string& name) {
  if (name.empty()) throw Error("register_reduction: the operator name must be a non-empty string");
  auto it = byName_.find(name);
  if (it != byName_.end()) return it->second;
  RedopId id = next_++;
  byName_.emplace(name, id);
  return id;
}

RedopId ReductionRegistry::idOf(const std::string& name) const {
  auto it = byName_.find(name);
  if (it == byName_.end()) {
    std::string known;
    for (const auto& kv : byName_) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("unknown reduction operator '" + name + "'; registered: " + known);
  }
  return it->second;
}

}  // namespace cohort

// Reduction operators by name. The built-ins (sum, product, min, max) have
// fixed ids 1-4; a task library registers more by name and gets ids from 5
// on. A reduce privilege names an operator by id; two reductions with the
// same id commute (the dependence analysis lets them run in any order, one
// at a time per field). The operator's code lives in the tasks that use it.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "analysis/privilege.h"

namespace cohort {

class ReductionRegistry {
 public:
  ReductionRegistry();
  // The id of `name`, registering it if new. Registering a name twice (from
  // one or several libraries) gives the same id: the name is the identity.
  RedopId registerOp(const std::string& name);
  // Throws for an unknown name.
  RedopId idOf(const std::string& name) const;
  const std::map<std::string, RedopId>& all() const { return byName_; }

 private:
  std::map<std::string, RedopId> byName_;
  RedopId next_ = kFirstCustomRedop;
};

}  // namespace cohort

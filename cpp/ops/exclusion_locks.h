// Locks that serialize tasks which may run in any order but never at the
// same time on the same field: atomic coherence and reductions (the
// analysis reports them as ExclusionKeys). One mutex per (tree, field),
// created on first use; a task takes its keys in sorted order, so two
// tasks cannot deadlock on them.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace cohort {

class ExclusionLocks {
 public:
  using Key = std::pair<uint32_t, uint32_t>;  // (tree, field)

  std::mutex& lockFor(const Key& key) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& slot = locks_[key];
    if (!slot) slot = std::make_unique<std::mutex>();
    return *slot;
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace cohort

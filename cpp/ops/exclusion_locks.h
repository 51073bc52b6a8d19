// Locks that serialize tasks which may run in any order but never at the
// same time on the same field: atomic coherence and reductions (the
// analysis reports them as ExclusionKeys). One mutex per (tree, field),
// created on first use; a task takes its keys in sorted order, so two
// tasks cannot deadlock on them. Keys are per analysis context (the parent
// task): a reducing parent holds its key while its children run, and its
// children exclude one another with keys of their own context, so a child
// never waits for a lock its own parent holds.
#pragma once
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

namespace cohort {

class ExclusionLocks {
 public:
  using Key = std::tuple<uint32_t, uint32_t, uint64_t>;  // (tree, field, parent op; 0: top level)

  std::mutex& lockFor(const Key& key) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& slot = locks_[key];
    if (!slot) slot = std::make_unique<std::mutex>();
    return *slot;
  }

  // A task's context ended (its children finished): its keys go.
  void dropContext(uint64_t parent) {
    if (parent == 0) return;
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto it = locks_.begin(); it != locks_.end();)
      it = std::get<2>(it->first) == parent ? locks_.erase(it) : std::next(it);
  }

 private:
  std::mutex mutex_;
  std::map<Key, std::unique_ptr<std::mutex>> locks_;
};

}  // namespace cohort

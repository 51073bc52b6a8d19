// The set of operations analyzed but not yet reported complete. Operation
// ids are issued in increasing order and mostly complete roughly in order,
// so the set is a sliding bitmap starting at the oldest live id: O(1) per
// operation, no allocation per operation, and memory proportional to the
// span of ids from the oldest live operation to the newest.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>

namespace cohort {

class LiveOps {
 public:
  // Adds `op`, which must be larger than every id added before; ids skipped
  // in between are treated as never live.
  void add(uint64_t op);
  // Removes `op`; ids never added, or removed already, are ignored.
  void remove(uint64_t op);
  // Only meaningful for ids that were added at some point.
  bool contains(uint64_t op) const;
  size_t size() const { return live_; }

 private:
  static constexpr uint64_t kWordBits = 64;
  bool isSet(uint64_t op) const;
  void dropCompletedWords();

  // Bit (op - base_) of words_ is 1 while op is live. base_ is a multiple
  // of 64; everything below it is done.
  uint64_t base_ = 0;
  uint64_t next_ = 0;  // one past the largest id added
  std::deque<uint64_t> words_;
  size_t live_ = 0;
};

}  // namespace cohort

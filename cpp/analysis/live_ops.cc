#include "analysis/live_ops.h"

#include "util/error.h"

namespace cohort {

void LiveOps::add(uint64_t op) {
  if (op < next_) throw Error("live operations: id " + std::to_string(op) + " is not larger than the previous one");
  if (words_.empty()) base_ = op - op % kWordBits;  // skip the gap at once
  while (op - base_ >= words_.size() * kWordBits) words_.push_back(0);
  const uint64_t i = op - base_;
  words_[i / kWordBits] |= uint64_t{1} << (i % kWordBits);
  next_ = op + 1;
  ++live_;
}

bool LiveOps::isSet(uint64_t op) const {
  if (op < base_ || op >= next_) return false;
  const uint64_t i = op - base_;
  if (i / kWordBits >= words_.size()) return false;
  return (words_[i / kWordBits] >> (i % kWordBits)) & 1u;
}

bool LiveOps::contains(uint64_t op) const { return isSet(op); }

void LiveOps::remove(uint64_t op) {
  if (!isSet(op)) return;
  const uint64_t i = op - base_;
  words_[i / kWordBits] &= ~(uint64_t{1} << (i % kWordBits));
  --live_;
  dropCompletedWords();
}

void LiveOps::dropCompletedWords() {
  // Keep the last word: new ids land there.
  while (words_.size() > 1 && words_.front() == 0) {
    words_.pop_front();
    base_ += kWordBits;
  }
  if (live_ == 0) words_.clear();
}

}  // namespace cohort

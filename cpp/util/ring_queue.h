// A double-ended queue over one growing ring buffer. std::deque allocates
// and frees a block every few hundred bytes of traffic as its ends move;
// this one allocates only when it grows past its largest size so far, so a
// steady stream of work through a worker's queue allocates nothing.
#pragma once
#include <cstddef>
#include <utility>
#include <vector>

namespace cohort {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

  void push_back(T v) {
    grow();
    slots_[(head_ + size_) & mask()] = std::move(v);
    ++size_;
  }
  void push_front(T v) {
    grow();
    head_ = (head_ + slots_.size() - 1) & mask();
    slots_[head_] = std::move(v);
    ++size_;
  }
  // Removes and returns the first / last item; the queue must not be empty.
  T pop_front() {
    T v = std::move(slots_[head_]);
    slots_[head_] = T();
    head_ = (head_ + 1) & mask();
    --size_;
    return v;
  }
  T pop_back() {
    const size_t last = (head_ + size_ - 1) & mask();
    T v = std::move(slots_[last]);
    slots_[last] = T();
    --size_;
    return v;
  }

 private:
  size_t mask() const { return slots_.size() - 1; }
  void grow() {
    if (size_ < slots_.size()) return;
    std::vector<T> bigger(slots_.empty() ? 16 : slots_.size() * 2);  // a power of two
    for (size_t i = 0; i < size_; ++i) bigger[i] = std::move(slots_[(head_ + i) & mask()]);
    slots_ = std::move(bigger);
    head_ = 0;
  }

  std::vector<T> slots_;
  size_t head_ = 0;
  size_t size_ = 0;
};

}  // namespace cohort

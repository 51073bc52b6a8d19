// Pooled memory for the objects every task makes: its operation, its
// future, their events and waiters. A steady stream of tasks then reuses
// the blocks the finished ones gave back and asks the heap for nothing.
//
// Blocks come in size classes of 16 bytes up to kMaxPooledBytes (larger
// requests go to the heap). Each thread keeps a short free list per class;
// lists move between threads in batches through one shared list per class,
// so a block made on the issuing thread and freed on a worker (the last
// reference to an event dropped there) costs a lock only once per batch.
//
// The pool is process-wide, the one piece of global mutable state outside
// the runtime: like the heap it stands in for, it must outlive every
// object, including futures the JS side frees after the runtime shut down.
// Its memory is kept for reuse until the process exits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace cohort {

constexpr size_t kMaxPooledBytes = 1024;

void* poolAllocate(size_t bytes);
void poolFree(void* block, size_t bytes) noexcept;

// What the pool holds (for tests and counters).
struct PoolStats {
  uint64_t chunks = 0;     // heap allocations the pool made
  uint64_t bytesHeld = 0;  // bytes in them
};
PoolStats poolStats();

template <typename T>
class PoolAllocator {
 public:
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <typename U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}
  T* allocate(size_t n) { return static_cast<T*>(poolAllocate(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { poolFree(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const PoolAllocator<U>&) const noexcept {
    return false;
  }
};

// A std::vector whose storage comes from the pool (for the small lists
// each task carries, such as its region views).
template <typename T>
using PooledVector = std::vector<T, PoolAllocator<T>>;

// std::make_shared with the object and its count in one pooled block.
template <typename T, typename... Args>
std::shared_ptr<T> makePooled(Args&&... args) {
  return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

}  // namespace cohort

#include "util/block_pool.h"

#include <mutex>
#include <new>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

namespace cohort {

namespace {

// Under AddressSanitizer a free block stays readable only where its
// free-list link is, so a use after free of a pooled object is still reported.
void poisonFree(void* block, size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  ASAN_POISON_MEMORY_REGION(static_cast<char*>(block) + sizeof(void*), size - sizeof(void*));
#else
  (void)block;
  (void)size;
#endif
}
void unpoison(void* block, size_t size) {
#if defined(__SANITIZE_ADDRESS__)
  ASAN_UNPOISON_MEMORY_REGION(block, size);
#else
  (void)block;
  (void)size;
#endif
}

constexpr size_t kGranule = 16;
constexpr size_t kClasses = kMaxPooledBytes / kGranule;
constexpr uint32_t kBatch = 64;  // blocks moved between a thread and the shared list at once

struct FreeBlock {
  FreeBlock* next;
};

struct FreeList {
  FreeBlock* head = nullptr;
  uint32_t count = 0;

  void push(void* p) {
    auto* b = static_cast<FreeBlock*>(p);
    b->next = head;
    head = b;
    ++count;
  }
  void* pop() {
    FreeBlock* b = head;
    head = b->next;
    --count;
    return b;
  }
};

size_t classOf(size_t bytes) { return (bytes + kGranule - 1) / kGranule - 1; }
size_t blockSize(size_t cls) { return (cls + 1) * kGranule; }

// Free blocks in batches of kBatch, per class, and the chunks they came from.
class SharedLists {
 public:
  // A batch for a thread whose list of `cls` ran dry: one given back, or a new chunk.
  FreeList take(size_t cls) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto& batches = batches_[cls];
      if (!batches.empty()) {
        FreeList l = batches.back();
        batches.pop_back();
        return l;
      }
    }
    return carve(cls);
  }
  void give(size_t cls, FreeList batch) {
    std::lock_guard<std::mutex> lock(mutex_);
    batches_[cls].push_back(batch);
  }
  PoolStats stats() {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
  }

 private:
  FreeList carve(size_t cls) {
    const size_t size = blockSize(cls);
    auto chunk = std::make_unique<unsigned char[]>(size * kBatch);
    FreeList l;
    for (uint32_t i = kBatch; i-- > 0;) l.push(chunk.get() + i * size);
    for (FreeBlock* b = l.head; b;) {
      FreeBlock* next = b->next;
      poisonFree(b, size);
      b = next;
    }
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.chunks += 1;
    stats_.bytesHeld += size * kBatch;
    chunks_.push_back(std::move(chunk));
    return l;
  }

  std::mutex mutex_;
  std::vector<FreeList> batches_[kClasses];
  std::vector<std::unique_ptr<unsigned char[]>> chunks_;
  PoolStats stats_;
};

// Never destroyed: blocks may be freed during static destruction.
SharedLists& shared() {
  alignas(SharedLists) static unsigned char storage[sizeof(SharedLists)];
  static SharedLists* lists = new (storage) SharedLists();
  return *lists;
}

// A thread's lists: plain data, valid for the thread's whole life; the
// flusher below hands them back when the thread ends.
struct ThreadLists {
  FreeList lists[kClasses];
  bool flushed = false;
};
thread_local ThreadLists tLists;

void giveBack(size_t cls, FreeList& l) {
  // Whole batches of kBatch, so the shared list hands out only those; the
  // rest stays with the thread.
  while (l.count >= 2 * kBatch) {
    FreeList batch;
    for (uint32_t i = 0; i < kBatch; ++i) batch.push(l.pop());
    shared().give(cls, batch);
  }
}

struct Flusher {
  ~Flusher() {
    for (size_t cls = 0; cls < kClasses; ++cls) {
      FreeList& l = tLists.lists[cls];
      if (l.count) shared().give(cls, l);
      l = FreeList{};
    }
    tLists.flushed = true;
  }
};
thread_local Flusher tFlusher;

}  // namespace

void* poolAllocate(size_t bytes) {
  if (bytes == 0 || bytes > kMaxPooledBytes) return ::operator new(bytes);
  const size_t cls = classOf(bytes);
  const size_t size = blockSize(cls);
  FreeList& l = tLists.lists[cls];
  if (!l.count) {
    (void)&tFlusher;  // the thread's lists now hold blocks: hand them back when it ends
    l = shared().take(cls);
  }
  void* p = l.head;
  unpoison(p, size);
  l.pop();
  return p;
}

void poolFree(void* block, size_t bytes) noexcept {
  if (!block) return;
  if (bytes == 0 || bytes > kMaxPooledBytes) {
    ::operator delete(block);
    return;
  }
  const size_t cls = classOf(bytes);
  const size_t size = blockSize(cls);
  if (tLists.flushed) {
    // The thread is ending (or the process is): straight to the shared list.
    FreeList one;
    one.push(block);
    poisonFree(block, size);
    shared().give(cls, one);
    return;
  }
  FreeList& l = tLists.lists[cls];
  if (!l.count) (void)&tFlusher;  // as in poolAllocate
  l.push(block);
  poisonFree(block, size);
  if (l.count >= 2 * kBatch) giveBack(cls, l);
}

PoolStats poolStats() { return shared().stats(); }

}  // namespace cohort

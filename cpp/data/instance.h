// Physical storage: one row-major, zero-filled array per (region tree, field)
// covering the root region's bounds. Every subregion is a window into it, so
// tasks see typed arrays over this memory without copies. Storage is held by
// std::shared_ptr: a task that is still pending keeps its memory alive after
// the region tree is destroyed.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "data/field_space.h"
#include "data/geometry.h"

namespace cohort {

// Where a rect of points lives inside a FieldStorage, in elements: point p of
// `rect` is element offset + sum_d (p[d] - rect.lo[d]) * strides[d].
struct StorageWindow {
  int dim = 1;
  int64_t offset = 0;                      // element index of rect.lo
  std::array<int64_t, kMaxDim> strides{};  // elements per step in each dim
  std::array<int64_t, kMaxDim> extents{};  // points per dim of the rect
  // Elements from the window's first point to its last one inclusive: the
  // length of a flat typed array that can address the whole window.
  int64_t spanElements = 0;
};

class FieldStorage {
 public:
  FieldStorage(const Rect& bounds, FieldType type);
  FieldStorage(const FieldStorage&) = delete;
  FieldStorage& operator=(const FieldStorage&) = delete;

  const Rect& bounds() const { return bounds_; }
  FieldType type() const { return type_; }
  size_t elementSize() const { return elementSize_; }
  uint64_t elementCount() const { return elementCount_; }
  uint64_t byteSize() const { return elementCount_ * elementSize_; }

  // The zero-filled bytes, allocated on the first call (from any thread).
  // Aligned for every field type (malloc alignment, at least 16 bytes).
  // Throws cohort::Error when the allocation fails.
  void* data();
  bool allocated() const;

  // Row-major strides of the whole storage (last dimension 1).
  std::array<int64_t, kMaxDim> strides() const;
  // The window of `rect`; throws cohort::Error when rect is empty or not
  // inside bounds().
  StorageWindow window(const Rect& rect) const;

 private:
  struct FreeBytes {
    void operator()(void* p) const { std::free(p); }
  };

  Rect bounds_;
  FieldType type_;
  size_t elementSize_;
  uint64_t elementCount_;
  mutable std::once_flag allocateOnce_;
  std::unique_ptr<void, FreeBytes> bytes_;
  std::atomic<bool> allocated_{false};
};

// The window of `rect` inside a row-major array covering `bounds`.
StorageWindow windowIn(const Rect& bounds, const Rect& rect);

// The FieldStorage objects of one region tree, created on first request.
// Thread-safe: worker threads may ask for storage while the issuing thread
// does too.
class TreeStorage {
 public:
  explicit TreeStorage(const Rect& rootBounds) : rootBounds_(rootBounds) {}

  std::shared_ptr<FieldStorage> field(FieldId id, FieldType type);
  // The field's storage if it was made; null otherwise.
  std::shared_ptr<FieldStorage> find(FieldId id);
  // Drops this tree's references; storage still used by someone survives.
  void release();

 private:
  Rect rootBounds_;
  std::mutex mutex_;
  std::unordered_map<FieldId, std::shared_ptr<FieldStorage>> fields_;
};

}  // namespace cohort

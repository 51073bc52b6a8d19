#include "data/instance.h"

#include <limits>

#include "util/error.h"

namespace cohort {

FieldStorage::FieldStorage(const Rect& bounds, FieldType type)
    : bounds_(bounds), type_(type), elementSize_(fieldTypeSize(type)), elementCount_(bounds.volume()) {
  if (elementCount_ > std::numeric_limits<uint64_t>::max() / elementSize_)
    throw Error("field storage for " + bounds.toString() + " is larger than the address space");
}

void* FieldStorage::data() {
  std::call_once(allocateOnce_, [this] {
    // calloc: zero-filled, and large blocks come straight from the kernel as
    // zero pages, so untouched parts of a big region cost nothing.
    const size_t bytes = static_cast<size_t>(byteSize());
    void* p = std::calloc(bytes == 0 ? 1 : bytes, 1);
    if (!p) throw Error("field storage: cannot allocate " + std::to_string(bytes) + " bytes for " + bounds_.toString());
    bytes_.reset(p);
    allocated_.store(true, std::memory_order_release);
  });
  return bytes_.get();
}

bool FieldStorage::allocated() const { return allocated_.load(std::memory_order_acquire); }

std::array<int64_t, kMaxDim> FieldStorage::strides() const { return windowIn(bounds_, bounds_).strides; }

StorageWindow FieldStorage::window(const Rect& rect) const { return windowIn(bounds_, rect); }

StorageWindow windowIn(const Rect& bounds, const Rect& rect) {
  if (rect.dim() != bounds.dim() || rect.empty() || !bounds.contains(rect))
    throw Error("storage window: rect " + rect.toString() + " is empty or not inside the storage bounds " +
                bounds.toString());
  StorageWindow w;
  w.dim = bounds.dim();
  int64_t stride = 1;
  for (int d = w.dim - 1; d >= 0; --d) {
    w.strides[static_cast<size_t>(d)] = stride;
    stride *= bounds.extent(d);
  }
  for (int d = 0; d < w.dim; ++d) {
    const auto i = static_cast<size_t>(d);
    w.offset += (rect.lo[d] - bounds.lo[d]) * w.strides[i];
    w.extents[i] = rect.extent(d);
    w.spanElements += (w.extents[i] - 1) * w.strides[i];
  }
  w.spanElements += 1;
  return w;
}

std::shared_ptr<FieldStorage> TreeStorage::field(FieldId id, FieldType type) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = fields_[id];
  if (!slot) slot = std::make_shared<FieldStorage>(rootBounds_, type);
  if (slot->type() != type)
    throw Error("field storage: field " + std::to_string(id) + " is " + fieldTypeName(slot->type()) + ", not " +
                fieldTypeName(type));
  return slot;
}

std::shared_ptr<FieldStorage> TreeStorage::find(FieldId id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = fields_.find(id);
  return it == fields_.end() ? nullptr : it->second;
}

void TreeStorage::release() {
  std::lock_guard<std::mutex> lock(mutex_);
  fields_.clear();
}

}  // namespace cohort

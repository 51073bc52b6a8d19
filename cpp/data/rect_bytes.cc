#include "data/rect_bytes.h"

#include <cstring>

#include "util/error.h"

namespace cohort {

namespace {
// Calls row(elementOffset, elements) for every row of `rect`, in row-major order.
template <typename F>
void forEachRow(const FieldStorage& storage, const Rect& rect, F&& row) {
  const StorageWindow w = storage.window(rect);
  const int last = w.dim - 1;
  const int64_t rowLength = w.extents[static_cast<size_t>(last)];
  std::array<int64_t, kMaxDim> at{};  // position in the outer dimensions
  while (true) {
    int64_t offset = w.offset;
    for (int d = 0; d < last; ++d) offset += at[static_cast<size_t>(d)] * w.strides[static_cast<size_t>(d)];
    row(offset, rowLength);
    int d = last - 1;
    for (; d >= 0; --d) {
      const auto i = static_cast<size_t>(d);
      if (++at[i] < w.extents[i]) break;
      at[i] = 0;
    }
    if (d < 0) return;
  }
}
}  // namespace

uint64_t rectByteSize(const FieldStorage& storage, const Rect& rect) { return rect.volume() * storage.elementSize(); }

void packRect(FieldStorage& storage, const Rect& rect, std::vector<uint8_t>& out) {
  const size_t element = storage.elementSize();
  const auto* base = static_cast<const uint8_t*>(storage.data());
  size_t at = out.size();
  out.resize(at + static_cast<size_t>(rectByteSize(storage, rect)));
  forEachRow(storage, rect, [&](int64_t offset, int64_t elements) {
    const size_t bytes = static_cast<size_t>(elements) * element;
    std::memcpy(out.data() + at, base + static_cast<size_t>(offset) * element, bytes);
    at += bytes;
  });
}

void unpackRect(FieldStorage& storage, const Rect& rect, const uint8_t* data, size_t size) {
  if (rectByteSize(storage, rect) != size)
    throw Error("region data for " + rect.toString() + " has " + std::to_string(size) + " bytes, expected " +
                std::to_string(rectByteSize(storage, rect)));
  storage.window(rect);  // bounds are checked before anything is written
  const size_t element = storage.elementSize();
  auto* base = static_cast<uint8_t*>(storage.data());
  size_t at = 0;
  forEachRow(storage, rect, [&](int64_t offset, int64_t elements) {
    const size_t bytes = static_cast<size_t>(elements) * element;
    std::memcpy(base + static_cast<size_t>(offset) * element, data + at, bytes);
    at += bytes;
  });
}

}  // namespace cohort

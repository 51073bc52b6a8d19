// The bytes of one rect of one field, row-major, as they travel between
// ranks: packRect appends them, unpackRect writes them back. A rect inside
// the storage's bounds is a set of contiguous rows (the last dimension), so
// both move one row at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "data/geometry.h"
#include "data/instance.h"

namespace cohort {

// Bytes of `rect` in `storage`: its volume times the element size.
uint64_t rectByteSize(const FieldStorage& storage, const Rect& rect);

// Appends the elements of `rect` to `out`. Throws cohort::Error when rect is
// not inside the storage's bounds.
void packRect(FieldStorage& storage, const Rect& rect, std::vector<uint8_t>& out);

// Writes `size` bytes (exactly rectByteSize) into `rect`. Throws
// cohort::Error on a size or bounds mismatch, before writing anything.
void unpackRect(FieldStorage& storage, const Rect& rect, const uint8_t* data, size_t size);

}  // namespace cohort

// Walks the rows of a rect inside a field view: the last dimension is
// contiguous, the others step by the view's strides. Used wherever the
// runtime itself touches region data (fill, checking mode).
#pragma once
#include <cstdint>

#include "cohort/cohort.h"

namespace cohort {

// Calls row(first element of the row, elements in the row) for every row of
// [lo, hi] (a rect inside the view's bounds), in row-major order.
template <typename T, typename Row>
void forEachRow(const cohort_field_view& v, const int64_t lo[3], const int64_t hi[3], Row&& row) {
  T* base = static_cast<T*>(v.base);
  if (!base || v.dim < 1) return;
  int last = v.dim - 1;
  int64_t length = hi[last] - lo[last] + 1;
  if (length <= 0) return;
  int64_t n0 = v.dim >= 2 ? hi[0] - lo[0] + 1 : 1;
  int64_t n1 = v.dim == 3 ? hi[1] - lo[1] + 1 : 1;
  for (int64_t i = 0; i < n0; ++i) {
    for (int64_t j = 0; j < n1; ++j) {
      int64_t off = 0;
      for (int d = 0; d < v.dim; ++d) {
        int64_t c = d == last ? lo[d] : (d == 0 ? lo[0] + i : lo[1] + j);
        off += (c - v.lo[d]) * v.strides[d];
      }
      row(base + off, length);
    }
  }
}

}  // namespace cohort

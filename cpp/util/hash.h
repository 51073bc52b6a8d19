// FNV-1a 64-bit: content hashes of libraries and call-stream hashes. Not
// cryptographic; chosen for being simple and stable across ranks.
#pragma once
#include <cstddef>
#include <cstdint>

namespace cohort {

class Fnv1a {
 public:
  void add(const void* data, size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 1099511628211ull;
    }
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 14695981039346656037ull;
};

}  // namespace cohort

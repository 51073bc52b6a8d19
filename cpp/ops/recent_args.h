// The argument buffers of the last few launches, so a stream of launches
// with the same arguments (the common case: none, or the same constants)
// shares one immutable buffer instead of allocating one per task. Issue
// thread only.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace cohort {

class RecentArgs {
 public:
  // A buffer holding bytes [data, data + n): a recent one if equal, else new.
  std::shared_ptr<const std::vector<uint8_t>> intern(const uint8_t* data, size_t n) {
    if (n <= kMaxShared) {
      for (const auto& r : recent_)
        if (r && r->size() == n && (n == 0 || std::memcmp(r->data(), data, n) == 0)) return r;
    }
    auto fresh = std::make_shared<const std::vector<uint8_t>>(data, data + n);
    if (n <= kMaxShared) recent_[next_++ % recent_.size()] = fresh;
    return fresh;
  }
  std::shared_ptr<const std::vector<uint8_t>> intern(const std::vector<uint8_t>& bytes) {
    return intern(bytes.data(), bytes.size());
  }

 private:
  // Longer arguments are rarely repeated; comparing them would cost more
  // than the allocation it saves.
  static constexpr size_t kMaxShared = 256;
  std::array<std::shared_ptr<const std::vector<uint8_t>>, 4> recent_;
  size_t next_ = 0;
};

}  // namespace cohort

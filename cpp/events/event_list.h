// A short list of events kept inline: a task's preconditions (the points it
// overlaps in the previous step, its futures' producers, the last fence)
// are a handful, and a vector for them would be one allocation per task.
// Longer lists spill into a vector.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "events/event.h"

namespace cohort {

class EventList {
 public:
  static constexpr size_t kInline = 6;

  EventList() = default;
  EventList(EventList&& o) noexcept : inline_(std::move(o.inline_)), count_(o.count_), more_(std::move(o.more_)) {
    o.count_ = 0;
    o.more_.clear();
  }
  EventList& operator=(EventList&& o) noexcept {
    inline_ = std::move(o.inline_);
    count_ = o.count_;
    more_ = std::move(o.more_);
    o.count_ = 0;
    o.more_.clear();
    return *this;
  }
  EventList(const EventList&) = default;
  EventList& operator=(const EventList&) = default;

  size_t size() const { return count_ + more_.size(); }
  bool empty() const { return size() == 0; }
  void push_back(Event e) {
    if (count_ < kInline)
      inline_[count_++] = std::move(e);
    else
      more_.push_back(std::move(e));
  }
  // Empties it; the spill vector keeps its storage.
  void clear() {
    for (uint8_t i = 0; i < count_; ++i) inline_[i] = Event();
    count_ = 0;
    more_.clear();
  }
  template <typename F>
  void forEach(F&& f) const {
    for (uint8_t i = 0; i < count_; ++i) f(inline_[i]);
    for (const Event& e : more_) f(e);
  }

 private:
  std::array<Event, kInline> inline_;
  uint8_t count_ = 0;
  std::vector<Event> more_;
};

}  // namespace cohort

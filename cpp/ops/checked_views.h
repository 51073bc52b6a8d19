// Checking mode's view of a task's regions. A task sees its fields through
// zero-copy views over windows of the whole storage: a 2-D or 3-D view's
// rows lie among other tasks' elements, and an index one column past the
// piece lands on a neighbour's element. A view cannot stop such a write.
// In checking mode each checkable field is instead seen through a private
// copy of its window, taken with the task's locks held; when the body ends
// the copy is compared with what it started from. A change outside the
// region's exact rects, or anywhere in a read-only field, fails the task
// that made it (not whichever task happened to look next), and only the
// region's own elements are written back.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ops/task_op.h"

namespace cohort {

class CheckedViews {
 public:
  explicit CheckedViews(const TaskRegionArgs& regions);

  // The task's regions, their views pointing into the private copies.
  const TaskRegionArgs& regions() const { return regions_; }

  // Checking mode with nesting: a subtask's views of data in this task's
  // copies are pointed into them (its region lies in this task's, by the
  // privilege rule), so parent and children share one instance, as in
  // Legion; the parent's copy goes back to the storage when it finishes.
  void rebase(TaskRegionArg& child) const;

  // After the body (locks still held): writes back the region's own
  // elements of every writable field and returns the first violation, or
  // "" when there is none. `task` names the task in the message.
  std::string finish(const std::string& task);

 private:
  // One private copy per storage the task touches: requirements of one task
  // may overlap (the same field through two requirements) and must see each
  // other's writes, as they would in the storage.
  struct Member {
    size_t requirement = 0;
    size_t field = 0;
    int64_t at = 0;  // where the view starts in the copy (elements)
  };
  struct Shadow {
    const void* storageKey = nullptr;
    std::vector<Member> members;
    std::shared_ptr<std::vector<uint8_t>> copy;  // what the task's views point into
    std::vector<uint8_t> before;                 // the window as the task started
    uint8_t* storage = nullptr;                  // the window's first element in the real storage
    uint64_t offset = 0;                         // ... as an element offset in the storage
    size_t elementSize = 0;
    int64_t span = 0;  // elements in the window
  };
  std::string pointOf(const Shadow& s, int64_t element) const;

  TaskRegionArgs regions_;
  std::vector<Shadow> shadows_;
};

}  // namespace cohort

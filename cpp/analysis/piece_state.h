// The access history of one piece of one field: just enough earlier users
// that a new user finds everything it must wait for, directly or through a
// chain of waits.
//
// Exclusive users form a chain of groups. A group is a run of users that do
// not conflict with each other: readers, or reducers with one redop, or a
// single writer. Consecutive groups always conflict, so every member of a
// group waits for every (live) member of the group before it, and through
// them for everything earlier. Hence the state keeps only two groups:
//   current  - the newest group;
//   previous - the group before it (what a user joining `current` waits for).
// A user that cannot join `current` waits for `current` and starts a new
// group; an exclusive writer empties everything (all later users will wait
// for it, and it waited for all earlier ones).
//
// Atomic and simultaneous users do not fit the chain (they may be unordered
// with users that are ordered with each other), so they sit in `relaxed`,
// which every new user scans, until an exclusive writer clears it.
//
// Users whose operation completed are dropped when met; a completed user's
// predecessors completed before it, so nothing is lost.
#pragma once
#include <cstdint>
#include <vector>

#include "analysis/live_ops.h"
#include "analysis/plan.h"
#include "analysis/privilege.h"

namespace cohort {

// An earlier access as the persistent state remembers it: which point of
// which operation, so a later point waits only for the points whose data it
// overlaps. When many points of one operation share a piece with the same
// access, their records collapse into one for the whole operation (the
// later user waits for all of them anyway), so a piece's lists stay short.
struct User {
  OpId op = 0;
  uint32_t point = 0;  // index in the operation's launch, or kWholeOperation
  Access access;
};

inline bool operator==(const User& a, const User& b) {
  return a.op == b.op && a.point == b.point && a.access == b.access;
}

// An access of the operation being analyzed, for checking its own points
// and requirements against each other.
struct PointUser {
  uint32_t point = 0;        // point index within the operation
  uint32_t requirement = 0;  // requirement index within the point
  Access access;
};

inline bool operator==(const PointUser& a, const PointUser& b) {
  return a.point == b.point && a.requirement == b.requirement && a.access == b.access;
}

class PieceState {
 public:
  // Appends to `waitsFor` every live earlier user `next` must wait for
  // (duplicates possible; never next.op). Drops completed users it meets.
  // Returns the number of user records examined.
  uint64_t collectPredecessors(const User& next, const LiveOps& live, std::vector<PointRef>& waitsFor);

  // Makes `next` the newest user of this piece.
  void record(const User& next, const LiveOps& live);

  size_t userCount() const { return previous_.size() + current_.size() + relaxed_.size(); }

  // Equal histories (used to merge neighbouring pieces).
  bool operator==(const PieceState& o) const {
    return current_ == o.current_ && previous_ == o.previous_ && relaxed_ == o.relaxed_;
  }

 private:
  bool joinsCurrent(const User& next) const;

  std::vector<User> previous_;
  std::vector<User> current_;
  std::vector<User> relaxed_;
  // Lists that only grow by appends are compacted (completed users dropped)
  // when they reach these sizes, which then double: amortized O(1).
  uint32_t currentCompactAt_ = 16;
  uint32_t relaxedCompactAt_ = 16;
};

// Per-piece record used to check the points of ONE operation against each
// other: one representative user per distinct access. Conflicts depend only
// on the access, so one representative finds any conflict there is.
class LaunchPieceState {
 public:
  // A recorded user whose access conflicts with next's (must be ordered),
  // or nullptr.
  const PointUser* conflictWith(const PointUser& next) const;
  void record(const PointUser& next);
  bool operator==(const LaunchPieceState& o) const { return representatives_ == o.representatives_; }

 private:
  std::vector<PointUser> representatives_;
};

}  // namespace cohort

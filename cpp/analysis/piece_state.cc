#include "analysis/piece_state.h"

#include <algorithm>

namespace cohort {

namespace {

bool isExclusive(const User& u) { return u.access.coherence == Coherence::Exclusive; }

// Examines every user of `list` against `next`: appends the ones `next`
// must wait for, and drops the completed ones. Returns users examined.
uint64_t scan(std::vector<User>& list, const User& next, const LiveOps& live, std::vector<PointRef>& waitsFor) {
  size_t kept = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const User& earlier = list[i];
    if (!live.contains(earlier.op)) continue;
    if (earlier.op != next.op && mustWait(earlier.access, next.access))
      waitsFor.push_back(PointRef{earlier.op, earlier.point});
    if (kept != i) list[kept] = earlier;
    ++kept;
  }
  const uint64_t examined = list.size();
  list.resize(kept);
  return examined;
}

// The records of one operation's points on one piece beyond this many
// become one record for the whole operation.
constexpr size_t kPointsPerPiece = 4;

bool sameOpAndAccess(const User& a, const User& b) { return a.op == b.op && a.access == b.access; }

void appendCompacting(std::vector<User>& list, uint32_t& compactAt, const User& next, const LiveOps& live) {
  // An operation's points are recorded one after another, so its records on
  // this piece are the list's tail: the same point again (another
  // requirement), or the whole operation already, adds nothing.
  if (!list.empty() && sameOpAndAccess(list.back(), next) &&
      (list.back().point == next.point || list.back().point == kWholeOperation))
    return;
  size_t run = 0;
  while (run < list.size() && sameOpAndAccess(list[list.size() - 1 - run], next)) ++run;
  if (run >= kPointsPerPiece) {
    list.resize(list.size() - run);
    list.push_back(User{next.op, kWholeOperation, next.access});
    return;
  }
  if (list.size() >= compactAt) {
    list.erase(std::remove_if(list.begin(), list.end(), [&](const User& u) { return !live.contains(u.op); }),
               list.end());
    compactAt = static_cast<uint32_t>(std::max<size_t>(16, 2 * list.size()));
  }
  list.push_back(next);
}

}  // namespace

bool PieceState::joinsCurrent(const User& next) const {
  if (!isExclusive(next) || current_.empty()) return false;
  const Access& group = current_.front().access;
  if (isReadOnly(group)) return isReadOnly(next.access);
  if (isReduce(group)) return isReduce(next.access) && next.access.redop == group.redop;
  return false;  // a writer never shares its group
}

uint64_t PieceState::collectPredecessors(const User& next, const LiveOps& live, std::vector<PointRef>& waitsFor) {
  uint64_t examined = 0;
  if (!isExclusive(next)) {
    // Unordered with at most one group kind, so waiting on both groups
    // covers the chain (the two newest groups are of different kinds).
    examined += scan(current_, next, live, waitsFor);
    examined += scan(previous_, next, live, waitsFor);
  } else if (joinsCurrent(next)) {
    examined += scan(previous_, next, live, waitsFor);
  } else {
    examined += scan(current_, next, live, waitsFor);
    // Only reachable when every member of current completed; then its
    // predecessors did too, but scanning keeps the rule local and safe.
    if (current_.empty()) examined += scan(previous_, next, live, waitsFor);
  }
  examined += scan(relaxed_, next, live, waitsFor);
  return examined;
}

void PieceState::record(const User& next, const LiveOps& live) {
  if (!isExclusive(next)) {
    appendCompacting(relaxed_, relaxedCompactAt_, next, live);
    return;
  }
  if (joinsCurrent(next)) {
    appendCompacting(current_, currentCompactAt_, next, live);
    return;
  }
  if (isWrite(next.access)) {
    previous_.clear();
    relaxed_.clear();
  } else if (!current_.empty()) {
    previous_ = std::move(current_);
  }
  current_.clear();
  current_.push_back(next);
  currentCompactAt_ = 16;
}

const PointUser* LaunchPieceState::conflictWith(const PointUser& next) const {
  for (const PointUser& u : representatives_)
    if (mustWait(u.access, next.access)) return &u;
  return nullptr;
}

void LaunchPieceState::record(const PointUser& next) {
  for (const PointUser& u : representatives_)
    if (u.access == next.access) return;
  representatives_.push_back(next);
}

}  // namespace cohort

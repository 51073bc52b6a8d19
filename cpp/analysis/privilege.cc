#include "analysis/privilege.h"

#include "util/error.h"

namespace cohort {

bool operator==(const Access& a, const Access& b) {
  return a.privilege == b.privilege && a.redop == b.redop && a.coherence == b.coherence;
}

Dependence dependenceBetween(const Access& earlier, const Access& later) {
  if (isReadOnly(earlier) && isReadOnly(later)) return Dependence::None;
  if (isReduce(earlier) && isReduce(later) && earlier.redop == later.redop) return Dependence::Commutative;
  // From here on the two accesses interfere on the data.
  if (earlier.coherence == Coherence::Exclusive || later.coherence == Coherence::Exclusive) return Dependence::Ordered;
  if (earlier.coherence == Coherence::Simultaneous || later.coherence == Coherence::Simultaneous)
    return Dependence::None;
  return Dependence::MutualExclusion;
}

bool needsExclusion(const Access& access) { return access.coherence == Coherence::Atomic || isReduce(access); }

void validateAccess(const Access& access) {
  if (isReduce(access) && access.redop == kNoRedop) throw Error("a reduce privilege needs a reduction operator id");
  if (!isReduce(access) && access.redop != kNoRedop)
    throw Error(std::string("a ") + privilegeName(access.privilege) + " privilege cannot carry reduction operator " +
                std::to_string(access.redop));
}

const char* privilegeName(Privilege p) {
  switch (p) {
    case Privilege::ReadOnly: return "read-only";
    case Privilege::ReadWrite: return "read-write";
    case Privilege::WriteDiscard: return "write-discard";
    case Privilege::Reduce: return "reduce";
  }
  return "unknown-privilege";
}

const char* coherenceName(Coherence c) {
  switch (c) {
    case Coherence::Exclusive: return "exclusive";
    case Coherence::Atomic: return "atomic";
    case Coherence::Simultaneous: return "simultaneous";
  }
  return "unknown-coherence";
}

const char* dependenceName(Dependence d) {
  switch (d) {
    case Dependence::None: return "none";
    case Dependence::Ordered: return "ordered";
    case Dependence::MutualExclusion: return "mutual-exclusion";
    case Dependence::Commutative: return "commutative";
  }
  return "unknown-dependence";
}

static std::string redopName(RedopId id) {
  switch (id) {
    case kRedopSum: return "sum";
    case kRedopProduct: return "product";
    case kRedopMin: return "min";
    case kRedopMax: return "max";
    default: return "#" + std::to_string(id);
  }
}

std::string describeAccess(const Access& access) {
  std::string s = privilegeName(access.privilege);
  if (isReduce(access)) s += "(" + redopName(access.redop) + ")";
  if (access.coherence != Coherence::Exclusive) s += std::string(" ") + coherenceName(access.coherence);
  return s;
}

}  // namespace cohort

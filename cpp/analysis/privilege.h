// Privileges, coherence and the table that says how two accesses to the same
// elements of the same field must be ordered. The rules follow Legion's
// (reference/legion-api.md §2.3), restated here for cohort's three coherence
// modes:
//   1. read / read                          -> None
//   2. reduce / reduce with the same redop  -> Commutative
//   3. otherwise, either side Exclusive     -> Ordered
//   4. otherwise, either side Simultaneous  -> None
//   5. otherwise (atomic / atomic)          -> MutualExclusion
// "Otherwise" means at least one side writes, or a reduction meets a read or
// a different reduction.
#pragma once
#include <cstdint>
#include <string>

namespace cohort {

enum class Privilege : uint8_t { ReadOnly, ReadWrite, WriteDiscard, Reduce };
enum class Coherence : uint8_t { Exclusive, Atomic, Simultaneous };

using RedopId = uint32_t;
constexpr RedopId kNoRedop = 0;
constexpr RedopId kRedopSum = 1;
constexpr RedopId kRedopProduct = 2;
constexpr RedopId kRedopMin = 3;
constexpr RedopId kRedopMax = 4;
constexpr RedopId kFirstCustomRedop = 5;  // ids handed out by registration

struct Access {
  Privilege privilege = Privilege::ReadOnly;
  RedopId redop = kNoRedop;  // non-zero exactly when privilege is Reduce
  Coherence coherence = Coherence::Exclusive;
};

bool operator==(const Access& a, const Access& b);
inline bool operator!=(const Access& a, const Access& b) { return !(a == b); }

inline bool isReadOnly(const Access& a) { return a.privilege == Privilege::ReadOnly; }
inline bool isReduce(const Access& a) { return a.privilege == Privilege::Reduce; }
inline bool isWrite(const Access& a) {
  return a.privilege == Privilege::ReadWrite || a.privilege == Privilege::WriteDiscard;
}

// What a later access must do about an earlier one on the same elements.
enum class Dependence : uint8_t {
  None,             // any order, concurrently
  Ordered,          // the later access waits until the earlier completes
  MutualExclusion,  // any order, but never at the same time (atomic/atomic)
  Commutative,      // same-redop reductions: any order; each op applies its
                    // contribution atomically (lock or private buffer)
};

Dependence dependenceBetween(const Access& earlier, const Access& later);
inline bool mustWait(const Access& earlier, const Access& later) {
  return dependenceBetween(earlier, later) == Dependence::Ordered;
}

// True for accesses the executor must serialize against concurrent
// accesses of the same field even though they are not ordered: every atomic
// access, and every reduction (two unordered reductions may hit the same
// elements). Decided from the access alone, so both sides of an unordered
// pair agree without seeing each other.
bool needsExclusion(const Access& access);

// Throws cohort::Error unless redop is set exactly for Reduce.
void validateAccess(const Access& access);

const char* privilegeName(Privilege p);  // "read-only", "read-write", ...
const char* coherenceName(Coherence c);  // "exclusive", "atomic", ...
const char* dependenceName(Dependence d);
// "read-write", "reduce(sum)", "reduce(#7) atomic", ...
std::string describeAccess(const Access& access);

}  // namespace cohort

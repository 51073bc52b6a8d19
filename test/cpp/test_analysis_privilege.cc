// The privilege / coherence table, case by case.
#include "analysis/privilege.h"
#include "check.h"
#include "util/error.h"

using namespace cohort;

namespace {

Access ro(Coherence c = Coherence::Exclusive) { return {Privilege::ReadOnly, kNoRedop, c}; }
Access rw(Coherence c = Coherence::Exclusive) { return {Privilege::ReadWrite, kNoRedop, c}; }
Access wd(Coherence c = Coherence::Exclusive) { return {Privilege::WriteDiscard, kNoRedop, c}; }
Access red(RedopId op, Coherence c = Coherence::Exclusive) { return {Privilege::Reduce, op, c}; }

}  // namespace

TEST("two reads never depend, whatever the coherence") {
  CHECK(dependenceBetween(ro(), ro()) == Dependence::None);
  CHECK(dependenceBetween(ro(Coherence::Atomic), ro()) == Dependence::None);
  CHECK(dependenceBetween(ro(Coherence::Simultaneous), ro(Coherence::Atomic)) == Dependence::None);
}

TEST("a read after a write waits (read after write)") {
  CHECK(dependenceBetween(rw(), ro()) == Dependence::Ordered);
  CHECK(dependenceBetween(wd(), ro()) == Dependence::Ordered);
}

TEST("a write after a read waits (write after read)") {
  CHECK(dependenceBetween(ro(), rw()) == Dependence::Ordered);
  CHECK(dependenceBetween(ro(), wd()) == Dependence::Ordered);
}

TEST("a write after a write waits (write after write), discard included") {
  CHECK(dependenceBetween(rw(), rw()) == Dependence::Ordered);
  CHECK(dependenceBetween(rw(), wd()) == Dependence::Ordered);
  CHECK(dependenceBetween(wd(), wd()) == Dependence::Ordered);
}

TEST("reductions with the same operator commute") {
  CHECK(dependenceBetween(red(kRedopSum), red(kRedopSum)) == Dependence::Commutative);
  CHECK(dependenceBetween(red(kRedopMax, Coherence::Atomic), red(kRedopMax)) == Dependence::Commutative);
  CHECK(!mustWait(red(kRedopSum), red(kRedopSum)));
}

TEST("reductions with different operators are ordered") {
  CHECK(dependenceBetween(red(kRedopSum), red(kRedopProduct)) == Dependence::Ordered);
  CHECK(dependenceBetween(red(kRedopMin), red(kRedopMax)) == Dependence::Ordered);
  CHECK(dependenceBetween(red(kFirstCustomRedop), red(kRedopSum)) == Dependence::Ordered);
}

TEST("a reduction and a read or write are ordered both ways") {
  CHECK(dependenceBetween(red(kRedopSum), ro()) == Dependence::Ordered);
  CHECK(dependenceBetween(ro(), red(kRedopSum)) == Dependence::Ordered);
  CHECK(dependenceBetween(red(kRedopSum), rw()) == Dependence::Ordered);
  CHECK(dependenceBetween(wd(), red(kRedopSum)) == Dependence::Ordered);
}

TEST("exclusive on either side of a conflict orders it") {
  CHECK(dependenceBetween(rw(Coherence::Atomic), ro()) == Dependence::Ordered);
  CHECK(dependenceBetween(ro(), rw(Coherence::Simultaneous)) == Dependence::Ordered);
  CHECK(dependenceBetween(rw(), rw(Coherence::Atomic)) == Dependence::Ordered);
}

TEST("simultaneous coherence removes the ordering of non-exclusive pairs") {
  CHECK(dependenceBetween(rw(Coherence::Simultaneous), rw(Coherence::Simultaneous)) == Dependence::None);
  CHECK(dependenceBetween(rw(Coherence::Atomic), ro(Coherence::Simultaneous)) == Dependence::None);
  CHECK(dependenceBetween(red(kRedopSum, Coherence::Simultaneous), rw(Coherence::Atomic)) == Dependence::None);
}

TEST("atomic against atomic needs mutual exclusion but no order") {
  CHECK(dependenceBetween(rw(Coherence::Atomic), rw(Coherence::Atomic)) == Dependence::MutualExclusion);
  CHECK(dependenceBetween(ro(Coherence::Atomic), wd(Coherence::Atomic)) == Dependence::MutualExclusion);
  CHECK(dependenceBetween(red(kRedopSum, Coherence::Atomic), red(kRedopMin, Coherence::Atomic)) ==
        Dependence::MutualExclusion);
  CHECK(!mustWait(rw(Coherence::Atomic), rw(Coherence::Atomic)));
}

TEST("atomic accesses and all reductions ask the executor for exclusion") {
  CHECK(needsExclusion(ro(Coherence::Atomic)));
  CHECK(needsExclusion(red(kRedopSum)));
  CHECK(!needsExclusion(rw()));
  CHECK(!needsExclusion(ro(Coherence::Simultaneous)));
}

TEST("a reduce privilege needs an operator and nothing else may carry one") {
  CHECK_THROWS(validateAccess(Access{Privilege::Reduce, kNoRedop, Coherence::Exclusive}));
  CHECK_THROWS(validateAccess(Access{Privilege::ReadOnly, kRedopSum, Coherence::Exclusive}));
  validateAccess(red(kRedopSum));
  validateAccess(rw());
}

TEST("accesses describe themselves for error messages") {
  CHECK(describeAccess(rw()) == "read-write");
  CHECK(describeAccess(red(kRedopSum)) == "reduce(sum)");
  CHECK(describeAccess(red(9, Coherence::Atomic)) == "reduce(#9) atomic");
}

TEST_MAIN("analysis privilege")

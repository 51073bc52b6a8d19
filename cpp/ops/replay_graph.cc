#include "ops/replay_graph.h"

#include <algorithm>
#include <utility>

#include "ops/sdk_api.h"
#include "util/fatal_signals.h"

namespace cohort {

// Finished iterations' slot arrays, handed to the next iterations. Taken
// on the issuing thread, given back wherever an iteration is destroyed.
class ReplayGraph::SlotStore {
 public:
  using Slots = std::unique_ptr<GraphIteration::Slot[]>;
  Slots take(size_t count) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        Slots s = std::move(free_.back());
        free_.pop_back();
        return s;
      }
    }
    return Slots(new GraphIteration::Slot[count]);
  }
  void give(Slots s) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(s));
  }

 private:
  std::mutex mutex_;
  std::vector<Slots> free_;  // every array has the graph's node count
};

ReplayGraph::ReplayGraph() : slots(std::make_shared<SlotStore>()) {}

void ReplayGraph::addEdge(uint32_t from, uint32_t to, uint32_t back) {
  std::vector<uint32_t>& out = back == 0 ? nodes[from].thisIteration : nodes[from].nextIteration;
  if (std::find(out.begin(), out.end(), to) != out.end()) return;  // one edge per pair
  out.push_back(to);
  ++(back == 0 ? nodes[to].sameIterationDeps : nodes[to].previousIterationDeps);
}

GraphIteration::GraphIteration(TaskServices& services, ReplayGraphPtr graph, FenceEpochPtr epoch)
    : services_(services),
      graph_(std::move(graph)),
      epoch_(std::move(epoch)),
      slots_(graph_->slots->take(graph_->nodes.size())),
      count_(graph_->nodes.size()),
      remaining_(static_cast<uint32_t>(graph_->nodes.size())) {
  epoch_->join();
  for (size_t n = 0; n < count_; ++n) {
    Slot& slot = slots_[n];
    slot.iteration_ = this;
    slot.node_ = &graph_->nodes[n];
    slot.index_ = static_cast<uint32_t>(n);
    slot.processor_ = 0;
    slot.handoff_.store(0, std::memory_order_relaxed);
    slot.predecessorFailed_.store(false, std::memory_order_relaxed);
    slot.failure_.reset();
  }
}

GraphIteration::~GraphIteration() { graph_->slots->give(std::move(slots_)); }

namespace {
// Counts a node down once an event it waits for fires.
class EventCountDown final : public EventWaiter {
 public:
  EventCountDown(std::shared_ptr<GraphIteration> iteration, uint32_t node)
      : iteration_(std::move(iteration)), node_(node) {}
  void eventFired(const FailurePtr& failure) override { iteration_->countDown(node_, failure); }

 private:
  std::shared_ptr<GraphIteration> iteration_;  // alive until the event fires
  uint32_t node_;
};
}  // namespace

void GraphIteration::arm(const std::shared_ptr<GraphIteration>& previous, std::vector<EventList>& waits) {
  const size_t n = count_;
  // One extra count per node while arming, so none starts before all its
  // counts are in.
  for (size_t i = 0; i < n; ++i) {
    const ReplayGraph::Node& node = graph_->nodes[i];
    slots_[i].pending_.store(
        static_cast<int32_t>(node.sameIterationDeps + (previous ? node.previousIterationDeps : 0) + 1),
        std::memory_order_relaxed);
  }
  if (previous) {
    previous->next_ = shared_from_this();  // read only after a hand-off below
    for (size_t m = 0; m < n; ++m) {
      Slot& before = previous->slots_[m];
      if (before.node_->nextIteration.empty()) continue;
      if (before.handoff_.exchange(1, std::memory_order_acq_rel) == 0) continue;  // it counts us down itself
      for (uint32_t s : before.node_->nextIteration) countDown(s, before.failure_);
    }
  }
  for (size_t i = 0; i < n && i < waits.size(); ++i) {
    waits[i].forEach([&](const Event& e) {
      if (!e.exists()) return;
      if (e.hasFired()) {
        if (e.isPoisoned()) notePredecessorFailure(static_cast<uint32_t>(i), e.failure());
        return;
      }
      slots_[i].pending_.fetch_add(1, std::memory_order_relaxed);  // still held by the arming count
      e.subscribe(makePooled<EventCountDown>(shared_from_this(), static_cast<uint32_t>(i)));
    });
  }
  for (size_t i = 0; i < n; ++i) countDown(static_cast<uint32_t>(i), nullptr);
}

void GraphIteration::notePredecessorFailure(uint32_t node, const FailurePtr& failure) {
  {
    std::lock_guard<std::mutex> lock(failureMutex_);
    if (predecessorFailures_.empty()) predecessorFailures_.resize(count_);
    if (!predecessorFailures_[node]) predecessorFailures_[node] = failure;
  }
  slots_[node].predecessorFailed_.store(true, std::memory_order_release);
}

void GraphIteration::countDown(uint32_t node, const FailurePtr& failure) {
  if (failure) notePredecessorFailure(node, failure);
  Slot& slot = slots_[node];
  if (slot.pending_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
  const ReplayGraph::Node& n = *slot.node_;
  services_.dispatch(ProcessorTaskPtr(shared_from_this(), &slot), ProcessorKind::Cpu, n.worker, n.priority);
}

void GraphIteration::Slot::run(ProcessorId proc) { iteration_->runNode(*this, proc); }

const std::vector<FuturePtr>& GraphIteration::Slot::futures() const {
  static const std::vector<FuturePtr> kNone;  // immutable: graph nodes take no futures
  return kNone;
}

const TaskRegionArgs& GraphIteration::Slot::regions() const {
  static const TaskRegionArgs kNone;  // immutable
  return node_->regions ? *node_->regions : kNone;
}

void GraphIteration::runNode(Slot& slot, ProcessorId proc) {
  slot.processor_ = proc;
  const ReplayGraph::Node& node = *slot.node_;
  FailurePtr failure;
  if (slot.predecessorFailed_.load(std::memory_order_acquire)) {
    FailurePtr pred;
    {
      std::lock_guard<std::mutex> lock(failureMutex_);
      pred = predecessorFailures_[slot.index_];
    }
    failure = dependentFailure(node.name, pred);  // named as an op's would be
  } else {
    SdkTaskContext ctx(slot);
    callCppBody(*node.task, ctx, {node.task->name.c_str(), nullptr, 0, proc});
    if (ctx.failed()) failure = makeFailure(ctx.failureMessage(), "", node.name);
  }
  finishNode(slot, std::move(failure));
  services_.cpuTaskEnded();  // last
}

void GraphIteration::finishNode(Slot& slot, FailurePtr failure) {
  const ReplayGraph::Node& node = *slot.node_;
  if (failure) {
    std::lock_guard<std::mutex> lock(failureMutex_);
    if (!firstFailure_) firstFailure_ = failure;
  }
  slot.failure_ = failure;  // before the hand-off, which publishes it to the next arming
  for (uint32_t s : node.thisIteration) countDown(s, failure);
  if (!node.nextIteration.empty() && slot.handoff_.exchange(1, std::memory_order_acq_rel) == 1) {
    GraphIteration& next = *next_;  // the next iteration was armed first: it left us its successors
    for (uint32_t s : node.nextIteration) next.countDown(s, failure);
  }
  services_.operationCompleted(0);
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) complete();
}

void GraphIteration::complete() {
  FailurePtr failure;
  {
    std::lock_guard<std::mutex> lock(failureMutex_);
    failure = firstFailure_;
  }
  if (failure)
    done_.poison(std::move(failure));
  else
    done_.trigger();
  std::exchange(epoch_, nullptr)->arrive();  // after done: a fence implies it
}

}  // namespace cohort

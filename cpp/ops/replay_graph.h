// Steady trace iterations without an op per point. Once a trace's plan is
// steady (ops/trace.h), each iteration is the same graph: point i of launch
// q waits for fixed points of this iteration and of the previous one. When
// every point is a C++ task on this rank that needs no futures, no results
// read by the body, no exclusion locks and no checking mode, a steady
// iteration is a GraphIteration: one readiness count per point, armed by
// the issuing thread, counted down by the workers that finish the points
// it waits for, with no TaskOp, future or event per point (one event per
// iteration says it is done). Everything else replays through the executor.
//
// Between iterations: point m of iteration r has successors in r + 1. When
// r + 1 is armed, m may have finished or not; each such m has a hand-off
// flag that exactly one of the two sides sets first (an exchange): if m
// finishes first, the arming counts down m's successors on its behalf;
// otherwise m does it when it finishes, through r's link to r + 1.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/event_list.h"
#include "ops/fence_epoch.h"
#include "ops/task_op.h"
#include "ops/task_services.h"
#include "procs/processor.h"
#include "registry/task_registry.h"
#include "util/block_pool.h"
#include "util/failure.h"

namespace cohort {

class TaskServices;

class GraphIteration;

// The points of one steady iteration and the edges between them (made once
// per steady plan).
struct ReplayGraph {
  class SlotStore;  // the per-point state of finished iterations, for reuse
  struct Node {
    const TaskInfo* task = nullptr;
    SharedBytes args;
    TaskPoint point;
    SharedRegions regions;  // bound once, shared by every iteration
    int worker = -1;        // the mapper's worker, or -1
    int priority = 0;
    uint32_t sameIterationDeps = 0;       // edges into it from this iteration
    uint32_t previousIterationDeps = 0;   // ... and from the previous one
    std::vector<uint32_t> thisIteration;  // its successors in the same iteration
    std::vector<uint32_t> nextIteration;  // ... and in the next one
    std::string name;                     // for failures: "task 'x' (replayed trace, launch q, point p)"
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> firstNode;   // [launch]: the node of its point 0
  std::shared_ptr<SlotStore> slots;  // shared by the graph's iterations (see GraphIteration)

  ReplayGraph();

  // Adds an edge from node `from` to node `to`, `back` iterations later (0 or 1).
  void addEdge(uint32_t from, uint32_t to, uint32_t back);
};
using ReplayGraphPtr = std::shared_ptr<const ReplayGraph>;

class GraphIteration : public std::enable_shared_from_this<GraphIteration> {
 public:
  // Joins `epoch` for the whole iteration (arrives once it is done) and
  // counts its points as outstanding.
  GraphIteration(TaskServices& services, ReplayGraphPtr graph, FenceEpochPtr epoch);
  ~GraphIteration();  // gives its slots back to the graph's store
  GraphIteration(const GraphIteration&) = delete;
  GraphIteration& operator=(const GraphIteration&) = delete;

  // Arms the iteration: each node waits for its predecessors in this
  // iteration, in `previous` (the iteration before, or null), and for
  // `waits[node]` (events: for the first iteration of a run, the previous
  // iteration's points; the run's outside dependences and fence). Nodes
  // whose waits are all met are dispatched before it returns.
  void arm(const std::shared_ptr<GraphIteration>& previous, std::vector<EventList>& waits);

  // Fires (poisoned with the first failure) when every point has finished.
  const Event& done() const { return done_; }

  // One of the node's counts is met (with the failure of what it waited
  // for, if that failed); the last one dispatches it.
  void countDown(uint32_t node, const FailurePtr& failure);

 private:
  // A node's state in this iteration; dispatched as itself.
  friend struct ReplayGraph;
  class Slot final : public ProcessorTask, public RunningTaskView {
   public:
    Slot() = default;
    void run(ProcessorId proc) override;
    uint64_t taskId() const override { return 0; }
    bool tryAcquireLocks() override { return true; }
    void markRunning(ProcessorId proc) override { processor_ = proc; }
    // RunningTaskView.
    const std::string& taskName() const override { return node_->task->name; }
    ProcessorId processor() const override { return processor_; }
    const std::vector<uint8_t>& args() const override { return *node_->args; }
    const std::vector<FuturePtr>& futures() const override;
    const TaskPoint& point() const override { return node_->point; }
    const TaskRegionArgs& regions() const override;

   private:
    friend class GraphIteration;
    GraphIteration* iteration_ = nullptr;
    const ReplayGraph::Node* node_ = nullptr;
    uint32_t index_ = 0;
    ProcessorId processor_ = 0;
    std::atomic<int32_t> pending_{0};
    std::atomic<uint8_t> handoff_{0};  // see the file comment
    std::atomic<bool> predecessorFailed_{false};
    FailurePtr failure_;  // its own, written before the hand-off
  };

  void notePredecessorFailure(uint32_t node, const FailurePtr& failure);
  void runNode(Slot& slot, ProcessorId proc);
  void finishNode(Slot& slot, FailurePtr failure);
  void complete();

  TaskServices& services_;
  ReplayGraphPtr graph_;
  FenceEpochPtr epoch_;
  // One per node, taken from the graph's store (a steady replay reuses the
  // arrays of iterations that finished: no allocation per iteration).
  std::unique_ptr<Slot[]> slots_;
  size_t count_;
  std::shared_ptr<GraphIteration> next_;  // set by the next iteration's arming, read after a hand-off
  std::atomic<uint32_t> remaining_;
  Event done_ = Event::create();
  std::mutex failureMutex_;
  FailurePtr firstFailure_;                      // guarded by failureMutex_
  std::vector<FailurePtr> predecessorFailures_;  // [node], guarded by failureMutex_ (empty until one fails)
};

using GraphIterationPtr = std::shared_ptr<GraphIteration>;

}  // namespace cohort

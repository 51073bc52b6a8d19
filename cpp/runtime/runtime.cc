#include "runtime/runtime.h"

#include <thread>

#include "ops/builtin_tasks.h"
#include "ops/sdk_api.h"
#include "transport/wire_plugin.h"
#include "util/error.h"
#include "util/fatal_signals.h"

namespace cohort {

namespace {
unsigned defaultWorkers() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

// The runtime singleton slot: the one piece of process-global state.
struct InstanceSlot {
  std::mutex mutex;
  std::weak_ptr<Runtime> runtime;
};
InstanceSlot& slot() {
  static InstanceSlot s;
  return s;
}
}  // namespace

Runtime::Runtime(const RuntimeOptions& options)
    : checks_(options.checks),
      workers_(options.workers ? options.workers : defaultWorkers()),
      jsProcessor_(workers_.size()),
      topContext_(std::make_shared<AnalysisContext>(forest_, 0)),
      libraries_(&sdkApi()),
      planner_(machine_, mappers_, sharding_, workers_.size()),
      executor_(*this, machine_.localRank) {
  installFatalSignalHandlers();  // once per process: a crashing C++ task is named
  const Processor* processors[] = {&workers_, &jsProcessor_};
  for (const Processor* p : processors)
    for (unsigned i = 0; i < p->size(); ++i) machine_.processors.push_back({p->firstId() + i, p->kind(), 0});
  fillTask_ = tasks_.registerCpp(kFillTaskName, &fillTaskBody, nullptr, VariantProps{true, false, false});
  inlineMapTask_ = tasks_.registerJs(kInlineMapTaskName, VariantProps{true, false, false});
  tasks_.markInternal(fillTask_);
  tasks_.markInternal(inlineMapTask_);
  // Started by an MPI launcher with more than one rank: the transport. Its
  // thread initializes MPI; this rank's number is known once that is done.
  const LauncherInfo launcher = detectLauncher();
  if (launcher.present && launcher.size > 1) {
    std::string path;
    const cohort_wire* wire = loadWirePlugin(launcher, options.pluginDirs, path);
    ranks_ = std::make_unique<RankService>(*this, std::make_unique<Transport>(wire));
    machine_.localRank = ranks_->rank();
    for (ProcessorInfo& p : machine_.processors) p.rank = ranks_->rank();
    executor_.setRank(ranks_->rank());
    // Ranks on one node that need more threads than it has cores: a
    // spinning worker would take the core another rank's JS or
    // communication thread needs to hand it work (a remote round trip
    // measured 1 ms on 2 cores with two ranks spinning). Spin ~1/20 as long.
    const unsigned localRanks = launcher.localSize ? launcher.localSize : launcher.size;
    if (localRanks * (workers_.size() + 2) > defaultWorkers())
      workers_.setSpinRounds(WorkerPool::kDefaultSpinRounds / 20);
  }
}

void Runtime::extendMachine(const std::vector<uint32_t>& workersPerRank) {
  // Rank 0's own processors keep their ids; the others follow, rank by rank.
  ProcessorId next = static_cast<ProcessorId>(machine_.processors.size());
  for (uint32_t r = 1; r < workersPerRank.size(); ++r) {
    for (uint32_t w = 0; w < workersPerRank[r]; ++w) machine_.processors.push_back({next++, ProcessorKind::Cpu, r});
    machine_.processors.push_back({next++, ProcessorKind::Js, r});
  }
  machine_.ranks = static_cast<uint32_t>(workersPerRank.size());
}

void Runtime::adoptMachineOfAllRanks(const std::vector<uint32_t>& workersPerRank) {
  Machine all = machineOfAllRanks();
  all.ranks = static_cast<uint32_t>(workersPerRank.size());
  machine_ = std::move(all);
}

void Runtime::enterMain(bool replicated) {
  if (!ranks_) return;
  ranks_->enterMain(replicated);
  planner_.setReplicated(replicated);
}

Machine Runtime::machineOfAllRanks() const {
  if (!ranks_ || ranks_->rank() == 0 || ranks_->workersPerRank().empty()) return machine_;
  Machine m;
  m.ranks = ranks_->ranks();
  m.localRank = ranks_->rank();
  ProcessorId next = 0;
  const auto& workers = ranks_->workersPerRank();
  for (uint32_t r = 0; r < workers.size(); ++r) {
    for (uint32_t w = 0; w < workers[r]; ++w) m.processors.push_back({next++, ProcessorKind::Cpu, r});
    m.processors.push_back({next++, ProcessorKind::Js, r});
  }
  return m;
}

ProcessorId Runtime::firstProcessorOf(uint32_t rank) const {
  for (const ProcessorInfo& p : machine_.processors)
    if (p.rank == rank) return p.id;
  throw Error("the machine has no processors on rank " + std::to_string(rank));
}

void Runtime::dispatchRemote(std::shared_ptr<TaskOp> task) {
  if (!ranks_) throw Error("internal: a task was placed on another rank without a transport");
  ranks_->sendTask(task);
}

bool Runtime::tracksRegionCopies() const {
  // Replicated, every shard keeps the same record (runtime/shard_exchange.h).
  return ranks_ && ranks_->ranks() > 1 && (ranks_->rank() == 0 || ranks_->replicated());
}

void Runtime::fetchRegions(std::shared_ptr<TaskOp> task) {
  if (!ranks_) throw Error("internal: a task reads region data of other ranks without a transport");
  ranks_->fetchRegions(task);
}

const AnalysisContextPtr& Runtime::context(OpId parent) {
  if (parent == 0) return topContext_;
  auto it = taskContexts_.find(parent);
  if (it == taskContexts_.end()) {
    if (!jsProcessor_.running(parent))
      throw Error("launch from task op #" + std::to_string(parent) +
                  ", which is not running: launch subtasks only from inside the task body");
    it = taskContexts_
             .emplace(parent, std::make_shared<AnalysisContext>(forest_, parent, runningJsTask(parent)->opName()))
             .first;
  }
  return it->second;
}

Runtime::~Runtime() {
  workers_.shutdown();
  drainRetired();  // the retired list holds its ops
}

std::shared_ptr<Runtime> Runtime::start(const RuntimeOptions& options, bool workersRequested) {
  InstanceSlot& s = slot();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (auto rt = s.runtime.lock()) {
    if (!rt->isShutDown()) {
      if (workersRequested && options.workers != rt->workerCount())
        throw Error("Runtime.start: a runtime is already running with " + std::to_string(rt->workerCount()) +
                    " workers; cannot start another with " + std::to_string(options.workers) +
                    " (call shutdown() first)");
      return rt;
    }
  }
  if (workersRequested && options.workers == 0) throw Error("Runtime.start: workers must be a positive integer");
  auto rt = std::make_shared<Runtime>(options);
  s.runtime = rt;
  return rt;
}

void Runtime::checkRunning(const char* what) const {
  if (shutDown_)
    throw Error(std::string(what) +
                " after shutdown: the runtime has been shut down; start a new one with Runtime.start()");
}

std::shared_ptr<Library> Runtime::loadLibrary(const std::string& path) {
  checkRunning("loadLibrary");
  return libraries_.load(path, tasks_, reductions_);
}

void Runtime::start(const TaskOpPtr& op) {
  if (op->counted()) operationStarted();
  unfinished_.add(op);
  op->launch();
}

void Runtime::dispatch(ProcessorTaskPtr task, ProcessorKind kind, int local, int priority) {
  if (kind == ProcessorKind::Js) {
    jsProcessor_.enqueue(std::move(task), local, priority);
    return;
  }
  activeCpp_.fetch_add(1, std::memory_order_seq_cst);  // before it can end
  workers_.enqueue(std::move(task), local, priority);
}

void Runtime::cpuTaskEnded() {
  // Dropping to zero: wake the JS thread so the binding can let the event
  // loop end if nothing else will post to it.
  if (activeCpp_.fetch_sub(1, std::memory_order_seq_cst) == 1) jsProcessor_.wake();
}

void Runtime::retire(TaskOpPtr op) {
  TaskOp* raw = op.get();
  TaskOp::RetiredHook& hook = raw->retiredHook();
  hook.self = std::move(op);  // the list's reference, until drained
  TaskOp* head = retiredHead_.load(std::memory_order_relaxed);
  do {
    hook.next = head;
  } while (!retiredHead_.compare_exchange_weak(head, raw, std::memory_order_release, std::memory_order_relaxed));
}

void Runtime::drainRetired() {
  if (!retiredHead_.load(std::memory_order_relaxed)) return;
  TaskOp* op = retiredHead_.exchange(nullptr, std::memory_order_acquire);
  while (op) {
    TaskOp* next = op->retiredHook().next;
    unfinished_.remove(*op);
    TaskOpPtr last = std::move(op->retiredHook().self);  // destroyed here, on the thread that made it
    op = next;
  }
}

const TaskOp* Runtime::runningJsTask(OpId id) const { return dynamic_cast<const TaskOp*>(jsProcessor_.running(id)); }

TaskOpPtr Runtime::endJsTask(OpId id) {
  ProcessorTaskPtr task = jsProcessor_.end(id);
  if (!task) return nullptr;
  // Its children have settled (the facade waited): their context goes.
  if (taskContexts_.erase(id)) exclusionLocks_.dropContext(id);
  return std::dynamic_pointer_cast<TaskOp>(std::move(task));
}

void Runtime::shutdown() {
  if (shutDown_) return;
  shutDown_ = true;
  if (ranks_) ranks_->finish();  // every rank drains, meets at a barrier and finalizes MPI
  workers_.shutdown();
  drainRetired();
}

}  // namespace cohort

#include "ops/trace.h"

#include <algorithm>
#include <utility>

#include "cohort/value.hpp"
#include "ops/executor.h"
#include "ops/issuer.h"
#include "ops/region_args.h"
#include "util/error.h"

namespace cohort {

namespace {
constexpr size_t kFirstCompaction = 64;

std::vector<uint8_t> undefinedValue() { return {static_cast<uint8_t>(ValueTag::Undefined)}; }

// A recorded point's views, bound the first time a replay needs them and
// shared by every incarnation after (null without requirements).
const SharedRegions& boundViews(Runtime& rt, TracedPoint& tp) {
  if (!tp.regions.empty() && !tp.bound) {
    TaskRegionArgs args;
    args.reserve(tp.regions.size());
    for (const auto& req : tp.regions) args.push_back(bindRegion(rt.forest(), req));
    tp.bound = std::make_shared<const TaskRegionArgs>(std::move(args));
  }
  return tp.bound;
}
}  // namespace

// The state of one deferred run (see trace.h), shared with the waiters of
// its iterations, which may fire after the run left the queue.
struct Trace::DeferredRun {
  AnalysisContextPtr ctx;
  uint32_t remaining = 0;
  uint64_t nextBase = 0;                         // the first position of the next iteration (reserved at the replay)
  Iteration previous;                            // the iteration before the next one to issue
  Iteration next;                                // the one being issued (storage reused)
  std::vector<Event> iterationDone;              // its launches' completions (storage reused)
  std::vector<std::vector<EventList>> external;  // [launch][point]
  Event fence;
  FenceEpochPtr epoch;                      // the context's epoch at the replay: later fences wait for the run
  std::vector<Event> placeholders;          // [launch]: every incarnation done
  std::vector<std::vector<Event>> pending;  // [launch]: incarnations not seen fired
  std::vector<size_t> compactAt;
  std::vector<FailurePtr> failures;  // [launch]: the first failure seen
  // The window: iterations issued and not yet complete.
  std::mutex mutex;
  uint32_t inFlight = 0;
  uint32_t resumeAt = 0;
  FuturePtr resume;  // resolved when inFlight drops to resumeAt
  // Graph iterations (issueGraph): the newest one, and the events each node
  // waits for (storage reused).
  GraphIterationPtr graphPrevious;
  std::vector<EventList> graphWaits;
};

TracedFuture Trace::sourceOf(const FuturePtr& f) const {
  auto it = produced_.find(f.get());
  if (it != produced_.end()) return it->second.second;
  TracedFuture fixed;
  fixed.fixed = f;
  return fixed;
}

void Trace::record(TracedLaunch launch, OpId key, Event done, const std::vector<FuturePtr>& results) {
  const auto position = static_cast<uint32_t>(body_.size());
  std::vector<TracedFuture> sources;
  sources.reserve(launch.futures.size());
  for (const auto& f : launch.futures) {
    TracedFuture s = sourceOf(f);
    if (s.kind == TracedFuture::Kind::Launch) resultsRead_[s.position] = true;
    sources.push_back(std::move(s));
  }
  launch.futures.clear();  // the fixed ones live on in `sources`
  for (size_t i = 0; i < results.size(); ++i) {
    TracedFuture s;
    s.kind = TracedFuture::Kind::Launch;
    s.position = position;
    s.point = static_cast<uint32_t>(i);
    produced_[results[i].get()] = {results[i], s};
  }
  body_.push_back(std::move(launch));
  sources_.push_back(std::move(sources));
  resultsRead_.push_back(false);
  newest_.push_back(Incarnation{key, std::move(done), {}, {}});
  lastAnalyzed_ = newest_;
}

void Trace::recordReduction(const std::vector<FuturePtr>& inputs, RedopId redop, const std::string& label,
                            const FuturePtr& out) {
  TracedReduction r{{}, redop, label};
  bool derived = false;
  for (const auto& f : inputs) {
    r.inputs.push_back(sourceOf(f));
    derived = derived || r.inputs.back().kind != TracedFuture::Kind::Fixed;
  }
  if (!derived) return;  // made only of futures from before the trace: the same every time
  for (const auto& s : r.inputs)
    if (s.kind == TracedFuture::Kind::Launch) resultsRead_[s.position] = true;
  TracedFuture s;
  s.kind = TracedFuture::Kind::Reduction;
  s.position = static_cast<uint32_t>(reductions_.size());
  reductions_.push_back(std::move(r));
  produced_[out.get()] = {out, s};
}

FuturePtr Trace::resolve(const TracedFuture& f, const Iteration& cur, std::vector<FuturePtr>& reduced) const {
  switch (f.kind) {
    case TracedFuture::Kind::Fixed: return f.fixed;
    case TracedFuture::Kind::Launch: return cur[f.position].results[f.point];
    case TracedFuture::Kind::Reduction: break;
  }
  FuturePtr& slot = reduced[f.position];
  if (!slot) {
    const TracedReduction& r = reductions_[f.position];
    std::vector<FuturePtr> inputs;
    inputs.reserve(r.inputs.size());
    for (const auto& in : r.inputs) inputs.push_back(resolve(in, cur, reduced));
    slot = reduceFutures(inputs, r.redop, r.label);
  }
  return slot;
}

std::vector<FuturePtr> Trace::futuresFor(size_t q, const Iteration& cur, std::vector<FuturePtr>& reduced) const {
  std::vector<FuturePtr> out;
  out.reserve(sources_[q].size());
  for (const auto& s : sources_[q]) out.push_back(resolve(s, cur, reduced));
  return out;
}

Trace::Incarnation Trace::incarnation(size_t q, OpId key, LaunchOutcome& out) const {
  Incarnation inc;
  fillIncarnation(q, key, out, inc);
  return inc;
}

void Trace::fillIncarnation(size_t q, OpId key, const LaunchOutcome& out, Incarnation& inc) const {
  // Copied into the incarnation's lists, which keep their storage from the
  // iteration before last (steady iterations reuse two).
  inc.key = key;
  inc.done = out.done;
  inc.points.assign(out.completions.begin(), out.completions.end());
  if (resultsRead_[q])
    inc.results.assign(out.results.begin(), out.results.end());
  else
    inc.results.clear();
}

std::vector<PlanEntry> Trace::entriesFor(size_t q, uint64_t key) const {
  const TracedLaunch& L = body_[q];
  std::vector<PlanEntry> entries(L.points.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    PlanEntry& e = entries[i];
    e.kind = L.index ? EntryKind::IndexPoint : EntryKind::Task;
    e.task = L.points[i].task;
    e.op = key;
    e.pointIndex = static_cast<uint32_t>(i);
    e.where = L.points[i].description.where;
  }
  return entries;
}

uint64_t Trace::offsetOf(size_t q) const {
  uint64_t offset = 0;
  for (size_t r = 0; r < q; ++r) offset += body_[r].index ? 1 + body_[r].points.size() : 1;
  return offset;
}

uint64_t Trace::positionsPerIteration() const { return offsetOf(body_.size()); }

Trace::Dep Trace::translate(const PointRef& ref, bool& external) const {
  external = false;
  for (size_t q = 0; q < lastAnalyzed_.size(); ++q)
    if (lastAnalyzed_[q].key == ref.op) return Dep{static_cast<uint32_t>(q), 1, ref.point};
  external = true;
  return Dep{0, 0, 0};
}

Trace::Iteration Trace::issueAnalyzed(Runtime& rt, const AnalysisContextPtr& ctxPtr, IterationPlan& plan) {
  AnalysisContext& ctx = *ctxPtr;
  Iteration cur(body_.size());
  std::vector<FuturePtr> reduced(reductions_.size());
  plan.assign(body_.size(), {});
  for (size_t q = 0; q < body_.size(); ++q) {
    const TracedLaunch& L = body_[q];
    const OpId key = ctx.reservePositions(L.index ? 1 + L.points.size() : 1);
    std::vector<PlanEntry> entries = entriesFor(q, key);
    bool analyzed = false;
    for (const auto& p : L.points) analyzed = analyzed || !p.regions.empty();
    if (analyzed) {
      std::vector<PointRequirements> prs;
      prs.reserve(L.points.size());
      for (const auto& p : L.points) {
        PointRequirements pr;
        pr.point = L.index ? Point::filled(p.point.dim, 0) : Point(0);
        for (int d = 0; d < p.point.dim; ++d) pr.point[d] = p.point.point[d];
        pr.requirements = p.regions;
        prs.push_back(std::move(pr));
      }
      std::vector<PlanEntry> analysis = L.index ? ctx.analyzer().analyzeIndexLaunch(key, prs, "replayed trace launch")
                                                : std::vector<PlanEntry>{ctx.analyzer().analyzeOperation(
                                                      key, prs[0].requirements, "replayed trace launch")};
      for (size_t i = 0; i < entries.size(); ++i) adoptAnalysis(entries[i], std::move(analysis[i]));
    }
    plan[q].resize(L.points.size());
    LaunchWork work;
    work.futures = futuresFor(q, cur, reduced);
    work.recordLive = analyzed;
    work.needDone = true;
    work.points.resize(L.points.size());
    for (size_t i = 0; i < L.points.size(); ++i) {
      const TracedPoint& tp = L.points[i];
      PointWork& pw = work.points[i];
      pw.task = tp.task;
      pw.args = tp.args;
      pw.point = tp.point;
      pw.requirements = &tp.regions;
      if (!analyzed) continue;
      const PlanEntry& e = entries[i];
      PointPlan& pp = plan[q][i];
      for (const PointRef& ref : e.waitsForPoints) {
        // Ops of this very iteration issued earlier count as back 0.
        bool sameIteration = false;
        for (size_t r = 0; r < q; ++r)
          if (cur[r].key == ref.op) {
            pp.deps.push_back(Dep{static_cast<uint32_t>(r), 0, ref.point});
            sameIteration = true;
          }
        if (sameIteration) continue;
        bool external = false;
        Dep d = translate(ref, external);
        if (external)
          pp.external.push_back(ref);
        else
          pp.deps.push_back(d);
      }
      pp.exclusion = e.exclusionKeys;
    }
    LaunchOutcome out = rt.executor().execute(ctxPtr, key, entries, std::move(work));
    cur[q] = incarnation(q, key, out);
  }
  return cur;
}

void Trace::issueSteady(Runtime& rt, DeferredRun& run, uint64_t base, Iteration& cur) {
  const bool logging = rt.planLog().enabled();
  cur.resize(body_.size());
  std::vector<FuturePtr> reduced(reductions_.size());
  for (size_t q = 0; q < body_.size(); ++q) {
    TracedLaunch& L = body_[q];
    const uint64_t key = base + offsetOf(q);
    // The steady entries are the same every iteration but for their
    // position: made once, re-keyed here (copied only to be logged).
    if (steadyEntries_.size() != body_.size()) steadyEntries_.resize(body_.size());
    std::vector<PlanEntry>& cached = steadyEntries_[q];
    if (cached.empty()) {
      cached = entriesFor(q, 0);
      for (size_t i = 0; i < cached.size(); ++i)
        if (!L.points[i].regions.empty()) cached[i].exclusionKeys = steadyPlan_[q][i].exclusion;
    }
    for (PlanEntry& e : cached) e.op = key;
    std::vector<PlanEntry> logged;
    if (logging) logged = cached;
    LaunchWork& work = steadyWork_;
    work.reset();
    work.futures = futuresFor(q, cur, reduced);
    work.resolveWaits = false;
    work.needDone = true;
    work.epoch = run.epoch;
    work.fence = run.fence;
    work.points.resize(L.points.size());
    for (size_t i = 0; i < L.points.size(); ++i) {
      TracedPoint& tp = L.points[i];
      const PointPlan& pp = steadyPlan_[q][i];
      PointWork& pw = work.points[i];
      pw.task = tp.task;
      pw.args = tp.args;
      pw.point = tp.point;
      // Preconditions: the deps' events, what the run waits for outside,
      // and the fence (added by the executor).
      for (const Dep& d : pp.deps)
        pw.waits.push_back((d.back == 0 ? cur : run.previous)[d.position].completionOf(d.point));
      run.external[q][i].forEach([&](const Event& ev) { pw.waits.push_back(ev); });
      if (logging) {  // the waits by name, for the plan log only
        PlanEntry& e = logged[i];
        for (const Dep& d : pp.deps)
          e.waitsForPoints.push_back(PointRef{(d.back == 0 ? cur : run.previous)[d.position].key, d.point});
        e.waitsForPoints.insert(e.waitsForPoints.end(), pp.external.begin(), pp.external.end());
        std::sort(e.waitsForPoints.begin(), e.waitsForPoints.end());
      }
      pw.bound = boundViews(rt, tp);
    }
    rt.executor().execute(run.ctx, key, logging ? logged : cached, std::move(work), steadyOutcome_);
    fillIncarnation(q, key, steadyOutcome_, cur[q]);
  }
}

std::shared_ptr<Trace::DeferredRun> Trace::deferSteady(Runtime& rt, const AnalysisContextPtr& ctxPtr, uint32_t count) {
  AnalysisContext& ctx = *ctxPtr;
  auto run = std::make_shared<DeferredRun>();
  const size_t n = body_.size();
  run->ctx = ctxPtr;
  run->remaining = count;
  // Names now, in program order, however late the iterations are issued.
  run->nextBase = ctx.reservePositions(positionsPerIteration() * count);
  run->previous = newest_;
  // What the run waits for outside the trace is fixed now, in program order.
  run->external.resize(n);
  for (size_t q = 0; q < n; ++q) {
    run->external[q].resize(steadyPlan_[q].size());
    for (size_t i = 0; i < steadyPlan_[q].size(); ++i)
      ctx.appendEvents(steadyPlan_[q][i].external, run->external[q][i]);
  }
  run->fence = ctx.fence();
  run->epoch = ctx.epoch();
  run->epoch->join();  // held until the run is fully issued
  run->placeholders.resize(n);
  run->pending.resize(n);
  run->compactAt.assign(n, kFirstCompaction);
  run->failures.resize(n);
  // Before a run the newest iteration is the last analyzed one: its ids are
  // the analyzer's names for the body. Each now stands for all of its
  // launch's incarnations up to the end of the run.
  for (size_t q = 0; q < n; ++q) {
    run->placeholders[q] = Event::create();
    run->pending[q].reserve(kFirstCompaction);  // grows no more while the window bounds what is unfinished
    run->pending[q].push_back(newest_[q].done);
    if (ctx.remapLive(lastAnalyzed_[q].key, run->placeholders[q]))
      reportCompletion(ctxPtr, lastAnalyzed_[q].key, run->placeholders[q]);
    if (rt.planLog().enabled()) {
      std::vector<OpId> incarnations;
      for (uint32_t k = 0; k < count; ++k)
        incarnations.push_back(run->nextBase + k * positionsPerIteration() + offsetOf(q));
      ctx.addAlias(lastAnalyzed_[q].key, incarnations);
    }
  }
  rt.operationStarted();  // the run keeps the runtime busy until it is issued
  return run;
}

bool Trace::continueDeferred(Runtime& rt, uint64_t windowLimit, FuturePtr& resume) {
  resume.reset();
  size_t tasksPerIteration = 0;
  for (const auto& L : body_) tasksPerIteration += L.points.size();
  const uint64_t maxInFlight =
      windowLimit == 0 ? UINT64_MAX : std::max<uint64_t>(2, windowLimit / std::max<size_t>(1, tasksPerIteration));
  while (!deferred_.empty()) {
    std::shared_ptr<DeferredRun> run = deferred_.front();
    while (run->remaining > 0) {
      {
        std::lock_guard<std::mutex> lock(run->mutex);
        if (run->inFlight >= maxInFlight) {
          run->resumeAt = static_cast<uint32_t>(maxInFlight / 2);
          run->resume = makePooled<FutureImpl>("replay window");  // short: no heap label
          resume = run->resume;
          return true;
        }
        ++run->inFlight;
      }
      rt.drainRetired();
      Iteration& cur = run->next;
      if (!graphChecked_) {
        graph_ = graphOf(rt);
        graphChecked_ = true;
      }
      if (graph_ && !rt.planLog().enabled()) {
        issueGraph(rt, *run, run->nextBase, cur);
        ++graphIterations_;
      } else {
        issueSteady(rt, *run, run->nextBase, cur);
      }
      run->nextBase += positionsPerIteration();
      ++replayed_;
      --run->remaining;
      std::vector<Event>& all = run->iterationDone;
      all.clear();
      for (size_t q = 0; q < cur.size(); ++q) {
        all.push_back(cur[q].done);
        notePending(*run, q, cur[q].done);
      }
      std::weak_ptr<DeferredRun> weak = run;
      Event::merge(all).subscribe(makeWaiter([weak](const FailurePtr&) {
        auto r = weak.lock();
        if (!r) return;
        FuturePtr wake;
        {
          std::lock_guard<std::mutex> lock(r->mutex);
          --r->inFlight;
          if (r->resume && r->inFlight <= r->resumeAt) wake = std::move(r->resume);
        }
        if (wake) wake->resolve(undefinedValue());
      }));
      std::swap(run->previous, run->next);  // the old previous's lists are reused next
    }
    finishDeferred(rt, *run);
    deferred_.pop_front();
  }
  return false;
}

ReplayGraphPtr Trace::graphOf(Runtime& rt) {
  if (rt.checksEnabled() || rt.ranks() || !reductions_.empty()) return nullptr;
  auto g = std::make_shared<ReplayGraph>();
  for (size_t q = 0; q < body_.size(); ++q) {
    if (!sources_[q].empty() || resultsRead_[q]) return nullptr;
    g->firstNode.push_back(static_cast<uint32_t>(g->nodes.size()));
    TracedLaunch& L = body_[q];
    for (size_t i = 0; i < L.points.size(); ++i) {
      TracedPoint& tp = L.points[i];
      const Location& where = tp.description.where;
      const TaskInfo& info = rt.tasks().get(tp.task);
      if (where.variant != VariantKind::Cpp || !info.cpp || where.rank != 0 || !steadyPlan_[q][i].exclusion.empty())
        return nullptr;
      ReplayGraph::Node node;
      node.task = &info;
      node.args = tp.args;
      node.point = tp.point;
      node.regions = boundViews(rt, tp);
      node.worker = where.processor;
      node.priority = where.priority;
      node.name = "task '" + info.name + "' (replayed trace, launch " + std::to_string(q) +
                  (L.index ? ", point " + std::to_string(i) : std::string()) + ")";
      g->nodes.push_back(std::move(node));
    }
  }
  for (size_t q = 0; q < body_.size(); ++q) {
    for (size_t i = 0; i < body_[q].points.size(); ++i) {
      const auto to = static_cast<uint32_t>(g->firstNode[q] + i);
      for (const Dep& d : steadyPlan_[q][i].deps) {
        if (d.position >= body_.size() || d.back > 1) return nullptr;
        const uint32_t first = g->firstNode[d.position];
        const auto count = static_cast<uint32_t>(body_[d.position].points.size());
        if (d.point == kWholeOperation) {
          for (uint32_t p = 0; p < count; ++p) g->addEdge(first + p, to, d.back);
        } else if (d.point < count) {
          g->addEdge(first + d.point, to, d.back);
        } else {
          return nullptr;
        }
      }
    }
  }
  return g;
}

void Trace::issueGraph(Runtime& rt, DeferredRun& run, uint64_t base, Iteration& cur) {
  const ReplayGraph& g = *graph_;
  const size_t nodes = g.nodes.size();
  auto it = makePooled<GraphIteration>(rt, graph_, run.epoch);
  rt.operationsStarted(nodes);  // before any can finish
  std::vector<EventList>& waits = run.graphWaits;
  waits.resize(nodes);
  for (auto& w : waits) w.clear();
  for (size_t q = 0; q < body_.size(); ++q) {
    for (size_t i = 0; i < body_[q].points.size(); ++i) {
      EventList& w = waits[g.firstNode[q] + i];
      // The first graph iteration of a run waits for the iteration before
      // it (issued with ops) through its events; later ones by counts.
      if (!run.graphPrevious)
        for (const Dep& d : steadyPlan_[q][i].deps)
          if (d.back == 1) w.push_back(run.previous[d.position].completionOf(d.point));
      run.external[q][i].forEach([&](const Event& ev) { w.push_back(ev); });
      if (run.fence.exists()) w.push_back(run.fence);
    }
  }
  it->arm(run.graphPrevious, waits);
  run.graphPrevious = it;
  cur.resize(body_.size());
  for (size_t q = 0; q < body_.size(); ++q) {
    Incarnation& inc = cur[q];
    inc.key = base + offsetOf(q);
    inc.done = it->done();
    inc.points.clear();  // completionOf() is then the iteration's done
    inc.results.clear();
  }
}

void Trace::notePending(DeferredRun& run, size_t q, const Event& done) {
  std::vector<Event>& list = run.pending[q];
  list.push_back(done);
  if (list.size() < run.compactAt[q]) return;
  // Drop what already fired (keeping the first failure): a long run holds
  // only its unfinished incarnations.
  size_t kept = 0;
  for (auto& e : list) {
    if (e.hasFired()) {
      if (e.isPoisoned() && !run.failures[q]) run.failures[q] = e.failure();
      continue;
    }
    list[kept++] = std::move(e);
  }
  list.resize(kept);
  run.compactAt[q] = std::max(kFirstCompaction, 2 * kept);
}

void Trace::finishDeferred(Runtime& rt, DeferredRun& run) {
  for (size_t q = 0; q < run.placeholders.size(); ++q) {
    Event placeholder = run.placeholders[q];
    FailurePtr earlier = run.failures[q];
    Event::merge(run.pending[q]).subscribe(makeWaiter([placeholder, earlier](const FailurePtr& f) {
      if (f || earlier)
        placeholder.poison(f ? f : earlier);
      else
        placeholder.trigger();
    }));
    run.pending[q].clear();
  }
  run.previous.clear();
  run.next.clear();
  run.ctx.reset();
  std::exchange(run.epoch, nullptr)->arrive();
  rt.operationCompleted(0);
}

FuturePtr Trace::replay(Runtime& rt, const AnalysisContextPtr& ctxPtr, uint32_t times, uint64_t windowLimit) {
  AnalysisContext& ctx = *ctxPtr;
  if (body_.empty()) throw Error("trace.replay: the traced body launched nothing");
  rt.drainRetired();
  ctx.absorbCompletions(rt.planLog().enabled());
  for (const auto& inc : lastAnalyzed_) ctx.pin(inc.key);
  std::vector<Event> finals;
  uint32_t it = 0;
  // Work issued since the last replay may be what this one waits for: the
  // first iteration is always analyzed, and the steady plan is used only if
  // that iteration's plan is still the same.
  bool analyzedThisReplay = false;
  while (it < times) {
    // Steady iterations are issued later than program order, which the
    // record of region copies between ranks needs: there, every iteration
    // is analyzed (see ARCHITECTURE.md, "Many ranks").
    if (steady_ && analyzedThisReplay && it + 1 < times && !rt.tracksRegionCopies()) {
      // Every iteration but the last comes from the steady plan, later.
      const uint32_t count = times - 1 - it;
      auto run = deferSteady(rt, ctxPtr, count);
      finals.insert(finals.end(), run->placeholders.begin(), run->placeholders.end());
      deferred_.push_back(std::move(run));
      it += count;
      continue;
    }
    IterationPlan plan;
    Iteration cur = issueAnalyzed(rt, ctxPtr, plan);
    if (!steady_ && analyzed_ >= 1 && plan == lastPlan_) {
      steady_ = true;
      steadyPlan_ = plan;
      steadyEntries_.clear();
      graph_.reset();
      graphChecked_ = false;
    } else if (steady_ && !(plan == steadyPlan_)) {
      steady_ = false;  // the body's dependences changed: analyze again
    }
    lastPlan_ = std::move(plan);
    ++analyzed_;
    analyzedThisReplay = true;
    for (const auto& inc : lastAnalyzed_) ctx.unpin(inc.key);
    lastAnalyzed_ = cur;
    for (const auto& inc : lastAnalyzed_) ctx.pin(inc.key);
    newest_ = std::move(cur);
    ++it;
  }
  for (const auto& inc : newest_) finals.push_back(inc.done);
  if (windowLimit == 0) {
    FuturePtr unused;
    continueDeferred(rt, 0, unused);
  }
  // The replay's future: every iteration's completion.
  auto out = std::make_shared<FutureImpl>("replayed trace");
  Event::merge(finals).subscribe(makeWaiter([out](const FailurePtr& f) {
    if (f)
      out->reject(f);
    else
      out->resolve(undefinedValue());
  }));
  return out;
}

}  // namespace cohort

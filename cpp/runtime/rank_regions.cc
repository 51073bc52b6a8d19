// RankService: region data between ranks (see rank_service.h and
// runtime/valid_copies.h). Rank 0 packs what it holds into the task request
// and asks the other holders to send theirs to the task's rank, which keeps
// the request until all of it is in; a local task of rank 0 that reads what
// other ranks hold is held back the same way (fetchRegions).
#include <map>

#include "data/rect_bytes.h"
#include "ops/region_args.h"
#include "runtime/rank_service.h"
#include "runtime/remote_messages.h"
#include "runtime/runtime.h"
#include "util/bytes.h"
#include "util/error.h"

namespace cohort {

namespace {
PieceSpec specOf(const FieldStorage& storage, const RegionPiece& p) {
  return PieceSpec{p.tree, p.field, storage.type(), storage.bounds(), p.rect};
}
}  // namespace

void RankService::addRegionsTo(TaskRequestMsg& m, const TaskOp& op,
                               std::vector<std::pair<uint32_t, std::vector<uint8_t>>>& copyOuts) {
  const uint32_t dest = op.remoteRank();
  for (const TaskRegionArg& a : op.regions()) {
    RemoteRegion g;
    g.tree = a.tree;
    g.node = a.regionNode;
    g.privilege = a.privilege;
    g.checkable = a.checkable;
    const int dim = a.fields.empty() ? 1 : a.fields[0].dim;
    g.root = Rect::emptyOf(dim);
    g.bounds = Rect::emptyOf(dim);
    if (!a.fields.empty()) {
      const cohort_field_view& v = a.fields[0];
      g.redop = v.redop;
      g.root = std::static_pointer_cast<FieldStorage>(a.keepAlive[0])->bounds();
      Point lo = Point::filled(dim, 0), hi = Point::filled(dim, 0);
      for (int d = 0; d < dim; ++d) {
        lo[d] = v.lo[d];
        hi[d] = v.hi[d];
      }
      g.bounds = Rect(lo, hi);
    }
    g.rects = rectsOf(a);
    for (size_t i = 0; i < a.fields.size(); ++i)
      g.fields.push_back(RemoteField{a.fieldIds[i], static_cast<FieldType>(a.fields[i].field_type), a.names[i]});
    m.regions.push_back(std::move(g));
  }
  std::map<uint32_t, CopyOutMsg> outs;
  for (const RegionPiece& p : op.copiesIn()) {
    std::shared_ptr<FieldStorage> storage = storageOf(op, p.tree, p.field);
    if (p.source == 0) {
      PieceData d{specOf(*storage, p), {}};
      packRect(*storage, p.rect, d.bytes);
      regionSent_[dest].fetch_add(d.bytes.size(), std::memory_order_relaxed);
      m.data.push_back(std::move(d));
    } else {
      CopyOutMsg& out = outs[p.source];
      out.copy = op.id();
      out.dest = dest;
      out.pieces.push_back(specOf(*storage, p));
    }
  }
  m.copiesExpected = static_cast<uint32_t>(outs.size());
  for (auto& [holder, out] : outs) copyOuts.emplace_back(holder, encode(out));
}

void RankService::fetchRegions(const TaskOpPtr& op) {
  if (replicated_) {
    shards_->fetch(op);
    return;
  }
  std::map<uint32_t, CopyOutMsg> outs;
  for (const RegionPiece& p : op->copiesIn()) {
    CopyOutMsg& out = outs[p.source];
    out.copy = op->id();
    out.dest = rank();
    out.pieces.push_back(specOf(*storageOf(*op, p.tree, p.field), p));
  }
  // Registered before the wire error is read: a failure after the read
  // finds the fetch in fetches_ (failFetches); one before it is seen here,
  // and whichever side erases the entry finishes the op.
  {
    std::lock_guard<std::mutex> lock(fetchMutex_);
    fetches_[op->id()] = Fetch{op, static_cast<uint32_t>(outs.size())};
  }
  remoteCount_.fetch_add(1, std::memory_order_acq_rel);
  std::string error;
  {
    std::lock_guard<std::mutex> lock(remoteMutex_);
    error = wireError_;
  }
  if (!error.empty()) {
    bool ours;
    {
      std::lock_guard<std::mutex> lock(fetchMutex_);
      ours = fetches_.erase(op->id()) != 0;
    }
    if (ours) {
      op->finishRemote(makeFailure(error, "", op->describe()), {});
      remoteCount_.fetch_sub(1, std::memory_order_acq_rel);
    }
    return;
  }
  for (auto& [holder, out] : outs) transport_->send(holder, MessageKind::CopyOut, encode(out));
}

void RankService::failFetches(const std::string& error) {
  std::unordered_map<uint64_t, Fetch> lost;
  {
    std::lock_guard<std::mutex> lock(fetchMutex_);
    lost.swap(fetches_);
  }
  for (auto& [id, f] : lost) {
    f.op->finishRemote(makeFailure(error, "", f.op->describe()), {});
    remoteCount_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void RankService::onCopyOut(uint32_t, const uint8_t* data, size_t size) {
  CopyOutMsg m = decodeCopyOut(data, size);
  CopyDataMsg out;
  out.copy = m.copy;
  for (PieceSpec& spec : m.pieces) {
    std::shared_ptr<FieldStorage> storage = findRankStorage(spec.tree, spec.field);
    if (!storage)
      throw Error("rank " + std::to_string(rank()) + " was asked for " + spec.rect.toString() + " of field " +
                  std::to_string(spec.field) + " of tree " + std::to_string(spec.tree) + ", which it does not hold");
    PieceData d{spec, {}};
    packRect(*storage, spec.rect, d.bytes);
    regionSent_[m.dest].fetch_add(d.bytes.size(), std::memory_order_relaxed);
    out.pieces.push_back(std::move(d));
  }
  transport_->send(m.dest, MessageKind::CopyData, encode(out));
}

void RankService::onCopyData(uint32_t source, const uint8_t* data, size_t size) {
  CopyDataMsg m = decodeCopyData(data, size);
  if (rank() == 0)
    fetchArrived(source, m);
  else
    requestDataArrived(source, m);
}

void RankService::fetchArrived(uint32_t source, CopyDataMsg& m) {
  TaskOpPtr op;
  {
    std::lock_guard<std::mutex> lock(fetchMutex_);
    auto it = fetches_.find(m.copy);
    if (it == fetches_.end())
      throw Error("copy data from rank " + std::to_string(source) + " for op id " + std::to_string(m.copy) +
                  ", which is not waiting for any");
    op = it->second.op;
  }
  for (PieceData& p : m.pieces) {
    unpackRect(*storageOf(*op, p.spec.tree, p.spec.field), p.spec.rect, p.bytes.data(), p.bytes.size());
    regionReceived_[source].fetch_add(p.bytes.size(), std::memory_order_relaxed);
  }
  {
    std::lock_guard<std::mutex> lock(fetchMutex_);
    auto it = fetches_.find(m.copy);
    if (it == fetches_.end() || --it->second.remaining > 0) return;
    fetches_.erase(it);
  }
  op->regionsFetched();
  if (remoteCount_.fetch_sub(1, std::memory_order_acq_rel) == 1) rt_.jsProcessor().wake();
}

void RankService::requestDataArrived(uint32_t source, CopyDataMsg& m) {
  for (PieceData& p : m.pieces) {
    unpackRect(*rankStorage(p.spec), p.spec.rect, p.bytes.data(), p.bytes.size());
    regionReceived_[source].fetch_add(p.bytes.size(), std::memory_order_relaxed);
  }
  Inbound ready{MessageKind::TaskRequest, 0, {}, true};
  {
    std::lock_guard<std::mutex> lock(arrivalsMutex_);
    Arrivals& a = arrivals_[m.copy];
    ++a.arrived;
    if (!a.parked || a.arrived < a.expected) return;
    ready.source = a.source;
    ready.bytes = std::move(a.request);
    arrivals_.erase(m.copy);
  }
  {
    std::lock_guard<std::mutex> lock(inboundMutex_);
    inbound_.push_back(std::move(ready));
  }
  rt_.jsProcessor().wake();
}

bool RankService::copiesArrived(uint32_t source, const std::vector<uint8_t>& bytes, uint64_t request,
                                uint32_t expected) {
  std::lock_guard<std::mutex> lock(arrivalsMutex_);
  Arrivals& a = arrivals_[request];
  if (a.arrived >= expected) {
    arrivals_.erase(request);
    return true;
  }
  a.parked = true;
  a.expected = expected;
  a.source = source;
  a.request = bytes;
  return false;
}

std::shared_ptr<FieldStorage> RankService::rankStorage(const PieceSpec& spec, uint64_t* generation) {
  std::lock_guard<std::mutex> lock(storeMutex_);
  RankTree& t = store_[spec.tree];
  if (!t.storage || !(t.root == spec.root)) {
    t.root = spec.root;
    t.generation = ++nextGeneration_;
    t.storage = std::make_unique<TreeStorage>(spec.root);
  }
  if (generation) *generation = t.generation;
  return t.storage->field(spec.field, spec.type);
}

std::shared_ptr<FieldStorage> RankService::findRankStorage(TreeId tree, FieldId field) {
  std::lock_guard<std::mutex> lock(storeMutex_);
  auto it = store_.find(tree);
  if (it == store_.end() || !it->second.storage) return nullptr;
  return it->second.storage->find(field);
}

TaskRegionArgs RankService::bindRankRegions(TaskRequestMsg& m) {
  for (PieceData& p : m.data) {
    unpackRect(*rankStorage(p.spec), p.spec.rect, p.bytes.data(), p.bytes.size());
    regionReceived_[0].fetch_add(p.bytes.size(), std::memory_order_relaxed);
  }
  TaskRegionArgs args;
  args.reserve(m.regions.size());
  for (RemoteRegion& g : m.regions) {
    TaskRegionArg arg;
    arg.tree = g.tree;
    arg.regionNode = g.node;
    arg.privilege = g.privilege;
    arg.checkable = g.checkable;
    for (RemoteField& f : g.fields) {
      std::shared_ptr<FieldStorage> storage =
          rankStorage(PieceSpec{g.tree, f.id, f.type, g.root, g.bounds}, &arg.rankStore);
      addFieldView(arg, std::move(storage), g.bounds, g.privilege, g.redop, f.id, std::move(f.name));
    }
    addRects(arg, g.rects);
    args.push_back(std::move(arg));
  }
  return args;
}

void RankService::dropTree(TreeId tree) {
  validCopies_.dropTree(tree);
  if (replicated_) return;  // every shard drops its own
  ByteWriter w;
  w.u32(tree);
  const std::vector<uint8_t> bytes = w.take();
  for (uint32_t r = 1; r < ranks(); ++r) transport_->send(r, MessageKind::DropTree, bytes);
}

void RankService::onDropTree(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "drop tree");
  const TreeId tree = r.u32("tree");
  r.expectEnd();
  std::lock_guard<std::mutex> lock(storeMutex_);
  store_.erase(tree);  // tasks still running keep their storage alive
}

}  // namespace cohort

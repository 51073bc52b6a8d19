// The region parts of the messages between ranks: what a remote task sees
// of a region requirement, and the bytes of rects of fields that move to the
// rank that reads them (copy-out requests and copy data).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/privilege.h"
#include "data/field_space.h"
#include "data/geometry.h"
#include "data/handles.h"
#include "util/bytes.h"

namespace cohort {

// One field of a requirement sent with a task.
struct RemoteField {
  FieldId id = 0;
  FieldType type = FieldType::F64;
  std::string name;  // for errors and the TS view
};

// A region requirement as the target rank binds it over its own storage.
struct RemoteRegion {
  TreeId tree = 0;
  uint32_t node = 0;
  Rect root;                // the tree's bounds: the target's storage covers them
  Rect bounds;              // what the views cover (the region's bounding rect)
  std::vector<Rect> rects;  // the region's exact rects
  Privilege privilege = Privilege::ReadOnly;
  int32_t redop = 0;
  bool checkable = true;
  std::vector<RemoteField> fields;
};

// Which rect of which field: enough for any rank to find or make its storage.
struct PieceSpec {
  TreeId tree = 0;
  FieldId field = 0;
  FieldType type = FieldType::F64;
  Rect root;
  Rect rect;
};

struct PieceData {
  PieceSpec spec;
  std::vector<uint8_t> bytes;  // row-major elements of spec.rect
};

// Controller -> holder: send these pieces to `dest`, tagged with `copy`.
struct CopyOutMsg {
  uint64_t copy = 0;  // the controller's op id of the task that reads them
  uint32_t dest = 0;
  std::vector<PieceSpec> pieces;
};

// Holder -> reader: the bytes.
struct CopyDataMsg {
  uint64_t copy = 0;
  std::vector<PieceData> pieces;
};

void putRect(ByteWriter& w, const Rect& r);
Rect getRect(ByteReader& r, const char* field);
void putRegion(ByteWriter& w, const RemoteRegion& region);
RemoteRegion getRegion(ByteReader& r);
void putPiece(ByteWriter& w, const PieceData& p);
PieceData getPiece(ByteReader& r);

std::vector<uint8_t> encode(const CopyOutMsg& m);
std::vector<uint8_t> encode(const CopyDataMsg& m);
CopyOutMsg decodeCopyOut(const uint8_t* data, size_t size);
CopyDataMsg decodeCopyData(const uint8_t* data, size_t size);

}  // namespace cohort

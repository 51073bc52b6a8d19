#include "util/bytes.h"

#include <cstdint>
#include <limits>

#include "util/error.h"

namespace cohort {

void ByteWriter::count(size_t n, const char* field) {
  if (n > std::numeric_limits<uint32_t>::max())
    throw Error(std::string("cannot encode ") + field + ": " + std::to_string(n) + " is more than 2^32-1");
  u32(static_cast<uint32_t>(n));
}

void ByteWriter::blob(const uint8_t* data, size_t n, const char* field) {
  count(n, field);
  out_.insert(out_.end(), data, data + n);
}

void ByteWriter::str(const std::string& s, const char* field) {
  blob(reinterpret_cast<const uint8_t*>(s.data()), s.size(), field);
}

void ByteReader::fail(const std::string& message) const {
  throw Error(std::string(what_) + ": " + message + " (at byte " + std::to_string(pos_) + ")");
}

void ByteReader::need(size_t n, const char* field) const {
  if (n > remaining())
    fail(std::string("truncated reading ") + field + ": needs " + std::to_string(n) + " bytes, " +
         std::to_string(remaining()) + " left");
}

uint64_t ByteReader::getLE(int n, const char* field) {
  need(static_cast<size_t>(n), field);
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(data_[pos_ + static_cast<size_t>(i)]) << (8 * i);
  pos_ += static_cast<size_t>(n);
  return v;
}

uint32_t ByteReader::count(const char* field, size_t minItemBytes) {
  const size_t at = pos_;
  uint32_t n = u32(field);
  if (minItemBytes == 0) minItemBytes = 1;
  if (n > remaining() / minItemBytes) {
    pos_ = at;  // report the offset of the count itself
    fail(std::string(field) + " is " + std::to_string(n) + ", but only " + std::to_string(remaining() - 4) +
         " bytes are left (at least " + std::to_string(minItemBytes) + " per item)");
  }
  return n;
}

std::vector<uint8_t> ByteReader::blob(const char* field) {
  uint32_t n = count(field, 1);
  std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
  pos_ += n;
  return out;
}

std::string ByteReader::str(const char* field) {
  uint32_t n = count(field, 1);
  std::string out(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return out;
}

void ByteReader::expectEnd() const {
  if (remaining() != 0) fail(std::to_string(remaining()) + " trailing bytes after the end");
}

}  // namespace cohort

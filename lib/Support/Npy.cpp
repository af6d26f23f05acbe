//===- Npy.cpp - NumPy .npy files: tensors in and out ---------------------===//

#include "tcc/Support/Npy.h"

#include <sstream>

using namespace tcc::npy;

namespace {

struct NpyType {
  const char *descr;
  tcc_dtype dtype;
};
const NpyType kNpyTypes[] = {
    {"<f4", TCC_DTYPE_F32}, {"<f8", TCC_DTYPE_F64}, {"<f2", TCC_DTYPE_F16},
    {"|i1", TCC_DTYPE_I8},  {"<i2", TCC_DTYPE_I16}, {"<i4", TCC_DTYPE_I32},
    {"<i8", TCC_DTYPE_I64}, {"|u1", TCC_DTYPE_U8},  {"|b1", TCC_DTYPE_BOOL},
    {"<u2", TCC_DTYPE_U16}, {"<u4", TCC_DTYPE_U32}, {"<u8", TCC_DTYPE_U64},
};

} // namespace

size_t Array::count() const {
  size_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  return n;
}

std::string tcc::npy::shapeText(const std::vector<int64_t> &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? "x" : "") + std::to_string(shape[i]);
  return text + "]";
}

bool tcc::npy::parse(const std::string &data, Array &array,
                     std::string &error) {
  if (data.size() < 10 || data.compare(0, 6, "\x93NUMPY") != 0) {
    error = "is not a .npy file";
    return false;
  }
  unsigned major = static_cast<unsigned char>(data[6]);
  size_t headerLength = 0, headerStart = major == 1 ? 10 : 12;
  if (data.size() < headerStart) {
    error = "is truncated";
    return false;
  }
  for (size_t i = 0; i < headerStart - 8; ++i)
    headerLength |= static_cast<size_t>(static_cast<unsigned char>(data[8 + i]))
                    << (8 * i);
  if (headerStart + headerLength > data.size()) {
    error = "is truncated";
    return false;
  }
  std::string header = data.substr(headerStart, headerLength);

  array = Array();
  size_t descr = header.find("'descr':");
  size_t fortran = header.find("'fortran_order':");
  size_t shape = header.find("'shape':");
  size_t open = header.find('(', shape), close = header.find(')', shape);
  size_t quote = header.find('\'', descr + 8);
  if (descr == std::string::npos || fortran == std::string::npos ||
      shape == std::string::npos || open == std::string::npos ||
      close == std::string::npos || quote == std::string::npos) {
    error = "has a malformed .npy header";
    return false;
  }
  std::string type =
      header.substr(quote + 1, header.find('\'', quote + 1) - quote - 1);
  if (type == "<b1")
    type = "|b1";
  for (const NpyType &known : kNpyTypes)
    if (type == known.descr)
      array.dtype = known.dtype;
  if (array.dtype == TCC_DTYPE_INVALID) {
    error = "has unsupported dtype " + type;
    return false;
  }
  if (header.compare(fortran + 16, 6, " False") != 0) {
    error = "is in Fortran order; save it C-contiguous";
    return false;
  }
  std::stringstream dims(header.substr(open + 1, close - open - 1));
  std::string dim;
  while (std::getline(dims, dim, ','))
    if (dim.find_first_not_of(' ') != std::string::npos)
      array.shape.push_back(std::stoll(dim));
  size_t bytes = array.count() * tcc_dtype_size(array.dtype);
  size_t start = headerStart + headerLength;
  if (data.size() - start < bytes) {
    error = "holds " + std::to_string(data.size() - start) +
            " data bytes, its shape " + shapeText(array.shape) + " needs " +
            std::to_string(bytes);
    return false;
  }
  array.bytes.assign(data.begin() + start, data.begin() + start + bytes);
  return true;
}

bool tcc::npy::serialize(const Array &array, std::string &contents) {
  const char *descr = nullptr;
  for (const NpyType &known : kNpyTypes)
    if (known.dtype == array.dtype)
      descr = known.descr;
  if (!descr)
    return false;
  std::string shape = "(";
  for (int64_t d : array.shape)
    shape += std::to_string(d) + ",";
  if (array.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descr +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  // The data starts at a multiple of 64 bytes, as NumPy writes it.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  contents = "\x93NUMPY\x01";
  contents += '\0';
  contents += static_cast<char>(header.size() & 0xff);
  contents += static_cast<char>(header.size() >> 8);
  contents += header;
  contents.append(reinterpret_cast<const char *>(array.bytes.data()),
                  array.bytes.size());
  return true;
}

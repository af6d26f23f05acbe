//===- tcc-run.cpp - Run a compiled model through the runtime ------------===//
//
// Reads inputs (.npy, ONNX TensorProto .pb, or seeded random data), runs the
// artifact through libtcc_runtime, prints or saves outputs, compares them
// with reference files and times repeated runs. Depends on the runtime and
// on protobuf (for .pb tensors) only: no MLIR, no LLVM.
//
//===----------------------------------------------------------------------===//

#include "tcc/runtime.h"
#include "tcc/Support/Npy.h"
#include "tcc/Support/ONNXDataTypes.h"

#include "onnx/onnx_pb.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char *kUsage = R"(usage: tcc-run MODEL.so [options]

Runs a model compiled by tcc. Inputs are taken in the model's input order.

  --input FILE        an input tensor: .npy, or an ONNX TensorProto .pb
                      (repeat once per input; missing inputs are random)
  --batch N           dim 0 of random inputs with a dynamic batch (default:
                      the smallest the model accepts); inputs given by
                      --input carry their own shapes
  --seed N            seed of random inputs (default 0): floats uniform in
                      [-1, 1), integers uniform in [0, 10), bools 0/1
  --save-inputs DIR   write the inputs used as DIR/input_<i>.npy
  --output-dir DIR    write outputs as DIR/output_<i>.npy
  --compare FILE      a reference for the next output (.npy or .pb; repeat)
  --atol X --rtol Y   comparison tolerances: |out - ref| <= atol + rtol*|ref|
                      (defaults 1e-4 and 1e-3)
  --benchmark N       run N more times and print median and min latency
  --print N           print the first N values of each output (default 8)
  --quiet             print nothing but errors and the comparison summary
)";

using Tensor = tcc::npy::Array;

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "tcc-run: error: %s\n", message.c_str());
  std::exit(1);
}

using tcc::npy::shapeText;

bool endsWith(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    die("cannot open '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

Tensor readNpy(const std::string &path) {
  Tensor tensor;
  std::string error;
  if (!tcc::npy::parse(readFile(path), tensor, error))
    die("'" + path + "' " + error);
  return tensor;
}

void writeNpy(const std::string &path, const Tensor &tensor) {
  std::string contents;
  if (!tcc::npy::serialize(tensor, contents))
    die("cannot write '" + path + "': .npy has no type for " +
        tcc_dtype_name(tensor.dtype));
  std::ofstream out(path, std::ios::binary);
  if (!out || !out.write(contents.data(),
                         static_cast<std::streamsize>(contents.size())))
    die("cannot write '" + path + "'");
}

//===----------------------------------------------------------------------===//
// ONNX TensorProto .pb
//===----------------------------------------------------------------------===//

/// ONNX packs 4- and 2-bit elements; 0 for the others.
unsigned packedBits(tcc_dtype dtype) {
  switch (dtype) {
  case TCC_DTYPE_I4: case TCC_DTYPE_U4: case TCC_DTYPE_F4E2M1: return 4;
  case TCC_DTYPE_I2: case TCC_DTYPE_U2: return 2;
  default: return 0;
  }
}

Tensor readTensorProto(const std::string &path) {
  onnx::TensorProto proto;
  std::string data = readFile(path);
  if (!proto.ParseFromString(data))
    die("'" + path + "' is not an ONNX TensorProto");
  Tensor tensor;
  switch (proto.data_type()) {
  case onnx::TensorProto::FLOAT: tensor.dtype = TCC_DTYPE_F32; break;
  case onnx::TensorProto::DOUBLE: tensor.dtype = TCC_DTYPE_F64; break;
  case onnx::TensorProto::FLOAT16: tensor.dtype = TCC_DTYPE_F16; break;
  case onnx::TensorProto::INT8: tensor.dtype = TCC_DTYPE_I8; break;
  case onnx::TensorProto::INT16: tensor.dtype = TCC_DTYPE_I16; break;
  case onnx::TensorProto::INT32: tensor.dtype = TCC_DTYPE_I32; break;
  case onnx::TensorProto::INT64: tensor.dtype = TCC_DTYPE_I64; break;
  case onnx::TensorProto::UINT8: tensor.dtype = TCC_DTYPE_U8; break;
  case onnx::TensorProto::BOOL: tensor.dtype = TCC_DTYPE_BOOL; break;
  case onnx::TensorProto::UINT16: tensor.dtype = TCC_DTYPE_U16; break;
  case onnx::TensorProto::UINT32: tensor.dtype = TCC_DTYPE_U32; break;
  case onnx::TensorProto::UINT64: tensor.dtype = TCC_DTYPE_U64; break;
  case onnx::TensorProto::BFLOAT16: tensor.dtype = TCC_DTYPE_BF16; break;
  case tcc::onnx_types::FLOAT8E4M3FN: tensor.dtype = TCC_DTYPE_F8E4M3FN; break;
  case tcc::onnx_types::FLOAT8E4M3FNUZ: tensor.dtype = TCC_DTYPE_F8E4M3FNUZ; break;
  case tcc::onnx_types::FLOAT8E5M2: tensor.dtype = TCC_DTYPE_F8E5M2; break;
  case tcc::onnx_types::FLOAT8E5M2FNUZ: tensor.dtype = TCC_DTYPE_F8E5M2FNUZ; break;
  case tcc::onnx_types::FLOAT8E8M0: tensor.dtype = TCC_DTYPE_F8E8M0; break;
  case tcc::onnx_types::FLOAT4E2M1: tensor.dtype = TCC_DTYPE_F4E2M1; break;
  case tcc::onnx_types::INT4: tensor.dtype = TCC_DTYPE_I4; break;
  case tcc::onnx_types::UINT4: tensor.dtype = TCC_DTYPE_U4; break;
  case tcc::onnx_types::INT2: tensor.dtype = TCC_DTYPE_I2; break;
  case tcc::onnx_types::UINT2: tensor.dtype = TCC_DTYPE_U2; break;
  default:
    die("'" + path + "' has unsupported ONNX data type " +
        std::to_string(proto.data_type()));
  }
  for (int64_t d : proto.dims())
    tensor.shape.push_back(d);
  size_t count = tensor.count(), size = tcc_dtype_size(tensor.dtype);
  tensor.bytes.resize(count * size);
  if (unsigned bits = packedBits(tensor.dtype)) {
    // Packed lowest bits first, in raw data or one byte per int32_data
    // entry; the runtime takes one byte per element, extended.
    std::string packed = proto.raw_data();
    if (!proto.has_raw_data())
      for (int32_t value : proto.int32_data())
        packed.push_back(static_cast<char>(value));
    size_t need = (count * bits + 7) / 8;
    if (packed.size() != need)
      die("'" + path + "' holds " + std::to_string(packed.size()) + " packed bytes, its shape " +
          shapeText(tensor.shape) + " needs " + std::to_string(need));
    unsigned perByte = 8 / bits, mask = (1u << bits) - 1;
    bool isSigned = tensor.dtype == TCC_DTYPE_I4 || tensor.dtype == TCC_DTYPE_I2;
    for (size_t i = 0; i < count; ++i) {
      unsigned value =
          (static_cast<unsigned char>(packed[i / perByte]) >> (bits * (i % perByte))) & mask;
      if (isSigned && (value >> (bits - 1)))
        value |= ~mask;
      tensor.bytes[i] = static_cast<unsigned char>(value);
    }
    return tensor;
  }
  if (proto.has_raw_data()) {
    if (proto.raw_data().size() != tensor.bytes.size())
      die("'" + path + "' raw data holds " +
          std::to_string(proto.raw_data().size()) + " bytes, expected " +
          std::to_string(tensor.bytes.size()));
    if (!tensor.bytes.empty()) // an empty vector's data() may be null
      std::memcpy(tensor.bytes.data(), proto.raw_data().data(), tensor.bytes.size());
    return tensor;
  }
  auto fill = [&](const auto &values) {
    if (static_cast<size_t>(values.size()) != count)
      die("'" + path + "' holds " + std::to_string(values.size()) +
          " values, its shape " + shapeText(tensor.shape) + " needs " +
          std::to_string(count));
    for (size_t i = 0; i < count; ++i) {
      auto value = values.Get(static_cast<int>(i));
      switch (tensor.dtype) {
      case TCC_DTYPE_F32: { float v = static_cast<float>(value); std::memcpy(&tensor.bytes[i * 4], &v, 4); break; }
      case TCC_DTYPE_F64: { double v = static_cast<double>(value); std::memcpy(&tensor.bytes[i * 8], &v, 8); break; }
      case TCC_DTYPE_I64: { int64_t v = static_cast<int64_t>(value); std::memcpy(&tensor.bytes[i * 8], &v, 8); break; }
      case TCC_DTYPE_I32: { int32_t v = static_cast<int32_t>(value); std::memcpy(&tensor.bytes[i * 4], &v, 4); break; }
      case TCC_DTYPE_U64: { uint64_t v = static_cast<uint64_t>(value); std::memcpy(&tensor.bytes[i * 8], &v, 8); break; }
      case TCC_DTYPE_U32: { uint32_t v = static_cast<uint32_t>(value); std::memcpy(&tensor.bytes[i * 4], &v, 4); break; }
      case TCC_DTYPE_I16: case TCC_DTYPE_U16: case TCC_DTYPE_F16: case TCC_DTYPE_BF16: { uint16_t v = static_cast<uint16_t>(value); std::memcpy(&tensor.bytes[i * 2], &v, 2); break; }
      default: tensor.bytes[i] = static_cast<unsigned char>(value); break;
      }
    }
  };
  switch (tensor.dtype) {
  case TCC_DTYPE_F32: fill(proto.float_data()); break;
  case TCC_DTYPE_F64: fill(proto.double_data()); break;
  case TCC_DTYPE_I64: fill(proto.int64_data()); break;
  case TCC_DTYPE_U32: case TCC_DTYPE_U64: fill(proto.uint64_data()); break;
  default: fill(proto.int32_data()); break;
  }
  return tensor;
}

Tensor readTensor(const std::string &path) {
  return endsWith(path, ".npy") ? readNpy(path) : readTensorProto(path);
}

//===----------------------------------------------------------------------===//
// Values as doubles, for printing and comparing
//===----------------------------------------------------------------------===//

double halfToDouble(uint16_t h) {
  int exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0)
    return sign * std::ldexp(mantissa, -24);
  if (exponent == 31)
    return mantissa ? NAN : sign * INFINITY;
  return sign * std::ldexp(mantissa + 1024, exponent - 25);
}

/// Which top codes of a float8/float4 format are special.
enum class NarrowSpecials {
  IEEE,            // exponent all ones: infinity, or NaN
  NaNAllOnes,      // S.1111.111 is NaN, no infinity
  NaNNegativeZero, // the code of -0 is the only NaN
  None,
};

/// The value of a float8/float4 `code` with `mantissa` bits and exponent
/// `bias`.
double narrowFloat(unsigned code, unsigned bits, unsigned mantissa, int bias,
                   NarrowSpecials specials) {
  unsigned exponentBits = bits - 1 - mantissa, signBit = 1u << (bits - 1);
  unsigned exponent = (code & (signBit - 1)) >> mantissa, fraction = code & ((1u << mantissa) - 1);
  double sign = (code & signBit) ? -1.0 : 1.0;
  unsigned top = (1u << exponentBits) - 1;
  if (specials == NarrowSpecials::IEEE && exponent == top)
    return fraction ? NAN : sign * INFINITY;
  if (specials == NarrowSpecials::NaNAllOnes && exponent == top &&
      fraction == (1u << mantissa) - 1)
    return NAN;
  if (specials == NarrowSpecials::NaNNegativeZero && code == signBit)
    return NAN;
  if (exponent == 0)
    return sign * std::ldexp(fraction, 1 - bias - static_cast<int>(mantissa));
  return sign * std::ldexp(fraction + (1u << mantissa), static_cast<int>(exponent) - bias -
                                                            static_cast<int>(mantissa));
}

double valueAt(const Tensor &tensor, size_t i) {
  const unsigned char *p = tensor.bytes.data() + i * tcc_dtype_size(tensor.dtype);
  switch (tensor.dtype) {
  case TCC_DTYPE_F32: { float v; std::memcpy(&v, p, 4); return v; }
  case TCC_DTYPE_F64: { double v; std::memcpy(&v, p, 8); return v; }
  case TCC_DTYPE_F16: { uint16_t v; std::memcpy(&v, p, 2); return halfToDouble(v); }
  case TCC_DTYPE_BF16: { uint16_t v; std::memcpy(&v, p, 2); uint32_t w = uint32_t(v) << 16; float f; std::memcpy(&f, &w, 4); return f; }
  case TCC_DTYPE_I8: return static_cast<int8_t>(*p);
  case TCC_DTYPE_I16: { int16_t v; std::memcpy(&v, p, 2); return v; }
  case TCC_DTYPE_I32: { int32_t v; std::memcpy(&v, p, 4); return v; }
  case TCC_DTYPE_I64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  case TCC_DTYPE_U8: case TCC_DTYPE_BOOL: return *p;
  case TCC_DTYPE_U16: { uint16_t v; std::memcpy(&v, p, 2); return v; }
  case TCC_DTYPE_U32: { uint32_t v; std::memcpy(&v, p, 4); return v; }
  case TCC_DTYPE_U64: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  case TCC_DTYPE_I4: case TCC_DTYPE_I2: return static_cast<int8_t>(*p);
  case TCC_DTYPE_U4: case TCC_DTYPE_U2: return *p;
  case TCC_DTYPE_F8E4M3FN: return narrowFloat(*p, 8, 3, 7, NarrowSpecials::NaNAllOnes);
  case TCC_DTYPE_F8E4M3FNUZ: return narrowFloat(*p, 8, 3, 8, NarrowSpecials::NaNNegativeZero);
  case TCC_DTYPE_F8E5M2: return narrowFloat(*p, 8, 2, 15, NarrowSpecials::IEEE);
  case TCC_DTYPE_F8E5M2FNUZ: return narrowFloat(*p, 8, 2, 16, NarrowSpecials::NaNNegativeZero);
  case TCC_DTYPE_F4E2M1: return narrowFloat(*p, 4, 1, 1, NarrowSpecials::None);
  case TCC_DTYPE_F8E8M0: return *p == 0xff ? NAN : std::ldexp(1.0, *p - 127);
  case TCC_DTYPE_INVALID: break;
  }
  return 0;
}

/// Sizes `bytes` to `size` zero bytes, or dies naming `what` when the
/// memory is not there (an output of 10^12 elements), instead of letting
/// the allocation abort the process.
void allocate(std::vector<unsigned char> &bytes, size_t size, const std::string &what) {
  // volatile: clang drops a malloc whose result is only freed, and the
  // vector's allocation would then abort the process.
  void *volatile probe = std::malloc(size ? size : 1);
  if (!probe)
    die("cannot allocate " + std::to_string(size) + " bytes for " + what);
  std::free(probe);
  bytes.resize(size);
}

/// A random input of `info`'s dtype and shape, with dim 0 `batch` when
/// that is not 0.
Tensor randomTensor(const tcc_tensor_info &info, int64_t batch, std::mt19937_64 &rng) {
  Tensor tensor;
  tensor.dtype = info.dtype;
  tensor.shape.assign(info.shape, info.shape + info.rank);
  if (batch)
    tensor.shape[0] = batch;
  allocate(tensor.bytes, tensor.count() * tcc_dtype_size(info.dtype),
           std::string("input '") + info.name + "'");
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> integer(0, 9);
  for (size_t i = 0, n = tensor.count(); i < n; ++i) {
    unsigned char *p = tensor.bytes.data() + i * tcc_dtype_size(tensor.dtype);
    switch (tensor.dtype) {
    case TCC_DTYPE_F32: { float v = real(rng); std::memcpy(p, &v, 4); break; }
    case TCC_DTYPE_F64: { double v = real(rng); std::memcpy(p, &v, 8); break; }
    case TCC_DTYPE_I64: { int64_t v = integer(rng); std::memcpy(p, &v, 8); break; }
    case TCC_DTYPE_I32: { int32_t v = integer(rng); std::memcpy(p, &v, 4); break; }
    case TCC_DTYPE_I16: { int16_t v = static_cast<int16_t>(integer(rng)); std::memcpy(p, &v, 2); break; }
    case TCC_DTYPE_BOOL: *p = static_cast<unsigned char>(integer(rng) & 1); break;
    case TCC_DTYPE_U64: { uint64_t v = integer(rng); std::memcpy(p, &v, 8); break; }
    case TCC_DTYPE_U32: { uint32_t v = integer(rng); std::memcpy(p, &v, 4); break; }
    case TCC_DTYPE_U16: { uint16_t v = static_cast<uint16_t>(integer(rng)); std::memcpy(p, &v, 2); break; }
    case TCC_DTYPE_I8: case TCC_DTYPE_U8: case TCC_DTYPE_U4: *p = static_cast<unsigned char>(integer(rng)); break;
    case TCC_DTYPE_I4: *p = static_cast<unsigned char>(integer(rng) - 5); break;
    case TCC_DTYPE_I2: case TCC_DTYPE_U2: *p = static_cast<unsigned char>(integer(rng) & 1); break;
    // Small positive finite codes in every narrow float format.
    case TCC_DTYPE_F8E4M3FN: case TCC_DTYPE_F8E4M3FNUZ: case TCC_DTYPE_F8E5M2:
    case TCC_DTYPE_F8E5M2FNUZ: case TCC_DTYPE_F4E2M1:
      *p = static_cast<unsigned char>(integer(rng) % 6); break;
    case TCC_DTYPE_F8E8M0: *p = static_cast<unsigned char>(120 + integer(rng)); break;
    default: die(std::string("no random generator for dtype ") + tcc_dtype_name(tensor.dtype));
    }
  }
  return tensor;
}

struct Options {
  std::string model;
  std::vector<std::string> inputs, references;
  std::string saveInputs, outputDir;
  uint64_t seed = 0;
  double atol = 1e-4, rtol = 1e-3;
  int benchmark = 0, print = 8;
  int64_t batch = 0;
  bool quiet = false;
};

Options parseOptions(int argc, char **argv) {
  Options options;
  auto value = [&](int &i) -> std::string {
    if (i + 1 >= argc)
      die(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  auto number = [&](int &i) {
    std::string text = value(i);
    char *end = nullptr;
    double result = std::strtod(text.c_str(), &end);
    if (!end || *end)
      die("'" + text + "' is not a number");
    return result;
  };
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--input") {
      options.inputs.push_back(value(i));
    } else if (arg == "--compare") {
      options.references.push_back(value(i));
    } else if (arg == "--batch") {
      options.batch = static_cast<int64_t>(number(i));
      if (options.batch < 1)
        die("--batch takes a size >= 1");
    } else if (arg == "--seed") {
      options.seed = static_cast<uint64_t>(number(i));
    } else if (arg == "--save-inputs") {
      options.saveInputs = value(i);
    } else if (arg == "--output-dir") {
      options.outputDir = value(i);
    } else if (arg == "--atol") {
      options.atol = number(i);
    } else if (arg == "--rtol") {
      options.rtol = number(i);
    } else if (arg == "--benchmark") {
      options.benchmark = static_cast<int>(number(i));
    } else if (arg == "--print") {
      options.print = static_cast<int>(number(i));
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      die("unknown option '" + arg + "' (see --help)");
    } else if (options.model.empty()) {
      options.model = arg;
    } else {
      die("unexpected argument '" + arg + "' (inputs go after --input)");
    }
  }
  if (options.model.empty())
    die("no model given (see --help)");
  return options;
}

/// Compares one output with its reference; prints a summary line and
/// returns whether every element is within tolerance.
bool compare(const Tensor &output, const Tensor &reference, const std::string &name,
             const Options &options) {
  if (output.shape != reference.shape) {
    std::printf("output '%s': shape %s, reference %s: MISMATCH\n", name.c_str(),
                shapeText(output.shape).c_str(), shapeText(reference.shape).c_str());
    return false;
  }
  size_t bad = 0, worst = 0;
  double maxAbs = 0, maxRel = 0;
  for (size_t i = 0, n = output.count(); i < n; ++i) {
    double got = valueAt(output, i), want = valueAt(reference, i);
    double error = std::fabs(got - want);
    bool same = (std::isnan(got) && std::isnan(want)) || got == want ||
                error <= options.atol + options.rtol * std::fabs(want);
    if (!same && !bad)
      worst = i;
    bad += !same;
    if (std::isfinite(error) && error > maxAbs)
      maxAbs = error;
    if (std::isfinite(error) && want != 0 && error / std::fabs(want) > maxRel)
      maxRel = error / std::fabs(want);
  }
  std::printf("output '%s': max abs error %.3g, max rel error %.3g, %zu of %zu "
              "outside atol %.g rtol %.g: %s\n",
              name.c_str(), maxAbs, maxRel, bad, output.count(), options.atol,
              options.rtol, bad ? "MISMATCH" : "ok");
  if (bad)
    std::printf("  first mismatch at flat index %zu: got %.9g, expected %.9g\n",
                worst, valueAt(output, worst), valueAt(reference, worst));
  return bad == 0;
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);

  tcc_model *model = nullptr;
  if (tcc_model_load(options.model.c_str(), &model) != TCC_OK)
    die(tcc_last_error());
  int32_t numInputs = tcc_model_num_inputs(model);
  int32_t numOutputs = tcc_model_num_outputs(model);
  if (static_cast<int32_t>(options.inputs.size()) > numInputs)
    die("the model takes " + std::to_string(numInputs) + " inputs, " +
        std::to_string(options.inputs.size()) + " given");
  if (static_cast<int32_t>(options.references.size()) > numOutputs)
    die("the model has " + std::to_string(numOutputs) + " outputs, " +
        std::to_string(options.references.size()) + " references given");

  std::mt19937_64 rng(options.seed);
  std::vector<Tensor> inputs;
  std::vector<tcc_tensor> inputViews;
  for (int32_t i = 0; i < numInputs; ++i) {
    tcc_tensor_info info;
    tcc_model_input_info(model, i, &info);
    // A dynamic batch is the dim 0 whose range is not one size.
    int64_t batch = 0, min = 0, max = 0;
    if (info.rank > 0 && tcc_model_input_dim_range(model, i, 0, &min, &max) == TCC_OK &&
        min != max)
      batch = options.batch ? options.batch : min;
    inputs.push_back(i < static_cast<int32_t>(options.inputs.size())
                         ? readTensor(options.inputs[i])
                         : randomTensor(info, batch, rng));
    if (!options.saveInputs.empty())
      writeNpy(options.saveInputs + "/input_" + std::to_string(i) + ".npy",
               inputs.back());
  }
  // An empty tensor still needs a buffer address for the runtime's checks.
  for (Tensor &input : inputs)
    if (input.bytes.empty())
      input.bytes.reserve(1);
  for (Tensor &input : inputs)
    inputViews.push_back({input.dtype, static_cast<int32_t>(input.shape.size()),
                          input.shape.data(), input.bytes.data(),
                          input.bytes.size()});

  std::vector<Tensor> outputs(numOutputs);
  std::vector<tcc_tensor> outputViews;
  std::vector<std::string> outputNames;
  for (int32_t i = 0; i < numOutputs; ++i) {
    tcc_tensor_info info;
    tcc_model_output_info(model, i, &info);
    outputs[i].dtype = info.dtype;
    // The shapes of this run's outputs: with a dynamic batch, the inputs'.
    outputs[i].shape.resize(info.rank);
    if (tcc_model_output_shape(model, inputViews.data(), numInputs, i,
                               outputs[i].shape.data()) != TCC_OK)
      die(tcc_last_error());
    allocate(outputs[i].bytes, outputs[i].count() * tcc_dtype_size(info.dtype),
             std::string("output '") + info.name + "'");
    outputNames.push_back(info.name);
  }
  for (Tensor &output : outputs) {
    if (output.bytes.empty())
      output.bytes.reserve(1);
  }
  for (Tensor &output : outputs)
    outputViews.push_back({output.dtype, static_cast<int32_t>(output.shape.size()),
                           output.shape.data(), output.bytes.data(),
                           output.bytes.size()});

  auto run = [&] {
    if (tcc_model_run(model, inputViews.data(), numInputs, outputViews.data(),
                      numOutputs) != TCC_OK)
      die(tcc_last_error());
  };
  run();

  for (int32_t i = 0; i < numOutputs; ++i) {
    if (!options.outputDir.empty())
      writeNpy(options.outputDir + "/output_" + std::to_string(i) + ".npy",
               outputs[i]);
    if (options.quiet || options.print <= 0)
      continue;
    std::printf("output '%s' %s %s:", outputNames[i].c_str(),
                tcc_dtype_name(outputs[i].dtype), shapeText(outputs[i].shape).c_str());
    size_t shown = std::min<size_t>(outputs[i].count(), options.print);
    for (size_t j = 0; j < shown; ++j)
      std::printf(" %.6g", valueAt(outputs[i], j));
    std::printf("%s\n", shown < outputs[i].count() ? " ..." : "");
  }

  bool agree = true;
  for (size_t i = 0; i < options.references.size(); ++i)
    agree &= compare(outputs[i], readTensor(options.references[i]),
                     outputNames[i], options);

  if (options.benchmark > 0) {
    std::vector<double> times;
    for (int i = 0; i < options.benchmark; ++i) {
      auto start = std::chrono::steady_clock::now();
      run();
      times.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
    std::sort(times.begin(), times.end());
    std::printf("latency over %d runs: median %.3f ms, min %.3f ms\n",
                options.benchmark, times[times.size() / 2], times.front());
  }
  tcc_model_free(model);
  return agree ? 0 : 2;
}

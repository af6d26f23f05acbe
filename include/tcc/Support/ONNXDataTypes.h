//===- ONNXDataTypes.h - TensorProto data types newer than libonnx -*- C++ -*-===//
//
// The ONNX library tcc builds against predates the narrow data types; their
// numbers are fixed by onnx.proto (TensorProto.DataType), and the fields that
// carry them are plain int32. Shared by the ONNX frontend and tcc-run (which
// reads .pb tensors and includes no compiler header): no dependencies.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_SUPPORT_ONNXDATATYPES_H
#define TCC_SUPPORT_ONNXDATATYPES_H

#include <cstdint>

namespace tcc::onnx_types {

enum NarrowDataType : int32_t {
  FLOAT8E4M3FN = 17,
  FLOAT8E4M3FNUZ = 18,
  FLOAT8E5M2 = 19,
  FLOAT8E5M2FNUZ = 20,
  UINT4 = 21,
  INT4 = 22,
  FLOAT4E2M1 = 23,
  FLOAT8E8M0 = 24,
  UINT2 = 25,
  INT2 = 26,
};

/// The name onnx.proto gives a narrow data type, or nullptr.
inline const char *narrowDataTypeName(int32_t type) {
  switch (type) {
  case FLOAT8E4M3FN: return "FLOAT8E4M3FN";
  case FLOAT8E4M3FNUZ: return "FLOAT8E4M3FNUZ";
  case FLOAT8E5M2: return "FLOAT8E5M2";
  case FLOAT8E5M2FNUZ: return "FLOAT8E5M2FNUZ";
  case UINT4: return "UINT4";
  case INT4: return "INT4";
  case FLOAT4E2M1: return "FLOAT4E2M1";
  case FLOAT8E8M0: return "FLOAT8E8M0";
  case UINT2: return "UINT2";
  case INT2: return "INT2";
  default: return nullptr;
  }
}

} // namespace tcc::onnx_types

#endif // TCC_SUPPORT_ONNXDATATYPES_H

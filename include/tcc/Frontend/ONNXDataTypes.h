//===- ONNXDataTypes.h - TensorProto data types newer than libonnx -*- C++ -*-===//
//
// The numbers live in tcc/Support/ONNXDataTypes.h, which tcc-run shares
// without depending on the frontend.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_FRONTEND_ONNXDATATYPES_H
#define TCC_FRONTEND_ONNXDATATYPES_H

#include "tcc/Support/ONNXDataTypes.h"

#endif // TCC_FRONTEND_ONNXDATATYPES_H

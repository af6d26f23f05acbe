//===- TextSyntax.cpp - ModelProto from the ONNX text syntax --------------===//
//
// ONNX's parser reports most syntax errors as a status but throws where it
// converts a number ("-inf", "1e999" as float, an int64 past its range). tcc
// is built without exceptions; this file alone is built with them, so that
// no exception leaves the parser.
//
//===----------------------------------------------------------------------===//

#include "Importer.h"

#include "onnx/defs/parser.h"

#include <exception>

namespace tcc::onnx_frontend {

std::optional<std::string> parseTextSyntax(const std::string &text,
                                           onnx::ModelProto &model) {
  try {
    onnx::Status status = onnx::OnnxParser::Parse(model, text.c_str());
    if (!status.IsOK())
      return status.ErrorMessage();
  } catch (const std::exception &error) {
    return std::string("a value does not convert (") + error.what() + ")";
  }
  return std::nullopt;
}

} // namespace tcc::onnx_frontend

//===- RunErrors.h - Errors a model reports while it runs --------*- C++
//-*-===//
//
// Computation tcc cannot build for the compiled shapes (an If branch whose
// ops do not hold for them) becomes a call of an error hook, numbered by
// its message. The messages live on the module until the artifact records
// them for the runtime, which reports the one a failed run returns.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_SUPPORT_RUNERRORS_H
#define TCC_SUPPORT_RUNERRORS_H

#include "llvm/ADT/StringRef.h"

namespace tcc {

/// The module attribute listing the run-time error messages; a message's
/// number is its position plus one.
inline constexpr llvm::StringLiteral kRunErrorsAttr = "tcc.run_errors";

/// The function a model calls, with the error's number, when it fails
/// while running; the artifact defines it.
inline constexpr llvm::StringLiteral kRunErrorHook = "tcc_run_error";

} // namespace tcc

#endif // TCC_SUPPORT_RUNERRORS_H

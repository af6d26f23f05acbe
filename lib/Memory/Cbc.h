//===- Cbc.h - What the CBC-based solvers share ---------------*- C++ -*-===//
//
// Internal to lib/Memory: the placement ILP and the residency ILP set CBC up
// the same way and must not run at the same time.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_MEMORY_CBC_H
#define TCC_LIB_MEMORY_CBC_H

#include <chrono>
#include <mutex>

class CbcModel;

namespace tcc::memory {

using Clock = std::chrono::steady_clock;

inline double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// CBC and CLP keep global state in places (message handlers, statics):
/// one model at a time in the process, whichever solver builds it.
std::mutex &cbcMutex();

/// Silences `model` and limits it to `seconds` of wall-clock time, with a
/// margin: CBC looks at the clock only between nodes and after the root's
/// cuts.
void limitQuietly(CbcModel &model, double seconds);

} // namespace tcc::memory

#endif // TCC_LIB_MEMORY_CBC_H

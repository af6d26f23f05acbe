//===- Cbc.cpp - What the CBC-based solvers share -----------------------===//

#include "Cbc.h"

#include "coin/CbcModel.hpp"

#include <algorithm>

std::mutex &tcc::memory::cbcMutex() {
  static std::mutex mutex;
  return mutex;
}

void tcc::memory::limitQuietly(CbcModel &model, double seconds) {
  model.setLogLevel(0);
  model.messageHandler()->setLogLevel(0);
  model.setUseElapsedTime(true);
  model.setMaximumSeconds(std::max(0.8 * seconds, 0.01));
}

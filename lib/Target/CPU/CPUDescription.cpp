//===- CPUDescription.cpp - The description of a CPU from its LLVM name -===//
//
// `--cpu` names a CPU as LLVM does (`native`, `x86-64-v3`, `znver3`,
// `skylake-avx512`); its ISA features come from LLVM's subtarget tables (the
// host's from cpuid for `native`), its caches from the kernel for the host
// and from typical sizes otherwise.
//
//===----------------------------------------------------------------------===//

#include "tcc/Target/CPU.h"

#include "Target/TargetDialect.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <thread>

using namespace mlir;
using tcc::target::TargetDescAttr;

namespace {

/// Bytes in one cache level of the host as the kernel reports it ("48K"),
/// 0 where it does not.
int64_t hostCacheBytes(int level, bool data) {
  for (int index = 0; index < 8; ++index) {
    std::string dir =
        "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index);
    auto read = [&](StringRef file) -> std::string {
      auto buffer = llvm::MemoryBuffer::getFileAsStream(dir + "/" + file.str());
      return buffer ? (*buffer)->getBuffer().trim().str() : std::string();
    };
    std::string levelText = read("level");
    if (levelText.empty())
      break;
    StringRef type = read("type") == "Instruction" ? "i" : "d";
    if (std::to_string(level) != levelText || (data && type == "i"))
      continue;
    std::string sizeText = read("size");
    StringRef size = sizeText;
    int64_t value = 0;
    int64_t scale = size.consume_back("K") ? 1024
                    : size.consume_back("M") ? 1024 * 1024
                                             : 1;
    if (size.getAsInteger(10, value))
      return 0;
    return value * scale;
  }
  return 0;
}

} // namespace

FailureOr<TargetDescAttr>
tcc::cpu::describeCPU(MLIRContext *context, const TargetOptions &options) {
  llvm::Triple triple;
  const llvm::Target *llvmTarget = lookupHostLLVMTarget(triple);
  if (!llvmTarget)
    return failure();
  bool native = options.cpu == "native";
  std::string cpu = native ? llvm::sys::getHostCPUName().str() : options.cpu;
  // LLVM warns on stderr about a CPU it does not know as it builds the
  // subtarget: ask a generic one first.
  std::unique_ptr<llvm::MCSubtargetInfo> generic(
      llvmTarget->createMCSubtargetInfo(triple, "", ""));
  if (!generic || !generic->isCPUStringValid(cpu)) {
    llvm::errs() << "tcc: error: unknown CPU '" << options.cpu
                 << "' (an LLVM CPU name such as native, x86-64-v3, "
                    "x86-64-v4, znver3 or skylake-avx512)\n";
    return failure();
  }
  // The features the artifact records (those of tcc/Support/X86Features.def
  // the target machine enables): the description lists the same.
  CPUOptions cpuOptions;
  cpuOptions.cpu = options.cpu;
  FailureOr<ArtifactTarget> resolved = resolveCPUTarget(cpuOptions);
  if (failed(resolved))
    return failure();
  Builder builder(context);
  SmallVector<Attribute> present;
  for (const std::string &feature : resolved->features)
    present.push_back(builder.getStringAttr(feature));
  auto has = [&](StringRef feature) {
    return llvm::is_contained(resolved->features, feature);
  };
  bool avx512 = has("avx512f");
  int64_t vectorBits = avx512 ? 512 : has("avx") ? 256 : 128;
  int64_t vectorRegisters = avx512 ? 32 : 16;

  // A named CPU may not be the machine tcc runs on: typical sizes of its
  // generation, which only steer tile sizes.
  int64_t l1 = native ? hostCacheBytes(1, true) : 0;
  int64_t l2 = native ? hostCacheBytes(2, true) : 0;
  int64_t l3 = native ? hostCacheBytes(3, true) : 0;
  if (!l1)
    l1 = 32 * 1024;
  if (!l2)
    l2 = avx512 ? 1024 * 1024 : 512 * 1024;
  if (!l3)
    l3 = 8 * 1024 * 1024;
  int64_t threads = options.threads;
  if (threads <= 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  return TargetDescAttr::get(context, "cpu", cpu, builder.getArrayAttr(present),
                             vectorBits, vectorRegisters, l1, l2, l3, threads);
}

std::string tcc::cpu::hostFeatureString() {
  SmallVector<std::string> enabled;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    enabled.push_back((feature.second ? "+" : "-") + feature.first().str());
  return llvm::join(enabled, ",");
}

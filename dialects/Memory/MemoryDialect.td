//===- MemoryDialect.td - Memory plans: spaces, buffers, placements -----===//

#ifndef TCC_MEMORY_DIALECT_TD
#define TCC_MEMORY_DIALECT_TD

include "mlir/IR/OpBase.td"

def Memory_Dialect : Dialect {
  let name = "memory";
  let cppNamespace = "::tcc::memory";
  let summary = "Memory plans: which buffer lives where, and when";
  let description = [{
    A plan is a `memory.space` (an arena in host memory today; device memory
    or a scratchpad later) holding one `memory.buffer` per planned buffer:
    its size, its lifetime on the final op order and its placement, an
    offset in the space or spilled out of it. The arena planner prints the
    plan it made in this form; a plan written by hand can be checked by the
    verifier and solved by `tcc-place-buffers`.
  }];
}

class Memory_Op<string mnemonic, list<Trait> traits = []>
    : Op<Memory_Dialect, mnemonic, traits>;

#endif // TCC_MEMORY_DIALECT_TD

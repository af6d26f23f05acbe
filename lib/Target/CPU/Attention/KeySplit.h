//===- KeySplit.h - Flash-Decoding for the CPU's attention kernel -*- C++
//-*-===//
//
// A decode step has too few tasks (batch x KV heads x query tiles) to keep
// the threads busy. The attention kernel then splits each task's keys into
// chunks, a task each, which leave their rows' partial state in a buffer;
// these functions choose the chunks and merge the partial states.
//
//===----------------------------------------------------------------------===//

#ifndef TCC_LIB_TARGET_CPU_ATTENTION_KEYSPLIT_H
#define TCC_LIB_TARGET_CPU_ATTENTION_KEYSPLIT_H

#include "Graph/GraphOps.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace tcc::cpu::attention {

/// Chunks to split each of `tasks` tasks' keys into (`blocks` key blocks)
/// for `threads` threads: as many as give every thread two tasks, each of
/// at least 8 blocks, so that a chunk's walk outweighs its partial state's
/// write and merge; 1 where the tasks suffice. `tcc.key_chunks` on the op
/// overrides the choice.
int64_t chooseKeyChunks(graph::AttentionOp op, int64_t tasks, int64_t blocks,
                        int64_t threads);

/// The partial states of `chunks` chunks: [B, Hq, S, chunks, Dv + 2], per
/// row and chunk the output not yet divided by the sum, then the max (in
/// log2(e) units) and the sum.
mlir::RankedTensorType partialsType(mlir::RankedTensorType resultType,
                                    int64_t chunks);

/// The attention's result (`resultType`) from the chunks' partial states,
/// row by row in vectors of `lanes`: with M the largest of a row's maxima,
/// chunk c's sum and output count 2^(m_c - M) times.
mlir::Value mergeKeyChunks(mlir::ImplicitLocOpBuilder &b, mlir::Value partials,
                           mlir::RankedTensorType resultType, int64_t lanes);

} // namespace tcc::cpu::attention

#endif // TCC_LIB_TARGET_CPU_ATTENTION_KEYSPLIT_H

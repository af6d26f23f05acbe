//===- MemoryOps.td - The ops of a memory plan --------------------------===//

#ifndef TCC_MEMORY_OPS_TD
#define TCC_MEMORY_OPS_TD

include "Memory/MemoryDialect.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/IR/OpBase.td"

def Memory_SpaceOp : Memory_Op<"space", [
    Symbol, SymbolTable, IsolatedFromAbove, NoTerminator, SingleBlock,
    NoRegionArguments]> {
  let summary = "A memory space and the buffers planned in it";
  let description = [{
    A range of bytes buffers are placed in. Every offset is a multiple of
    `alignment` (and of a buffer's own alignment, if it has one); with a
    `capacity`, no buffer may end past it. `size`, when present, is the
    bytes the plan needs: no placed buffer ends past it. Two buffers whose
    lifetimes share an op must not share a byte.

    ```mlir
    memory.space @arena alignment 64 size 512 {
      memory.buffer @a size 256 live [0, 1] offset 0
      memory.buffer @b size 256 live [1, 2] offset 256
      memory.buffer @c size 256 live [2, 3] offset 0
    }
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    I64Attr:$alignment,
    OptionalAttr<I64Attr>:$capacity,
    OptionalAttr<I64Attr>:$size
  );
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $sym_name `alignment` $alignment (`capacity` $capacity^)? (`size` $size^)?
    attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::llvm::StringRef":$name, "int64_t":$alignment)>
  ];
  let extraClassDeclaration = [{
    /// The highest end of a placed buffer (0 for none).
    int64_t getPlacedBytes();
  }];
}

def Memory_BufferOp : Memory_Op<"buffer", [Symbol, HasParent<"SpaceOp">]> {
  let summary = "A buffer: its size, lifetime and placement";
  let description = [{
    `live [first, last]` are the positions, both included, of the first and
    the last op on the final op order that touch the buffer. A buffer has
    an `offset` in its space, is `spilled` out of it, or is not placed yet
    (neither: a problem for `tcc-place-buffers`). `align` overrides the
    space's alignment for this buffer.

    `uses`, when present, are the ops that touch the buffer, increasing
    within its lifetime: the first writes it, the others read it. They cut
    the buffer's life into segments, one between each two consecutive uses
    (both included), and in a space with a capacity the buffer may be
    resident for some segments and out of the space for others:
    `offsets [...]` gives each segment's offset, or `spilled`. Consecutive
    resident segments are one stay and keep their offset; after a spilled
    one the buffer may come back at another.

    ```mlir
    memory.buffer @conv1 size 802816 live [3, 5] offset 0
    memory.buffer @skip size 4096 live [2, 9] align 128 spilled
    memory.buffer @x size 64 live [0, 9] uses [1, 2, 8, 9] offsets [0, spilled, 128]
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    I64Attr:$size,
    I64Attr:$first,
    I64Attr:$last,
    OptionalAttr<DenseI64ArrayAttr>:$uses,
    OptionalAttr<I64Attr>:$align,
    OptionalAttr<I64Attr>:$offset,
    UnitAttr:$spilled,
    OptionalAttr<DenseI64ArrayAttr>:$segment_offsets
  );
  let assemblyFormat = [{
    $sym_name `size` $size `live` ` ` `[` $first `,` $last `]`
    (`uses` custom<Positions>($uses)^)?
    (`align` $align^)? (`offset` $offset^)? (`spilled` $spilled^)?
    (`offsets` custom<SegmentOffsets>($segment_offsets)^)? attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The alignment the offset must have: the buffer's own, else its
    /// space's.
    int64_t getEffectiveAlignment();
    /// `uses`, or `first` and `last` (once if equal).
    ::llvm::SmallVector<int64_t, 4> getUsePoints();
    /// The segments between consecutive uses (one for a buffer used once).
    size_t getSegmentCount();
    /// The spans this buffer holds bytes of its space: [first, last] at its
    /// offset, or each run of resident segments at theirs; as (first op,
    /// last op, offset).
    ::llvm::SmallVector<std::tuple<int64_t, int64_t, int64_t>> getStays();
  }];
}

#endif // TCC_MEMORY_OPS_TD

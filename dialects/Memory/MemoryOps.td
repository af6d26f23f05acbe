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

    ```mlir
    memory.buffer @conv1 size 802816 live [3, 5] offset 0
    memory.buffer @skip size 4096 live [2, 9] align 128 spilled
    ```
  }];
  let arguments = (ins
    SymbolNameAttr:$sym_name,
    I64Attr:$size,
    I64Attr:$first,
    I64Attr:$last,
    OptionalAttr<I64Attr>:$align,
    OptionalAttr<I64Attr>:$offset,
    UnitAttr:$spilled
  );
  let assemblyFormat = [{
    $sym_name `size` $size `live` ` ` `[` $first `,` $last `]`
    (`align` $align^)? (`offset` $offset^)? (`spilled` $spilled^)? attr-dict
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The alignment the offset must have: the buffer's own, else its
    /// space's.
    int64_t getEffectiveAlignment();
  }];
}

#endif // TCC_MEMORY_OPS_TD

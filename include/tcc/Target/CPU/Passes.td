//===- Passes.td - CPU code generation passes of tcc ---------------------===//

#ifndef TCC_TARGET_CPU_PASSES_TD
#define TCC_TARGET_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def CPUChooseKernelConfigs : Pass<"tcc-cpu-choose-kernel-configs", "mlir::func::FuncOp"> {
  let summary = "Choose each product's register and thread tiles for the target";
  let description = [{
    The strategy half of the CPU tiling. For each f32 matmul, batch matmul
    and convolution as a window product (tcc-cpu-conv-to-matmul), chooses
    from its shape, its operands and the module's `tcc.target` the register
    tile (rows x columns of accumulators kept in vector registers over the
    reduction), the thread tile (the output block one task computes),
    whether a rhs computed at run time is first copied into column panels,
    and, for a row vector times a matrix, the column chunks and reduction
    blocks; and writes them on the op:

      linalg.matmul {tcc.kernel_config = {pack_rhs,
          register_tile = array<i64: 6, 16>, thread_tile = array<i64: 60, 256>}}

    Before choosing it shapes the products for whole tiles: a product whose
    rows or columns no useful tile divides is split into a product of whole
    tiles and a remainder (each with its configuration), a few rows times a
    transposed operand becomes dot products, and transposes become
    generics. A product that already carries a configuration (written by
    hand in an experiment) keeps it. tcc-cpu-tile-and-vectorize applies the
    configurations.
  }];
  let options = [
    Option<"registerRows", "register-rows", "int64_t", /*default=*/"8",
           "Rows of the matmul register tile (default: from the target)">,
    Option<"registerCols", "register-cols", "int64_t", /*default=*/"32",
           "Columns of the matmul register tile, a multiple of the vector "
           "width (default: from the target)">,
    Option<"threadTileRows", "thread-tile-rows", "int64_t", /*default=*/"64",
           "Rows of the output one thread computes per task at most">,
    Option<"threadTileCols", "thread-tile-cols", "int64_t", /*default=*/"256",
           "Columns of the output one thread computes per task at most">
  ];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
    "mlir::bufferization::BufferizationDialect"
  ];
}

def CPUTileAndVectorize : Pass<"tcc-cpu-tile-and-vectorize", "mlir::func::FuncOp"> {
  let summary = "Tile linalg ops for threads, caches and registers, then vectorize";
  let description = [{
    Runs on linalg ops on tensors. A product (matmul, batch matmul, window
    product) is tiled as its `tcc.kernel_config` says (chosen by
    tcc-cpu-choose-kernel-configs; products without one get theirs from the
    same strategy first): thread tiles (`scf.forall`, one block of rows and
    columns per task), each walked in register tiles with the reduction
    innermost, one step at a time; the step becomes a `vector.contract`
    whose accumulator stays in registers once `tcc-cpu-lower-vectors`
    hoists its load and store out of the reduction loop. Constant weights
    are read from a copy packed at compile time into contiguous column
    panels of the register tile's width. The elementwise op computing a
    product's accumulator start (a bias broadcast) and an elementwise op
    that is its only user (an activation, a residual add) run in the
    product's thread tiles, before and after the tile's products, in place.
    Elementwise ops (transposes included) are tiled to the target's vector
    width along their innermost dim and vectorized; reductions along the
    innermost dims are split across threads by their outer dims and
    vectorized one row at a time. Ops that do not fit these shapes are left
    to the scalar lowering. A kernel configuration whose tiles do not
    divide its product is an error.
  }];
  let dependentDialects = [
    "mlir::linalg::LinalgDialect", "mlir::scf::SCFDialect",
    "mlir::tensor::TensorDialect", "mlir::vector::VectorDialect",
    "mlir::arith::ArithDialect", "mlir::affine::AffineDialect",
    "mlir::bufferization::BufferizationDialect"
  ];
}

def CPUFuseElementwise : Pass<"tcc-cpu-fuse-elementwise", "mlir::func::FuncOp"> {
  let summary = "Fuse chains of elementwise linalg ops, and nothing else";
  let description = [{
    An elementwise `linalg.generic` whose result feeds only another
    elementwise generic is inlined into it, so a chain (bias, activation,
    residual add) is one loop nest over memory. Unlike upstream's
    `linalg-fuse-elementwise-ops`, producers are never fused into
    contractions or reductions (where they would be recomputed per reduction
    step) and reshapes are not propagated into matmuls (which would turn
    them into generics the matmul tiling does not recognize).
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def CPUConvToMatmul : Pass<"tcc-cpu-conv-to-matmul", "mlir::func::FuncOp"> {
  let summary = "Rewrite 2-D convolutions as im2col copies feeding a matmul";
  let description = [{
    A batch-1 `linalg.conv_2d_nchw_fchw` computes, for each output channel
    f and output pixel p, the dot product of filter row f (C*KH*KW values)
    with the input patch under p. Materializing the patches as columns
    (`col[c, kh, kw, oh, ow] = in[c, oh*s + kh*d, ow*s + kw*d]`, one affine
    `linalg.generic`) turns the convolution into `filter[F, C*KH*KW] x
    col[C*KH*KW, OH*OW]`, which the matmul tiling runs near the FMA peak.
    A 1x1 convolution with unit stride needs no copy: the input already is
    the column matrix. Over a few pixels (a 7x7 map, see
    `pixel-major-columns`) with a constant filter, the product runs the
    other way round: channels-last patches[P, KH*KW*C] times the filter
    rearranged at compile time, the filters as the product's columns.
    A convolution of unit stride whose start is a fill or a per-channel bias
    writes no patches at all: with the input laid out flat at a row pitch S
    (its zero padding rebuilt as one gap between rows), tap (kh, kw) of
    output column n reads the input at n + kh*dh*S + kw*dw, and the
    convolution is a `linalg.generic` product over those shifted windows
    (see `window-product-columns`), whose register tiles the CPU tiling
    runs as matmuls. Each output row carries S - OW columns that are
    computed and dropped.
  }];
  let options = [
    Option<"pixelMajorBelow", "pixel-major-columns", "int64_t", /*default=*/"32",
           "Convolutions with a constant filter over fewer output pixels than "
           "twice this (the matmul register tile's columns), and not a "
           "multiple of it, run as patches[P, KH*KW*C] x filter^T, pixels "
           "as rows; 0 never">,
    Option<"windowColumns", "window-product-columns", "int64_t", /*default=*/"32",
           "Convolutions of unit stride run as a product over shifted windows "
           "of their input laid out flat (no patch matrix), the output's "
           "columns rounded up to a multiple of this (the register tile's); "
           "0 never">,
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of one vector register (default: the target's): "
           "pixel-major products need whole vectors of filters">
  ];
  let dependentDialects = ["mlir::linalg::LinalgDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect"];
}

def CPULowerAttention : Pass<"tcc-cpu-lower-attention", "mlir::func::FuncOp"> {
  let summary = "graph.attention as a tiled online-softmax kernel";
  let description = [{
    FlashAttention-2 on the CPU: each task takes one or two register tiles
    of query rows of one head and walks the keys in blocks of two vectors.
    A block's scores `Q Kᵀ` are computed in registers (the keys transposed
    once per head, so a vector holds the scores of consecutive keys), the
    row's reference maximum and the sum are updated (the output
    accumulator rescaled only when a score passes the reference by 2^8)
    and the block's `P V` added to it. No `S x T` tensor exists: memory grows with the
    sequence, not its square. Causal tiles stop at their last visible key.
    Tasks (batch x head x query tile) are an `scf.forall`; where they are
    fewer than two a thread and the keys many (a decode step), each task's
    keys are split into chunks across threads and the chunks' partial
    maxima, sums and outputs merged (Flash-Decoding; `tcc.key_chunks` on
    the op fixes the count). Tile sizes come from the target description's
    lanes, registers and threads.

    Attention the kernel does not cover (element types other than f32,
    dynamic shapes, value heads no whole number of vectors wide) is
    decomposed into matmul, softmax and matmul (tcc-decompose-attention).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
                           "mlir::math::MathDialect", "mlir::memref::MemRefDialect",
                           "tcc::graph::GraphDialect"];
}

def CPUChooseDepthwiseForm : Pass<"tcc-cpu-choose-depthwise-form", "mlir::func::FuncOp"> {
  let summary = "Pick, per depthwise convolution, the form graph-to-linalg lowers it to";
  let description = [{
    A depthwise graph.conv whose output rows are narrower than a vector of
    the module's target (`#tcc.target`: 16 f32 lanes with AVX-512, 8 with
    AVX2) gets `tcc.flat_plane_lanes`, and the conversion computes it over
    flattened image planes that fill whole vectors; rows of a vector or more
    (7 or more for a strided convolution, whose planes would be a copy of
    the whole input) stay windows of the padded input. The choice is the
    target's, so the conversion itself assumes no vector length.
  }];
}

def CPULowerQuantized : Pass<"tcc-cpu-lower-quantized", "mlir::func::FuncOp"> {
  let summary = "quantized.matmul against constant weights as integer dot products";
  let description = [{
    The weights are packed at compile time into column panels laid out for
    the target's integer dot instruction: `vpdpbusd` (AVX-512 VNNI, or AVX
    VNNI at 8 lanes) for unsigned activations times signed weights with
    zero weight zero points, 4 byte products per i32 lane, the activations'
    zero point subtracted at the end through the weights' column sums;
    `vpmaddwd` (AVX2, AVX-512 BW) otherwise, on i16 operands with both zero
    points subtracted first. Register tiles of rows x 2 vectors of columns
    accumulate in i32; tasks (`scf.forall`) are column panels.

    Products the kernel does not cover (weights not constant, batched
    weights, a zero point per lhs row, no AVX2) are decomposed into i32
    graph ops (tcc-decompose-quantized).
  }];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
                           "mlir::LLVM::LLVMDialect", "tcc::graph::GraphDialect"];
}

def CPULowerConvBlocks : Pass<"tcc-cpu-lower-conv-blocks", "mlir::func::FuncOp"> {
  let summary = "Run inverted-residual fused blocks tile by tile of output rows";
  let description = [{
    Lowers each `graph.fused_block "inverted_residual"` whose
    intermediates do not fit the L2 cache to a loop over tiles of
    its output rows. A tile slices the block input's rows it needs (the
    depthwise's halo included), applies the block's ops to that slice (the
    expand to those rows only, the depthwise with its row padding kept only
    where the tile touches the image border) and inserts its output rows
    into the block's result; the residual add reads the tile's own rows of
    the input. Tiles away from the borders have one shape and run as an
    `scf.for`; the first and last tiles (border padding, a remainder) are
    peeled. The expanded tensor therefore exists one tile at a time, halo
    rows recomputed by the neighbouring tile; the ops of a tile lower as
    usual (graph to linalg, then the CPU tiling).

    The tile is the largest number of output rows whose intermediates
    (expanded rows, their padded copy, the depthwise rows) take at most
    `l2_bytes` of the target description. With `report`, a remark per
    block gives the tiles and how many expanded rows they compute in all
    (halo rows are computed by both tiles that read them). Every other fused block
    (other kinds, blocks that fit the cache whole, shapes the lowering does
    not know) is inlined back into its ops.
  }];
  let options = [
    Option<"tileRows", "tile-rows", "int64_t", /*default=*/"0",
           "Output rows per tile (0: from the L2 size)">,
    Option<"l2Bytes", "l2-bytes", "int64_t", /*default=*/"0",
           "L2 bytes per core to size tiles for (0: the target "
           "description's, else 512 KiB)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Remark each block's tiles and recomputed rows">
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::tensor::TensorDialect",
                           "mlir::arith::ArithDialect", "tcc::graph::GraphDialect"];
}

def CPULowerVectors : Pass<"tcc-cpu-lower-vectors", "mlir::func::FuncOp"> {
  let summary = "Hoist accumulators out of reduction loops and lower vector ops to FMAs";
  let description = [{
    Runs after bufferization: moves loop-invariant `vector.transfer_read` /
    `transfer_write` pairs out of loops (so a matmul accumulator lives in
    registers across its reduction), then lowers `vector.contract` through
    outer products to `vector.fma`, and transfers to loads, stores and
    broadcasts, ready for `convert-vector-to-llvm`.
  }];
  let options = [
    Option<"vectorWidth", "vector-width", "int64_t", /*default=*/"16",
           "f32 lanes of one vector register (default: the target's): "
           "copies in contiguous runs shorter than this stay "
           "loops, and the tiling's vector-width square transposes lower "
           "to shuffles (a 16x16 network at 16 lanes)">
  ];
  let dependentDialects = ["mlir::vector::VectorDialect", "mlir::memref::MemRefDialect"];
}

#endif // TCC_TARGET_CPU_PASSES_TD

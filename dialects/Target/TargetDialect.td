//===- TargetDialect.td - Target descriptions that passes read ----------===//

#ifndef TCC_TARGET_DIALECT_TD
#define TCC_TARGET_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Tcc_Dialect : Dialect {
  let name = "tcc";
  let cppNamespace = "::tcc::target";
  let summary = "Descriptions of the machines tcc generates code for";
  let description = [{
    The `tcc` dialect holds no operations: it defines the target description
    attached to a module as `tcc.target`. Code generation passes read the
    machine they tile and vectorize for from it (vector width, register
    count, caches, threads) instead of their own defaults, so the same pass
    serves an AVX2 laptop, an AVX-512 server and, later, a GPU or the
    accelerator, and a lit test can run one pass under two descriptions.
  }];
  let useDefaultAttributePrinterParser = 1;
}

def Tcc_TargetDescAttr : AttrDef<Tcc_Dialect, "TargetDesc"> {
  let mnemonic = "target";
  let summary = "The machine a module's code is generated for";
  let description = [{
    `kind` names the registered target (`cpu`); `cpu` is the LLVM CPU name
    the code is compiled for (the host's resolved name for `--cpu=native`)
    and `features` the ISA extensions it may use (`avx2`, `fma`,
    `avx512f`, ...), which the artifact records and the runtime checks at
    load. `vector_bits` and `vector_registers` are the vector register file
    the tiling plans for; `l1_bytes`, `l2_bytes` (per core) and `l3_bytes`
    (shared) the data caches; `threads` the number of threads the parallel
    loops are split for.

    ```mlir
    module attributes {tcc.target = #tcc.target<kind = "cpu",
        cpu = "x86-64-v3", features = ["avx", "avx2", "fma", "f16c"],
        vector_bits = 256, vector_registers = 16, l1_bytes = 32768,
        l2_bytes = 524288, l3_bytes = 8388608, threads = 2>} {}
    ```
  }];
  let parameters = (ins
    StringRefParameter<"registered target name">:$kind,
    StringRefParameter<"LLVM CPU name">:$cpu,
    "::mlir::ArrayAttr":$features,
    "int64_t":$vector_bits,
    "int64_t":$vector_registers,
    "int64_t":$l1_bytes,
    "int64_t":$l2_bytes,
    "int64_t":$l3_bytes,
    "int64_t":$threads
  );
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The module attribute that holds a module's description.
    static constexpr ::llvm::StringLiteral kAttrName = "tcc.target";

    /// The description of the module around `op`, or null if it has none.
    static TargetDescAttr lookup(::mlir::Operation *op);

    /// Elements of `elementBits` bits in one vector register.
    int64_t getLanes(unsigned elementBits) const {
      return getVectorBits() / elementBits;
    }

    /// Whether the code may use the ISA extension `feature` (LLVM's name).
    bool hasFeature(::llvm::StringRef feature) const;
  }];
}

#endif // TCC_TARGET_DIALECT_TD

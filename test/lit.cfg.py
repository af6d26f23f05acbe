# lit configuration of tcc's test suite.
import os

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "tcc"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "CMakeLists.txt", "Inputs", "unit", "runtime.test.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tcc_obj_root, "test")

# `lit --param cpu=x86-64-v3`: tcc compiles for that CPU wherever a test does
# not name one (the driver's --cpu default comes from TCC_CPU). Without it,
# tests compile for the host (native), whatever TCC_CPU the caller has set.
# Such a run keeps its outputs apart (its own exec root), since ctest runs
# it beside the native one and the two would share every test's %t.
tcc_cpu = lit_config.params.get("cpu")
if tcc_cpu:
    config.environment["TCC_CPU"] = tcc_cpu
    config.name = f"tcc-{tcc_cpu}"
    config.available_features.add(f"cpu-{tcc_cpu}")
    config.test_exec_root = os.path.join(config.tcc_obj_root, f"test-{tcc_cpu}")

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tools = [
    ToolSubst("tcc-opt", unresolved="fatal"),
    ToolSubst("tcc", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.tcc_tools_dir])
tools = [ToolSubst("tcc-run", unresolved="fatal")]
llvm_config.add_tool_substitutions(tools, [config.tcc_tools_dir])

# Sanitized builds (-DTCC_SANITIZE=address,undefined): every tcc process a
# test starts is instrumented, and a report fails the test. LeakSanitizer is
# off: the driver exits without freeing its MLIR context, by design.
sanitizers = set(filter(None, config.tcc_sanitize.split(",")))
if "address" in sanitizers:
    config.available_features.add("asan")
    config.environment["ASAN_OPTIONS"] = "detect_leaks=0:allocator_may_return_null=1:allow_user_poisoning=0"
if "undefined" in sanitizers:
    config.available_features.add("ubsan")
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
if "thread" in sanitizers:
    config.available_features.add("tsan")
if config.tcc_fuzz in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("fuzz")
    tools = [ToolSubst(t, unresolved="fatal")
             for t in ("tcc-fuzz-onnx", "tcc-fuzz-onnxtxt", "tcc-fuzz-runtime")]
    llvm_config.add_tool_substitutions(tools, [config.tcc_tools_dir])

# The project's virtual environment: numpy, onnx and onnxruntime for
# references computed outside tcc.
# Under AddressSanitizer, Python preloads the ASan runtime the instrumented
# runtime library it loads needs (the tools link the same shared one).
if "address" in set(filter(None, config.tcc_sanitize.split(","))):
    config.substitutions.append(
        ("%tcc_python", f"env LD_PRELOAD={config.tcc_asan_runtime} {config.python_executable}"))
else:
    config.substitutions.append(("%tcc_python", config.python_executable))
config.substitutions.append(("%tcc_src_root", config.tcc_src_root))
config.substitutions.append(("%tcc_obj_root", config.tcc_obj_root))

# The ONNX backend node tests shipped with the onnx package (models and data).
import subprocess
_onnx_dir = subprocess.run(
    [config.python_executable, "-c", "import onnx, os; print(os.path.dirname(onnx.__file__))"],
    capture_output=True, text=True).stdout.strip()
config.substitutions.append(
    ("%tcc_node_tests", os.path.join(_onnx_dir, "backend", "test", "data", "node")))

# The host CPU's flags as the kernel reports them, for tests that need a
# feature to be absent (an artifact compiled for a CPU with AMX must be
# refused on a host without it).
_host_flags = set()
try:
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("flags"):
                _host_flags = set(line.split(":", 1)[1].split())
                break
except OSError:
    pass
if _host_flags and "amx_tile" not in _host_flags:
    config.available_features.add("host-lacks-amx")

# ctest's lit-x86-64-v3 reruns the end-to-end, model and Python tests for
# x86-64-v3 to reach the AVX2 code paths an AVX-512 host never takes. On a
# host without AVX-512 the native run already took them (the two differ only
# in tuning and cache sizes), so the rerun would only double the suite's
# longest part.
if tcc_cpu == "x86-64-v3" and _host_flags and "avx512f" not in _host_flags:
    lit_config.note("host has no AVX-512: its native run already covers "
                    "x86-64-v3's AVX2 code; this rerun is skipped")
    config.unsupported = True

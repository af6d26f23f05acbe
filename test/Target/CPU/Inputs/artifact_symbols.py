"""Compiles models with tcc for several CPUs and checks what each artifact
needs from the system when it is loaded.

An artifact may leave undefined only symbols that libc (with the dynamic
loader), libm, the OpenMP runtime it links (libomp) or the tcc runtime
define; anything else (a compiler-rt builtin such as __truncsfbf2, a libgcc
function) would make dlopen fail on a machine whose C compiler did not
provide it. Its DT_NEEDED entries must be among those libraries too. Weak
undefined symbols (__gmon_start__ and the like from the C startup files) do
not have to resolve and are not checked.

Prints one line per artifact that breaks a rule, naming the symbol or
library, then "checked N artifacts, M bad"; exits 1 when any is bad.

    artifact_symbols.py BUILD_DIR --cpu CPU [--cpu CPU...] MODEL.onnx...
        [--extra-cpu CPU]  (further CPUs for the small cast models only)
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile


def run(command):
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def system_library(name):
    """The path of a system library as the C compiler that links artifacts sees it."""
    path = run([os.environ.get("TCC_CC", "cc"), f"-print-file-name={name}"]).strip()
    if not os.path.isabs(path):
        sys.exit(f"artifact_symbols: cannot find {name} (cc -print-file-name)")
    return os.path.realpath(path)


def defined_symbols(library):
    symbols = set()
    for line in run(["nm", "-D", "--defined-only", library]).splitlines():
        parts = line.split()
        if len(parts) >= 3:
            symbols.add(parts[2].split("@")[0])
    return symbols


def dynamic_section(artifact):
    """(needed libraries, runpath directories) of an ELF shared library."""
    text = run(["readelf", "-d", artifact])
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.*?)\]", text)
    paths = []
    for found in re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*?)\]", text):
        paths += found.split(":")
    return needed, paths


def undefined_symbols(artifact):
    """Strongly undefined dynamic symbols, without their version suffix."""
    symbols = []
    for line in run(["nm", "-D", "--undefined-only", artifact]).splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-2] == "U":
            symbols.append(parts[-1].split("@")[0])
    return symbols


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("build_dir")
    parser.add_argument("models", nargs="+")
    parser.add_argument("--cpu", action="append", required=True)
    parser.add_argument("--extra-cpu", action="append", default=[],
                        help="also compile the models named *cast* for this CPU")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    tcc = os.path.join(args.build_dir, "bin", "tcc")
    runtime = os.path.join(args.build_dir, "lib", "libtcc_runtime.so")
    glibc = [system_library(name) for name in ("libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2")]
    allowed_libraries = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libomp.so.5",
                         "libomp.so", "libtcc_runtime.so"}
    allowed = set()
    for library in glibc + [runtime]:
        allowed |= defined_symbols(library)

    jobs = []
    for model in dict.fromkeys(args.models):  # once each, in order
        cpus = args.cpu + (args.extra_cpu if "cast" in model else [])
        jobs += [(model, cpu) for cpu in cpus]

    omp_symbols = {}

    def check(tmp, index, model, cpu):
        name = os.path.basename(os.path.dirname(model)) if model.endswith("/model.onnx") \
            else os.path.basename(model)
        label = f"{name} --cpu={cpu}"
        artifact = os.path.join(tmp, f"{index}.so")
        compiled = subprocess.run([tcc, model, f"--cpu={cpu}", "-o", artifact],
                                  capture_output=True, text=True)
        if compiled.returncode:
            return [f"{label}: compile error: {compiled.stderr.strip()[:300]}"]
        problems = []
        needed, runpath = dynamic_section(artifact)
        for library in needed:
            if library not in allowed_libraries:
                problems.append(f"{label}: needs library {library}, not libc, libm, "
                                "the OpenMP runtime or the tcc runtime")
        # The OpenMP runtime is the one the artifact's run path leads to.
        known = set(allowed)
        for directory in runpath:
            omp = os.path.join(directory, "libomp.so.5")
            if os.path.exists(omp):
                if omp not in omp_symbols:
                    omp_symbols[omp] = defined_symbols(omp)
                known |= omp_symbols[omp]
                break
        for symbol in undefined_symbols(artifact):
            if symbol not in known:
                problems.append(f"{label}: undefined symbol {symbol} is not defined by libc, "
                                "libm, the OpenMP runtime or the tcc runtime")
        return problems

    with tempfile.TemporaryDirectory(prefix="tcc-symbols-") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda job: check(tmp, job[0], *job[1]), enumerate(jobs)))
    bad = 0
    for problems in results:
        for line in problems:
            print(line)
        bad += bool(problems)
    print(f"checked {len(jobs)} artifacts, {bad} bad")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

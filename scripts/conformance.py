#!/usr/bin/env python3
"""Runs the ONNX backend tests through tcc on the CPU: the node tests and the
model tests shipped beside them (`--suites`: the PyTorch-converted modules
and operators, exported at opset 6, and the simple models).

Each test's model is compiled with `tcc --target=cpu`, run with `tcc-run` on
every stored test data set, and compared with the stored outputs at the ONNX
backend runner's tolerances (rtol 1e-3, atol 1e-7). Prints pass / fail /
unsupported counts, writes a per-op table, and checks the results against the
committed list of known failures: a test that fails but is not listed, or is
listed but passes, fails the run. Tests in test/conformance/cpu-dependent.txt
pass on some CPUs and fail on others (the reason is written beside them):
they count as they come out but fail the run neither way.

    build/venv/bin/python scripts/conformance.py [--jobs N] [--filter REGEX]
        [--cpu NAME] [--report docs/conformance.md] [--update-known-failures]

With --import-only it stops after the frontend and reports how many models
import and verify, and for each that does not (with --verbose) the node, op,
opset and reason.
"""
import argparse
import collections
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import tempfile

import onnx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KNOWN_FAILURES = os.path.join(ROOT, "test", "conformance", "known-failures.txt")
CPU_DEPENDENT = os.path.join(ROOT, "test", "conformance", "cpu-dependent.txt")


def read_names(path):
    """The test names of a list file: one a line, after it `#` comments."""
    if not os.path.exists(path):
        return set()
    names = (line.split("#", 1)[0].strip() for line in open(path))
    return {name for name in names if name}

# Types outside tcc's scope: tests using them are excluded from the figures.
EXCLUDED_VALUE_TYPES = ("sequence_type", "map_type", "optional_type")
TRAINING_DOMAINS = ("ai.onnx.preview.training",)


SUITES = ("node", "pytorch-converted", "pytorch-operator", "simple")


def suite_dir(suite):
    return os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", suite)


def excluded_reason(model):
    """Why a test is outside the supported scope, or None."""
    graph = model.graph
    for value in list(graph.input) + list(graph.output):
        kind = value.type.WhichOneof("value")
        if kind in EXCLUDED_VALUE_TYPES:
            return kind.replace("_type", "")
        if kind == "tensor_type" and value.type.tensor_type.elem_type == onnx.TensorProto.STRING:
            return "string"
    for node in graph.node:
        if node.domain in TRAINING_DOMAINS:
            return "training"
    return None


def ops_of(model):
    return sorted({(n.domain or "ai.onnx") + "::" + n.op_type if n.domain else n.op_type
                   for n in model.graph.node})


def graph_inputs(model):
    initializers = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


# Flags every compilation gets (--cpu).
TCC_FLAGS = []


def compile_model(tcc, model_path, artifact, timeout, bound=(), extra=()):
    """Returns None on success, else (status, message)."""
    command = [tcc, model_path, "-o", artifact, *TCC_FLAGS, *extra]
    for name, path in bound:
        command.append(f"--bind-input={name}={path}")
    try:
        compiled = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "fail", "compile timeout"
    if compiled.returncode == 0:
        return None
    message = (compiled.stderr.strip().splitlines() or ["no message"])[0]
    # Drop the file and location the diagnostic starts with.
    message = message.split("error: ", 1)[-1]
    status = "unsupported" if re.search(r"unsupported|not supported|not implemented",
                                        message, re.I) else "fail"
    if compiled.returncode < 0:
        status, message = "fail", f"compiler crashed (signal {-compiled.returncode})"
    return status, message[:200]


def numbered(paths):
    return sorted(paths, key=lambda p: int(re.search(r"_(\d+)\.pb$", p).group(1)))


# With --import-only, tests stop after the frontend: imported and verified
# graph IR (tcc --emit=graph) counts as a pass.
IMPORT_ONLY = False


def run_test(test_dir, build_dir, timeout):
    """Returns (status, reason): status is pass, fail, unsupported or excluded.

    Each data set is compiled for the shapes of its inputs (tcc
    --input-shape). Node tests often feed shape operands (axes, pads, target
    shapes, bounds) as graph inputs: when the model does not compile because
    such an operand must be constant, it is compiled with its integer and
    scalar inputs bound to the data set's values (tcc --bind-input) and run
    on the others."""
    name = os.path.basename(test_dir)
    model_path = os.path.join(test_dir, "model.onnx")
    model = onnx.load(model_path, load_external_data=False)
    reason = excluded_reason(model)
    if reason:
        return name, ops_of(model), "excluded", reason
    tcc = os.path.join(build_dir, "bin", "tcc")
    tcc_run = os.path.join(build_dir, "bin", "tcc-run")
    inputs_info = graph_inputs(model)
    with tempfile.TemporaryDirectory(prefix="tcc-conformance-") as tmp:
        artifact = os.path.join(tmp, "model.so")
        for data_set in sorted(glob.glob(os.path.join(test_dir, "test_data_set_*"))):
            inputs = numbered(glob.glob(os.path.join(data_set, "input_*.pb")))
            outputs = numbered(glob.glob(os.path.join(data_set, "output_*.pb")))
            tensors = [onnx.load_tensor(path) for path in inputs]
            shapes = []
            for info, tensor in zip(inputs_info, tensors):
                dims = "x".join(str(d) for d in tensor.dims) if tensor.dims else "scalar"
                shapes.append(f"--input-shape={info.name}={dims}")
            if IMPORT_ONLY:
                shapes.append("--emit=graph")
            failure = compile_model(tcc, model_path, artifact, timeout, extra=shapes)
            fed = inputs
            # Operands that tcc needs at compile time (shapes, axes, scales)
            # are graph inputs in some tests: bind them to the data set's
            # values, first the integer and scalar ones, then any small one
            # after the first input.
            integer = (onnx.TensorProto.INT64, onnx.TensorProto.INT32)
            choices = [
                lambda i, tensor: tensor.data_type in integer or not tensor.dims,
                lambda i, tensor: tensor.data_type in integer or not tensor.dims
                or (i > 0 and len(tensor.float_data) + len(tensor.raw_data) // 4 <= 64),
            ]
            for choose in choices:
                if not failure or "must be a constant" not in failure[1]:
                    break
                bind = [choose(i, tensor) for i, tensor in enumerate(tensors)]
                bound = [(info.name, path) for info, path, b in zip(inputs_info, inputs, bind) if b]
                fed = [path for path, b in zip(inputs, bind) if not b]
                kept = [flag for flag, b in zip(shapes, bind) if not b]
                failure = compile_model(tcc, model_path, artifact, timeout, bound, kept)
            if failure:
                return name, ops_of(model), failure[0], failure[1]
            if IMPORT_ONLY:
                break
            command = [tcc_run, artifact, "--quiet", "--rtol", "1e-3", "--atol", "1e-7"]
            for path in fed:
                command += ["--input", path]
            for path in outputs:
                command += ["--compare", path]
            try:
                ran = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return name, ops_of(model), "fail", "run timeout"
            if ran.returncode != 0:
                text = (ran.stdout + ran.stderr).strip().splitlines()
                detail = next((line for line in text if "MISMATCH" in line or "error" in line),
                              text[0] if text else f"exit code {ran.returncode}")
                if ran.returncode < 0:
                    detail = f"crashed (signal {-ran.returncode})"
                return name, ops_of(model), "fail", detail[:200]
    return name, ops_of(model), "pass", ""


def suite_counts(results, suite_of):
    """The status counts of each suite that ran, the node tests first."""
    counts = {}
    for name, _, status, _ in results:
        counts.setdefault(suite_of[name], collections.Counter())[status] += 1
    return dict(sorted(counts.items(), key=lambda item: (item[0] != "node", item[0])))


def write_report(path, results, suite_of):
    by_op = collections.defaultdict(collections.Counter)
    for name, ops, status, _ in results:
        for op in ops or ["(none)"]:
            by_op[op][status] += 1
    lines = [
        "# ONNX backend tests on the CPU",
        "",
        "Generated by `build/venv/bin/python scripts/conformance.py --report docs/conformance.md`",
        f"from the backend tests shipped with onnx {onnx.__version__}: the node tests, the",
        "modules and operators converted from PyTorch (opset 6) and the simple models.",
        "",
    ]
    for suite, counts in suite_counts(results, suite_of).items():
        in_scope = sum(counts.values()) - counts["excluded"]
        lines += [
            f"- {suite}: {sum(counts.values())} tests; excluded (sequence, map, optional, string or "
            f"training types): {counts['excluded']}; passed {counts['pass']} of {in_scope} in "
            f"scope ({100.0 * counts['pass'] / max(in_scope, 1):.1f}%); failed {counts['fail']}; "
            f"unsupported {counts['unsupported']}",
        ]
    lines += [
        "",
        "| op | pass | fail | unsupported | excluded |",
        "|---|---:|---:|---:|---:|",
    ]
    for op in sorted(by_op):
        c = by_op[op]
        lines.append(f"| {op} | {c['pass']} | {c['fail']} | {c['unsupported']} | {c['excluded']} |")
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", default=os.path.join(ROOT, "build"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--filter", default="", help="regex on test names")
    parser.add_argument("--suites", default=",".join(SUITES),
                        help="folders of onnx/backend/test/data to run (default: %(default)s)")
    parser.add_argument("--cpu", help="the CPU to compile for (tcc --cpu; by default "
                                      "tcc's: TCC_CPU when set, else native)")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--report", help="write the per-op table to this markdown file")
    parser.add_argument("--update-known-failures", action="store_true",
                        help="rewrite the known-failures list from this run")
    parser.add_argument("--verbose", action="store_true", help="print every non-passing test")
    parser.add_argument("--import-only", action="store_true",
                        help="stop after import: count the models that import and verify "
                             "(tcc --emit=graph); no known-failures check")
    args = parser.parse_args()
    global IMPORT_ONLY
    IMPORT_ONLY = args.import_only
    if args.cpu:
        TCC_FLAGS.append(f"--cpu={args.cpu}")

    suites = args.suites.split(",")
    tests = sorted((d for suite in suites for d in glob.glob(os.path.join(suite_dir(suite),
                                                                          "test_*"))
                    if re.search(args.filter, os.path.basename(d))),
                   key=os.path.basename)
    if not tests:
        sys.exit("conformance: no tests found in " + ", ".join(map(suite_dir, suites)))
    suite_of = {os.path.basename(d): os.path.basename(os.path.dirname(d)) for d in tests}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda d: run_test(d, args.build_dir, args.timeout), tests))

    counts = collections.Counter(status for _, _, status, _ in results)
    in_scope = len(results) - counts["excluded"]
    reasons = collections.Counter()
    for name, ops, status, reason in results:
        if status in ("fail", "unsupported"):
            reasons[f"{status}: {re.sub(r'[0-9]+', 'N', reason)[:120]}"] += 1
            if args.verbose:
                print(f"{status:12} {name}: {reason}")
    what = "imported and verified" if IMPORT_ONLY else "passed"
    print(f"backend tests: {len(results)}, in scope: {in_scope}, {what}: {counts['pass']} "
          f"({100.0 * counts['pass'] / max(in_scope, 1):.1f}%), failed: {counts['fail']}, "
          f"unsupported: {counts['unsupported']}, excluded: {counts['excluded']}")
    for suite, mine in suite_counts(results, suite_of).items():
        print(f"  {suite}: {sum(mine.values())} tests, {what} {mine['pass']}, "
              f"failed {mine['fail']}, unsupported {mine['unsupported']}, "
              f"excluded {mine['excluded']}")
    for reason, count in reasons.most_common(15):
        print(f"  {count:5} {reason}")
    if args.report:
        write_report(args.report, results, suite_of)
    if IMPORT_ONLY:
        return 0

    cpu_dependent = read_names(CPU_DEPENDENT)
    for name, _, status, _ in results:
        if name in cpu_dependent:
            print(f"cpu-dependent: {name}: {status}")
    failing = {name for name, _, status, _ in results
               if status in ("fail", "unsupported")} - cpu_dependent
    ran = {name for name, _, _, _ in results}
    if args.update_known_failures:
        os.makedirs(os.path.dirname(KNOWN_FAILURES), exist_ok=True)
        kept = set()
        if args.filter:
            kept = read_names(KNOWN_FAILURES) - ran
        with open(KNOWN_FAILURES, "w") as out:
            out.write("# ONNX backend tests tcc does not pass yet, one per line.\n"
                      "# Rewritten by scripts/conformance.py --update-known-failures.\n")
            out.write("\n".join(sorted(failing | kept)) + "\n")
        return 0
    known = read_names(KNOWN_FAILURES) - cpu_dependent
    regressions = sorted(failing - known)
    unexpected = sorted((known & ran) - failing - {n for n, _, s, _ in results if s == "excluded"})
    for name in regressions:
        print(f"REGRESSION: {name} fails and is not a known failure")
    for name in unexpected:
        print(f"UNEXPECTED PASS: {name} passes; remove it from {os.path.relpath(KNOWN_FAILURES, ROOT)}")
    return 1 if regressions or unexpected else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""Guards the determinism rules of DESIGN.md that a compiler will not check for us.

1. Every host compile uses -ffp-contract=off; every nvcc compile uses --fmad=false and passes
   -ffp-contract=off to its host compiler; nothing uses fast math.
2. No atomics in model code (kernels/, host/*.cuh, host/*.cu): sums that feed the state are
   integer reductions or pulls, never float atomics.
3. No libm transcendentals in kernels/: only detmath:: (own implementations) is allowed.

Usage: check_determinism_rules.py SOURCE_DIR COMPILE_COMMANDS_JSON. Exit 1 with the list of
violations, 0 if none.
"""
import json
import pathlib
import re
import sys

TRANSCENDENTAL = re.compile(
    r"(?<![\w:])(?:std::|::)?(exp|expf|exp2|log|logf|log2|log10|pow|powf|sin|sinf|cos|cosf|"
    r"tan|atan|atan2|atan2f|tanh|erf|erfc|sincos|sincosf|__expf|__logf|__sinf|__cosf)\s*\(")
ATOMIC = re.compile(r"\b(atomicAdd|atomicSub|atomicExch|atomicCAS|atomicMax|atomicMin|"
                    r"std::atomic|atomic_ref|#pragma omp atomic)")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def check_flags(commands):
    problems = []
    for entry in commands:
        cmd = entry.get("command") or " ".join(entry.get("arguments", []))
        src = entry["file"]
        if "-ffast-math" in cmd or "use_fast_math" in cmd or "-Ofast" in cmd:
            problems.append(f"{src}: fast math in {cmd}")
        if src.endswith(".cu"):
            if "--fmad=false" not in cmd:
                problems.append(f"{src}: nvcc without --fmad=false")
            if "-Xcompiler=-ffp-contract=off" not in cmd:
                problems.append(f"{src}: nvcc host code without -ffp-contract=off")
        elif "-ffp-contract=off" not in cmd:
            problems.append(f"{src}: host compile without -ffp-contract=off")
    return problems


def check_sources(root):
    problems = []
    model = list((root / "kernels").glob("*.cuh")) + list((root / "host").glob("*.cuh")) + \
        list((root / "host").glob("*.cu"))
    for path in model:
        text = strip_comments(path.read_text())
        for m in ATOMIC.finditer(text):
            problems.append(f"{path}: atomic operation '{m.group(0)}' in model code")
    for path in (root / "kernels").glob("*"):
        text = strip_comments(path.read_text())
        for m in TRANSCENDENTAL.finditer(text):
            line = text[text.rfind("\n", 0, m.start()) + 1:text.find("\n", m.start())]
            # Definitions inside detmath.cuh ("inline double exp(") are the implementation.
            if path.name == "detmath.cuh" and re.search(r"inline\s+\w+\s+" + m.group(1), line):
                continue
            problems.append(f"{path}: libm call '{m.group(0)}' in kernels/: use detmath::")
    return problems


def main():
    root, commands_path = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    commands = json.loads(commands_path.read_text())
    problems = check_flags(commands) + check_sources(root)
    if len(commands) < 5:
        problems.append(f"{commands_path}: only {len(commands)} compile commands")
    for p in problems:
        print(p)
    print(f"checked {len(commands)} compile commands: {len(problems)} violation(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

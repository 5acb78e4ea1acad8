#!/usr/bin/python3
"""The cross-machine view: every results/<machine>/ side by side.

  /usr/bin/python3 plots/machines.py [RESULTS_ROOT]     (default: the repository's results/)

Writes RESULTS_ROOT/MACHINES.md and RESULTS_ROOT/figures/machines.png (+ .svg) from the raw JSON
of every machine directory found there; runs no benchmark. What it shows:
  * ns per item of every implementation (the study's Python experiments, the C++ kernels of each
    machine's main compiler) at every size, one column per machine;
  * each machine's ratio to its own Numba run (py_numba time / implementation time: above 1 is
    faster than Numba on that machine), which is what can be compared across CPUs;
  * which conclusions hold on every machine (the fastest kernel per size, who beats Numba);
  * thread scaling of the multithreaded kernels where a machine measured it.
Works with one machine; every number is computed here from the files.
"""

import math
import os
import sys

import model

ROOT_FIGURE = "machines"
REPORT_NAME = "MACHINES.md"
NUMBA = "py_numba"
# The sizes of the ratio panel of the chart: the study's largest two.
CHART_SIZES = (10_000, 100_000)
# Sizes of the tables: the study's, then the bench's large ones.
TABLE_SIZES = (*model.STUDY_SIZES, 1_000_000, 10_000_000)
PLOTS_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ROOT = os.path.join(os.path.dirname(PLOTS_DIRECTORY), "results")


def machine_directories(root):
    """Subdirectories of root holding at least one JSON file, by name."""
    if not os.path.isdir(root):
        return []
    return sorted(os.path.join(root, d) for d in os.listdir(root)
                  if os.path.isdir(os.path.join(root, d))
                  and any(f.endswith(".json") for f in os.listdir(os.path.join(root, d))))


def load(root):
    return [model.Results(directory) for directory in machine_directories(root)]


def series(machines):
    """[(kind, implementation)] of the study's main rows: Python experiments first, then the C++
    kernels, each in the order of the first machine that has them."""
    python, cpp = [], []
    for results in machines:
        if results.python_source:
            python += [n for n in results.implementations(model.MAIN, results.python_source)
                       if n not in python]
        if results.primary_cpp:
            cpp += [n for n in results.implementations(model.MAIN, results.primary_cpp)
                    if n not in cpp]
    return [("python", n) for n in python] + [("cpp", n) for n in cpp]


def median(results, family, name, n):
    source = results.python_source if family == "python" else results.primary_cpp
    return results.median(model.MAIN, source, name, n) if source else None


def ratio_to_numba(results, family, name, n):
    numba = median(results, "python", NUMBA, n)
    own = median(results, family, name, n)
    return numba / own if numba and own else None


def describe(results):
    """One line of machine facts, from the result files only."""
    cpp = results.contexts.get(results.primary_cpp, {}) if results.primary_cpp else {}
    py = results.contexts.get(results.python_source, {}) if results.python_source else {}
    parts = [f"{results.cpu_model()}", f"{results.num_cpus() or '?'} logical CPUs"]
    if cpp:
        parts.append(f"SIMD {cpp.get('simd_isa_default', '?')} "
                     f"(supported: {cpp.get('simd_isas_supported', '?')})")
        parts.append(f"C++ `{results.primary_cpp}`: {cpp.get('compiler', '?')}")
    if py:
        parts.append(f"Python {py.get('python', '?')}, NumPy {py.get('numpy', '?')}, "
                     f"pandas {py.get('pandas') or 'absent'}, Numba {py.get('numba') or 'absent'}")
    date = cpp.get("date") or py.get("date")
    if date:
        parts.append(f"measured {date}")
    return "; ".join(parts)


def fastest_cpp(results, n):
    rows = results.select(model.MAIN, results.primary_cpp, n=n) if results.primary_cpp else []
    return min(rows, key=lambda r: r.stats.median) if rows else None


def conclusions(machines, shown):
    """Statements checked on every machine that has the rows, with each machine's figure."""
    said = []
    for n in TABLE_SIZES:
        best = {m.machine: fastest_cpp(m, n) for m in machines}
        best = {machine: row for machine, row in best.items() if row}
        if not best:
            continue
        kernels = {row.implementation for row in best.values()}
        if len(kernels) == 1:
            said.append(f"n = {model.format_size(n)}: the fastest C++ kernel is "
                        f"`{kernels.pop()}` on all {len(best)} machine(s) that ran this size.")
        else:
            said.append(f"n = {model.format_size(n)}: the fastest C++ kernel depends on the "
                        "machine: " + ", ".join(f"{machine} `{row.implementation}`"
                                                for machine, row in best.items()) + ".")
    for n in CHART_SIZES:
        groups = {"faster than": [], "slower than": [], "not consistently faster than": []}
        for family, name in shown:
            ratios = [value for value in (ratio_to_numba(m, family, name, n) for m in machines)
                      if value]
            if name == NUMBA or not ratios:
                continue
            faster = sum(value > 1 for value in ratios)
            verdict = ("faster than" if faster == len(ratios) else
                       "slower than" if faster == 0 else "not consistently faster than")
            spread = (f"{min(ratios):.3g}x" if min(ratios) == max(ratios) else
                      f"{min(ratios):.3g}-{max(ratios):.3g}x")
            groups[verdict].append(f"`{name}` {spread}")
        for verdict, entries in groups.items():
            if entries:
                said.append(f"n = {model.format_size(n)}, {verdict} Numba on every machine that "
                            "ran both (speed relative to that machine's Numba): "
                            + ", ".join(entries) + ".")
    return said


def text(machines, chart_path, root):
    shown = series(machines)
    lines = ["# aucrecall: every machine side by side", "",
             "Generated by `plots/machines.py` from the raw JSON under `results/`; do not edit by "
             "hand. Rebuild with `/usr/bin/python3 plots/render_all.py` (all machines) or "
             "`/usr/bin/python3 plots/machines.py`. Per-machine details, methods and spreads are "
             "in each machine's REPORT.md.", "", "## Machines", ""]
    for results in machines:
        lines.append(f"- [`{results.machine}`]({results.machine}/REPORT.md): {describe(results)}")
    lines.append("")
    if chart_path:
        relative = os.path.relpath(chart_path, root)
        lines += ["## Chart", "", f"![machines]({relative})",
                  f"([SVG]({os.path.splitext(relative)[0]}.svg)) Left: ns per item at "
                  f"n = {model.format_size(CHART_SIZES[-1])} (log). Right: each implementation's "
                  "speed relative to the same machine's Numba run (py_numba time / its time, "
                  "log; above 1 = faster than Numba).", ""]
    said = conclusions(machines, shown)
    if said:
        lines += ["## What holds across machines", "", *[f"- {s}" for s in said], ""]
    names = [m.machine for m in machines]
    sizes = [n for n in TABLE_SIZES if any(median(m, f, i, n) for m in machines for f, i in shown)]
    lines += ["## ns per item (median)", "",
              "Median time per call divided by n. Python: the study's experiments; C++: each "
              "machine's main compiler.", ""]
    table = []
    for n in sizes:
        for family, name in shown:
            values = [median(m, family, name, n) for m in machines]
            if any(values):
                table.append([model.format_size(n), f"`{name}`",
                              *[f"{v / n:.4g}" if v else "" for v in values]])
    lines += [model.markdown_table(["n", "implementation", *names], table), ""]
    lines += ["## Speed relative to each machine's own Numba run", "",
              "py_numba time / implementation time on the same machine (above 1: faster than "
              "Numba there). Ratios measured in one run travel between machines better than "
              "absolute times.", ""]
    table = []
    for n in model.STUDY_SIZES:
        for family, name in shown:
            values = [ratio_to_numba(m, family, name, n) for m in machines]
            if any(values):
                table.append([model.format_size(n), f"`{name}`",
                              *[f"{v:.3g}" if v else "" for v in values]])
    if table:
        lines += [model.markdown_table(["n", "implementation", *names], table), ""]
    else:
        lines += ["No machine has both Python and C++ rows.", ""]
    scaling = [[f"`{results.machine}`", f"`{kernel}`", model.format_size(n),
                model.format_scaling(points)]
               for results in machines
               for kernel, n, points in model.thread_scaling(results, results.primary_cpp)]
    if scaling:
        lines += ["## Thread scaling", "", "Median per call with AUCRECALL_THREADS = t, and the "
                  "speed-up over one thread in the same run.", "",
                  model.markdown_table(["machine", "kernel", "n", "threads: time (speed-up)"], scaling),
                  ""]
    return "\n".join(lines).rstrip() + "\n"


def chart(machines, root):
    """The two panels; None when no machine has main rows at the chart's size."""
    shown = series(machines)
    n = CHART_SIZES[-1]
    drawn = [(f, name) for f, name in shown if any(median(m, f, name, n) for m in machines)]
    if not drawn:
        return None
    import common  # matplotlib: only the chart needs it
    plt = common.plt
    figure, axes = plt.subplots(1, 2, figsize=(max(10, 1.1 * len(drawn) + 4), 5.5))
    figure.suptitle("Machines side by side", fontsize=13, fontweight="bold")
    figure.text(0.5, 0.915, ", ".join(m.machine for m in machines), ha="center", fontsize=9,
                color="dimgray")
    offsets, width = common.grouped_offsets(len(machines))
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"]
    for index, (results, offset) in enumerate(zip(machines, offsets)):
        colour = palette[index % len(palette)]
        xs, values = [], []
        for x, (family, name) in enumerate(drawn):
            value = median(results, family, name, n)
            if value:
                xs.append(x + offset)
                values.append(value / n)
        axes[0].bar(xs, values, width, color=colour, label=results.machine)
        ratio_xs, ratios = [], []
        for x, (family, name) in enumerate(drawn):
            value = ratio_to_numba(results, family, name, n)
            if value:
                ratio_xs.append(x + offset)
                ratios.append(value)
        bars = axes[1].bar(ratio_xs, ratios, width, color=colour, label=results.machine)
        axes[1].bar_label(bars, [model.format_ratio(v) for v in ratios], rotation=90,
                          fontsize=6, padding=2)
    for axis, title, label in ((axes[0], f"ns per item, n = {model.format_size(n)}",
                                "median ns per item (log)"),
                               (axes[1], f"speed vs own py_numba, n = {model.format_size(n)}",
                                "py_numba time / time (log; >1 faster)")):
        axis.set_yscale("log")
        axis.set_xticks(range(len(drawn)), [name for _, name in drawn], rotation=35, ha="right",
                        fontsize=8)
        axis.set_title(title, fontsize=10)
        axis.set_ylabel(label)
        axis.grid(axis="y", alpha=0.3)
    axes[1].axhline(1.0, color="black", linewidth=0.8)
    low, high = axes[1].get_ylim()
    axes[1].set_ylim(low, high * 8)
    axes[0].legend(fontsize=8, loc="upper right")
    directory = os.path.join(root, model.FIGURE_DIRECTORY)
    os.makedirs(directory, exist_ok=True)
    figure.tight_layout(rect=(0, 0, 1, 0.9))
    paths = [os.path.join(directory, f"{ROOT_FIGURE}.{ext}") for ext in ("png", "svg")]
    for path in paths:
        common.save_figure(figure, path)
    plt.close(figure)
    return paths[0]


def write(root):
    """Writes MACHINES.md and the chart under root; returns the report's path (None: no data)."""
    machines = load(root)
    if not machines:
        return None
    chart_path = chart(machines, root)
    path = os.path.join(root, REPORT_NAME)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text(machines, chart_path, root))
    return path


def main(argv):
    root = argv[0] if argv else DEFAULT_ROOT
    path = write(root)
    if path is None:
        raise SystemExit(f"machines: no results directory with JSON files under {root}")
    print(path)


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""Figure 6: per-query evaluation. Left: one call over many groups (queries), the study's Numba
function in a loop (one thread and prange) against the library from C++ and from Python.
Right: the cutoff path (time per item against K) next to the same call without a cutoff and
the memory floor.
"""

import sys

import common
from matplotlib.ticker import LogLocator, NullFormatter
import model


def render(results):
    cpp, py = results.primary_cpp, results.python_source
    grouped = [*results.select(model.GROUPED, cpp), *results.select(model.GROUPED_MT, cpp),
               *results.select(model.GROUPED_SHUFFLED, cpp),
               *(results.select(model.GROUPED, py) if py else [])] if cpp else []
    cutoff = results.select(model.CUTOFF, cpp) if cpp else []
    if not grouped and not cutoff:
        return None
    figure, (left, right) = common.new_figure(results, "Per-query evaluation: groups and cutoff K",
                                              width=13, height=6, columns=2)
    if grouped:
        grouped.sort(key=lambda row: row.stats.median)
        labels = [f"{row.kind}/{row.implementation}" + (f" ({model.format_size(row.n)} items)") for row in grouped]
        colours = ["tab:orange" if row.implementation.startswith("py_numba") else
                   "tab:blue" if row.implementation.startswith("py_") else "tab:green" for row in grouped]
        left.barh(range(len(grouped)), [row.stats.median for row in grouped], color=colours)
        left.set_yticks(range(len(grouped)), labels, fontsize=7)
        left.set_xscale("log")
        # Ticks at 1, 2 and 5 of each decade, all in time units; matplotlib's own minor labels
        # (shown when the bars span under a decade) would print raw nanoseconds like 2x10^8.
        left.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        left.xaxis.set_major_formatter(common.time_axis_formatter)
        left.xaxis.set_minor_formatter(NullFormatter())
        left.set_xlabel("median time per call (log)")
        left.set_title("groups: green C++, blue Python module, orange Numba", fontsize=9)
        left.grid(axis="x", alpha=0.3)
    if cutoff:
        for n in sorted({row.n for row in cutoff}):
            rows = sorted((row for row in cutoff if row.n == n and row.implementation.isdigit()),
                          key=lambda row: int(row.implementation))
            line, = right.plot([int(row.implementation) for row in rows], [row.ns_per_item for row in rows],
                               marker="o", label=f"cutoff K, n = {model.format_size(n)}")
            full = results.get(model.CUTOFF, cpp, "full", n)
            if full:
                right.axhline(full.ns_per_item, color=line.get_color(), linestyle="--",
                              label=f"no cutoff, n = {model.format_size(n)}")
            floor = results.get(model.FLOOR, cpp, model.MEMORY_FLOOR, n)
            if floor:
                right.axhline(floor.ns_per_item, color=line.get_color(), linestyle=":",
                              label=f"read_inputs, n = {model.format_size(n)}")
        right.set_xscale("log")
        right.set_yscale("log")
        right.set_xlabel("K")
        right.set_ylabel("median ns per item (log)")
        right.grid(alpha=0.3)
        right.legend(fontsize=7)
    return common.save(figure, results, "fig6_per_query")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

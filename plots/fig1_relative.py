#!/usr/bin/python3
"""Figure 1: every (implementation, size) relative to the fastest cell, at the study's sizes.

The study's first chart: Python experiments and C++ kernels side by side; a bar of height 100
means 100 times slower than the fastest measurement in the chart. Log scale.
"""

import sys

import common


def render(results):
    """Relative performance of every implementation and size vs the fastest cell."""
    series, sizes = common.study_series(results)
    medians = {(s, name, n): results.median(common.MAIN, s, name, n)
               for s, name in series for n in sizes}
    measured = [m for m in medians.values() if m]
    if not measured:
        return None
    fastest = min(measured)
    fastest_cell = next(key for key, m in medians.items() if m == fastest)

    figure, (axis,) = common.new_figure(results, "Time relative to the fastest cell (log scale)",
                                        width=12)
    offsets, width = common.grouped_offsets(len(series))
    for (source, name), offset in zip(series, offsets):
        xs, heights = [], []
        for x, n in enumerate(sizes):
            if medians[(source, name, n)]:
                xs.append(x + offset)
                heights.append(medians[(source, name, n)] / fastest)
        bars = axis.bar(xs, heights, width, label=results.label(name, source),
                        color=results.colour(name),
                        hatch=None if common.is_python_source(source) else "..",
                        edgecolor="white", linewidth=0.3)
        axis.bar_label(bars, [common.format_ratio(h) for h in heights], rotation=90,
                       fontsize=6, padding=2)
    axis.set_yscale("log")
    axis.set_ylim(bottom=0.5, top=max(m / fastest for m in measured) * 30)
    axis.set_xticks(range(len(sizes)), [f"n = {common.format_size(n)}" for n in sizes])
    source, name, n = fastest_cell
    axis.set_ylabel(f"median time / fastest cell ({results.label(name, source)}, "
                    f"n = {common.format_size(n)}: {common.format_time(fastest)})")
    axis.set_xlabel("input size (items); Python: solid bars, C++: dotted bars")
    axis.grid(axis="y", which="major", alpha=0.3)
    axis.legend(fontsize=8, ncol=2, loc="upper left")
    return common.save(figure, results, "fig1_relative")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

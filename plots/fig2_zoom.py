#!/usr/bin/python3
"""Figure 2: the study's zoom on n = 10k and 100k, one bar per implementation, raw times."""

import sys

import common

ZOOM_SIZES = (10_000, 100_000)


def render(results):
    """Median time per implementation at 10k and 100k, labelled with the raw time."""
    series, _ = common.study_series(results)
    sizes = [n for n in ZOOM_SIZES if any(results.get(common.MAIN, s, name, n)
                                          for s, name in series)]
    if not sizes:
        return None
    figure, axes = common.new_figure(results, "Median time per call at the study's large sizes "
                                     "(log scale)", width=6 * len(sizes), columns=len(sizes))
    for axis, n in zip(axes, sizes):
        drawn = [(s, name, results.median(common.MAIN, s, name, n)) for s, name in series]
        drawn = [(s, name, m) for s, name, m in drawn if m]
        bars = axis.bar(range(len(drawn)), [m for *_, m in drawn],
                        color=[results.colour(name) for _, name, _ in drawn],
                        hatch=None, edgecolor="white")
        for bar, (source, _, _) in zip(bars, drawn):
            if not common.is_python_source(source):
                bar.set_hatch("..")
        axis.bar_label(bars, [common.format_time(m) for *_, m in drawn], fontsize=7, padding=2)
        axis.set_xticks(range(len(drawn)), [results.label(name, s) for s, name, _ in drawn],
                        rotation=35, ha="right", fontsize=8)
        axis.set_yscale("log")
        axis.yaxis.set_major_formatter(common.time_axis_formatter)
        axis.set_ylim(top=max(m for *_, m in drawn) * 5)
        axis.set_title(f"n = {common.format_size(n)}")
        axis.set_ylabel("median time per call")
        axis.grid(axis="y", alpha=0.3)
        missing = [results.label(name, s) for s, name in series
                   if not results.get(common.MAIN, s, name, n)]
        if missing:
            axis.text(0.99, 0.98, "not measured: " + ", ".join(missing), transform=axis.transAxes,
                      ha="right", va="top", fontsize=7, color="dimgray")
    return common.save(figure, results, "fig2_zoom")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

#!/usr/bin/python3
"""Figure 5: ranking phase vs the rest (scan, curves, areas) for the sort-based kernels.

Ranking = the phase_rank/<kernel>/<n> row; the rest = total (<kernel>/<n>) minus ranking. Both
are medians of separate runs, so a tiny negative rest (noise) is drawn as zero and starred.
"""

import sys

from matplotlib.patches import Patch

import common


def render(results):
    """Stacked ns per item: ranking phase, then the remaining work, per kernel and size."""
    source = results.primary_cpp
    kernels = results.implementations(common.PHASE_RANK, source) if source else []
    kernels = [k for k in kernels if results.select(common.MAIN, source, k)]
    sizes = sorted({n for k in kernels for n in results.sizes(common.PHASE_RANK, source, k)
                    if results.get(common.MAIN, source, k, n)})
    if not sizes:
        return None
    figure, (axis,) = common.new_figure(results, f"Where the time goes: ranking vs the rest "
                                        f"(C++ {source})", width=11, height=6)
    offsets, width = common.grouped_offsets(len(kernels))
    for kernel, offset in zip(kernels, offsets):
        xs, ranks, rests, starred = [], [], [], []
        for x, n in enumerate(sizes):
            rank = results.get(common.PHASE_RANK, source, kernel, n)
            total = results.get(common.MAIN, source, kernel, n)
            if not (rank and total):
                continue
            rest = total.ns_per_item - rank.ns_per_item
            xs.append(x + offset)
            ranks.append(rank.ns_per_item)
            rests.append(max(rest, 0.0))
            starred.append(rest < 0)
        colour = results.colour(kernel)
        axis.bar(xs, ranks, width, color=colour, edgecolor="white", linewidth=0.3, label=kernel)
        bars = axis.bar(xs, rests, width, bottom=ranks, color=colour, alpha=0.45, hatch="//",
                        edgecolor="white", linewidth=0.3)
        shares = [r / (r + s) if r + s > 0 else 0 for r, s in zip(ranks, rests)]
        axis.bar_label(bars, [f"{share:.0%}" + ("*" if star else "")
                              for share, star in zip(shares, starred)], fontsize=6, padding=1)
    axis.set_xticks(range(len(sizes)), [f"n = {common.format_size(n)}" for n in sizes])
    axis.set_ylabel("median ns per item (label: ranking share of the total)")
    axis.grid(axis="y", alpha=0.3)
    handles, _ = axis.get_legend_handles_labels()
    handles += [Patch(facecolor="black", label="solid: ranking (phase_rank rows)"),
                Patch(facecolor="black", alpha=0.3, hatch="//",
                      label="light: rest = total - ranking\n(* below zero, noise)")]
    common.legend_outside(axis, handles=handles)
    return common.save(figure, results, "fig5_phases")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

#!/usr/bin/python3
"""Figure 5: ranking phase vs the rest (scan, curves, areas) for the kernels with a rank-only entry.

Ranking = the phase_rank/<kernel>/<n> row; the rest = total (<kernel>/<n>) minus ranking. Bars are
shares of each kernel's total (so an O(n^2) kernel and a radix sort fit one axis); the label on
top is the total in ns per item. Both parts are medians of separate runs: a ranking measured
slower than the whole kernel (load drift between the runs, or extra work in the rank-only entry)
is not a valid split; it is drawn as 100% and starred.
"""

import sys

from matplotlib.patches import Patch

import common


def render(results):
    """Share of each kernel's median time spent ranking, per kernel and size."""
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
        xs, rank_shares, totals, starred = [], [], [], []
        for x, n in enumerate(sizes):
            rank = results.get(common.PHASE_RANK, source, kernel, n)
            total = results.get(common.MAIN, source, kernel, n)
            if not (rank and total):
                continue
            share = rank.stats.median / total.stats.median
            xs.append(x + offset)
            rank_shares.append(min(share, 1.0))
            totals.append(total.ns_per_item)
            starred.append(share > 1.0)
        colour = results.colour(kernel)
        axis.bar(xs, rank_shares, width, color=colour, edgecolor="white", linewidth=0.3,
                 label=kernel)
        bars = axis.bar(xs, [1.0 - s for s in rank_shares], width, bottom=rank_shares,
                        color=colour, alpha=0.35, hatch="//", edgecolor="white", linewidth=0.3)
        axis.bar_label(bars, [common.format_number(t) + ("*" if star else "")
                              for t, star in zip(totals, starred)],
                       fontsize=6, padding=1, rotation=90)
    axis.set_xticks(range(len(sizes)), [f"n = {common.format_size(n)}" for n in sizes])
    axis.set_ylim(0, 1.18)
    axis.yaxis.set_major_formatter(common.FuncFormatter(lambda v, _: f"{v:.0%}"))
    axis.set_ylabel("share of the kernel's median time (label: total ns per item)")
    axis.grid(axis="y", alpha=0.3)
    handles, _ = axis.get_legend_handles_labels()
    handles += [Patch(facecolor="black", label="solid: ranking (phase_rank rows)"),
                Patch(facecolor="black", alpha=0.3, hatch="//",
                      label="light: the rest = total - ranking"),
                Patch(facecolor="white", label="* ranking measured above the\n"
                                               "  total: no valid split (100%)")]
    common.legend_outside(axis, handles=handles)
    return common.save(figure, results, "fig5_phases")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

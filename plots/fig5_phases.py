#!/usr/bin/python3
"""Figure 5: where each kernel's time goes, phase by phase, timed inside the same calls.

From the phases/<kernel>/<n> rows: the kernels mark the end of each phase and the harness reads
the marks in the very iterations it times, so the shares of one bar come from one set of calls
(no subtraction of rows run minutes apart). One panel per size; a bar per kernel, stacked by
phase as a share of the row's median time; "outside the marks" is what the call spends before
its first mark (input dispatch, allocation), drawn only where it shows. The label on top is the
total in ns per item.
"""

import sys

from matplotlib.patches import Patch

import common

OUTSIDE = "outside the marks"
PANEL_SIZES = (10_000, 100_000, 1_000_000, 10_000_000)


def phase_colours(phases):
    """One colour per phase name, the same in every panel."""
    palette = common.plt.get_cmap("tab10").colors
    colours = {phase: palette[i % len(palette)] for i, phase in enumerate(phases)}
    colours[OUTSIDE] = "lightgrey"
    return colours


def shares(row):
    """[(phase, share of the median)], the remainder as OUTSIDE when positive."""
    total = row.stats.median
    parts = [(phase, ns / total) for phase, ns in row.phases.items()]
    rest = 1.0 - sum(share for _, share in parts)
    if rest > 0.005:
        parts.append((OUTSIDE, rest))
    return parts


def render(results):
    """Stacked phase shares per kernel and size (plain phases rows of the main compiler)."""
    source = results.primary_cpp
    rows = [row for row in results.select(common.PHASES, source) if row.isa is None and row.phases] \
        if source else []
    sizes = [n for n in PANEL_SIZES if any(row.n == n for row in rows)] or \
        sorted({row.n for row in rows})[-4:]
    if not sizes:
        return None
    kernels = list(dict.fromkeys(row.implementation for row in rows))
    plain = {(row.implementation, row.n): row for row in rows}  # not the @<isa> rows
    phases = list(dict.fromkeys(phase for row in rows for phase in row.phases))
    colours = phase_colours(phases)
    figure, axes = common.new_figure(results, f"Where the time goes: phases timed in the same calls "
                                     f"(C++ {source})", width=4 * len(sizes), height=5.5,
                                     columns=len(sizes))
    for axis, n in zip(axes, sizes):
        names = [k for k in kernels if (k, n) in plain]
        for x, kernel in enumerate(names):
            row = plain[(kernel, n)]
            bottom = 0.0
            for phase, share in shares(row):
                axis.bar(x, share, 0.7, bottom=bottom, color=colours[phase], edgecolor="white",
                         linewidth=0.3)
                if share >= 0.08:
                    axis.text(x, bottom + share / 2, phase, ha="center", va="center", fontsize=6,
                              rotation=90)
                bottom += share
            axis.text(x, max(bottom, 1.0) + 0.01, common.format_number(row.ns_per_item),
                      ha="center", va="bottom", fontsize=6, rotation=90)
        axis.set_xticks(range(len(names)), names, rotation=45, ha="right", fontsize=7)
        axis.set_ylim(0, 1.2)
        axis.yaxis.set_major_formatter(common.FuncFormatter(lambda v, _: f"{v:.0%}"))
        axis.set_title(f"n = {common.format_size(n)}")
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylabel("share of the row's median time (label: ns per item)")
    used = [p for p in [*phases, OUTSIDE] if p in colours]
    figure.legend(handles=[Patch(facecolor=colours[p], label=p) for p in used], loc="lower center",
                  ncol=min(len(used), 8), fontsize=8, bbox_to_anchor=(0.5, 0.0))
    return common.save(figure, results, "fig5_phases", bottom=0.08)


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

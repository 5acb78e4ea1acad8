#!/usr/bin/python3
"""Figure 3: per-instruction-set code, speed-up over its own scalar row, per compiler.

Top row, one panel per size: groups are instruction sets, bars are (family, compiler): the
family's colour, hatched for the second compiler. A family is a kernel or entry point with @<isa>
rows (simd_scan, radix_rank, the ranked scan on int64 and uint8 labels); each bar is that family's
scalar median over its median with the instruction set forced (1 = no gain), so families whose
costs differ by 1000x share one axis. The legend names each family once (its colour) and each
compiler once (its hatch); the times behind the bars are in the report's tables.

Bottom row (where phases/<kernel>@<isa> rows exist): the same per phase of the one-thread
kernels, from phase times read inside the timed calls: which phase the instruction set speeds up,
and which run the same code under every setting (ratios near 1). Without labels: the times are in
REPORT.md's "Phases per instruction set".
"""

import sys

import common

PREFERRED_SIZES = (100_000, 1_000_000)
COMPILER_HATCHES = (None, "//", "xx", "..")
# Phase panels leave out the multi-threaded kernels: radix_rank_mt runs radix_rank's per-ISA code
# on two threads, and 24 bars per instruction set made both unreadable.
PHASE_PANEL_SKIPS_SUFFIX = "_mt"


def chosen_sizes(results):
    available = results.sizes(common.ISA)
    preferred = [n for n in PREFERRED_SIZES if n in available]
    return preferred or available[-2:]


def speedup_bars(axis, results, series, isas, value, width, offsets, sources):
    """Bars of scalar / forced for each (name, source) of series; value(name, source, isa) gives
    the time or None. Returns nothing; missing bars are written n/a."""
    labelled = set()
    for (name, source, colour), offset in zip(series, offsets):
        hatch = COMPILER_HATCHES[sources.index(source) % len(COMPILER_HATCHES)]
        scalar = value(name, source, "scalar")
        xs, heights, missing = [], [], []
        for x, isa in enumerate(isas):
            t = value(name, source, isa)
            if t and scalar:
                xs.append(x + offset)
                heights.append(scalar[0] / t[0])
            else:
                missing.append(x + offset)
        axis.bar(xs, heights, width, color=colour, hatch=hatch, edgecolor="white", linewidth=0.3)
        # An explicit legend patch per family, in its colour (a series with no bar in this panel,
        # a compiler run only at some sizes, would otherwise show matplotlib's default colour);
        # the compilers get one hatched patch each below, not one entry per family and compiler.
        if name not in labelled:
            labelled.add(name)
            axis.add_patch(common.plt.Rectangle((0, 0), 0, 0, facecolor=colour, edgecolor="white",
                                                linewidth=0.3, label=name))
        for x in missing:  # not compiled, not supported by this CPU, or failed: say so
            axis.text(x, 0, " n/a", rotation=90, ha="center", va="bottom", fontsize=7,
                      color="dimgray")
    for source in dict.fromkeys(s for _, s, _ in series):
        hatch = COMPILER_HATCHES[sources.index(source) % len(COMPILER_HATCHES)]
        axis.add_patch(common.plt.Rectangle((0, 0), 0, 0, facecolor="lightgray", hatch=hatch,
                                            edgecolor="white", linewidth=0.3, label=f"C++ {source}"))
    axis.set_xticks(range(len(isas)), isas)
    axis.axhline(1.0, color="dimgray", linewidth=0.6)
    axis.margins(y=0.15)
    axis.grid(axis="y", alpha=0.3)


def render(results):
    """Median ns per item of every SIMD kernel for each forced instruction set and compiler,
    and of each of their phases."""
    sources = [s for s in results.cpp_sources if results.select(common.ISA, s, with_errors=True)]
    sizes = chosen_sizes(results)
    if not sources or not sizes:
        return None
    isas = results.isas()
    series = [(kernel, source, results.colour(kernel)) for kernel in results.implementations(common.ISA)
              for source in sources]
    phase_rows = [row for row in results.select(common.PHASES) if row.isa and row.phases
                  and row.source in sources and row.n in sizes
                  and not row.implementation.endswith(PHASE_PANEL_SKIPS_SUFFIX)]
    phase_names = list(dict.fromkeys((row.implementation, phase) for row in phase_rows
                                     for phase in row.phases))
    palette = common.plt.get_cmap("tab20").colors
    phase_series = [(f"{kernel}: {phase}", source, palette[i % len(palette)])
                    for i, (kernel, phase) in enumerate(phase_names) for source in sources]
    rows = 2 if phase_series else 1
    figure, axes = common.new_figure(results, "Speed-up over scalar per instruction set and compiler",
                                     width=6 * len(sizes), height=5.5 * rows, columns=len(sizes),
                                     rows=rows)

    def family_time(kernel, source, isa, n):
        row = results.get(common.ISA, source, kernel, n, isa)
        return (row.stats.median, row.ns_per_item) if row else None

    def phase_time(name, source, isa, n):
        kernel, _, phase = name.partition(": ")
        row = results.get(common.PHASES, source, kernel, n, isa)
        if not (row and row.phases and phase in row.phases):
            return None
        return row.phases[phase], row.phases[phase] / n

    for column, n in enumerate(sizes):
        top = axes[column]
        offsets, width = common.grouped_offsets(len(series))
        speedup_bars(top, results, series, isas, lambda k, s, i: family_time(k, s, i, n), width,
                     offsets, sources)
        top.set_xlabel("instruction set forced (AUCRECALL_ARCH)")
        top.set_ylabel("scalar median / median (higher is better)")
        top.set_title(f"whole calls, n = {common.format_size(n)}")
        if rows == 2:
            bottom = axes[len(sizes) + column]
            offsets, width = common.grouped_offsets(len(phase_series))
            speedup_bars(bottom, results, phase_series, isas,
                         lambda k, s, i: phase_time(k, s, i, n), width, offsets, sources)
            bottom.set_xlabel("instruction set forced (AUCRECALL_ARCH)")
            bottom.set_ylabel("scalar phase time / phase time")
            bottom.set_title(f"per phase (timed in the same calls), n = {common.format_size(n)}")
    common.legend_outside(axes[len(sizes) - 1])
    if rows == 2:
        common.legend_outside(axes[-1])
    figure.text(0.5, 0.005, missing_note(results, sources, sizes, isas), ha="center",
                va="bottom", fontsize=7, color="dimgray", wrap=True)
    return common.save(figure, results, "fig3_backends", bottom=0.03)


def missing_note(results, sources, sizes, isas):
    """Why bars are absent: the harness's error messages, one per instruction set."""
    reasons = {}
    for row in results.select(common.ISA, with_errors=True):
        if row.error and row.source in sources and row.n in sizes:
            reasons.setdefault(row.isa, row.error)
    absent = [isa for isa in isas if isa not in reasons
              and not results.select(common.ISA, isa=isa)]
    notes = [f"{isa}: {reason}" for isa, reason in reasons.items()]
    notes += [f"{isa}: no row" for isa in absent]
    return "n/a = " + "; ".join(notes) if notes else ""


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

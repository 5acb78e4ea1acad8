#!/usr/bin/python3
"""Figure 3: per-instruction-set code, speed-up over its own scalar row, per compiler.

One panel per size; groups are instruction sets, bars are (family, compiler): the family's colour,
hatched for the second compiler. A family is a kernel or entry point with @<isa> rows (simd_scan,
the ranked scan on int64 and uint8 labels); each bar is that family's scalar median over its
median with the instruction set forced (1 = no gain), so families whose costs differ by 1000x
share one axis. The ns per item are printed on the bars.
"""

import sys

import common

PREFERRED_SIZES = (100_000, 1_000_000)
COMPILER_HATCHES = (None, "//", "xx", "..")


def chosen_sizes(results):
    available = results.sizes(common.ISA)
    preferred = [n for n in PREFERRED_SIZES if n in available]
    return preferred or available[-2:]


def render(results):
    """Median ns per item of every SIMD kernel for each forced instruction set and compiler."""
    sources = [s for s in results.cpp_sources if results.select(common.ISA, s, with_errors=True)]
    sizes = chosen_sizes(results)
    if not sources or not sizes:
        return None
    isas = results.isas()
    series = [(kernel, source) for kernel in results.implementations(common.ISA)
              for source in sources]
    figure, axes = common.new_figure(results, "Speed-up over scalar per instruction set and compiler",
                                     width=6 * len(sizes), columns=len(sizes))
    offsets, width = common.grouped_offsets(len(series))
    for axis, n in zip(axes, sizes):
        for (kernel, source), offset in zip(series, offsets):
            hatch = COMPILER_HATCHES[sources.index(source) % len(COMPILER_HATCHES)]
            scalar = results.get(common.ISA, source, kernel, n, "scalar")
            xs, heights, labels, missing = [], [], [], []
            for x, isa in enumerate(isas):
                row = results.get(common.ISA, source, kernel, n, isa)
                if row and scalar:
                    xs.append(x + offset)
                    heights.append(scalar.stats.median / row.stats.median)
                    labels.append(f"{heights[-1]:.1f}x {common.format_number(row.ns_per_item)} ns")
                else:
                    missing.append(x + offset)
            bars = axis.bar(xs, heights, width, color=results.colour(kernel), hatch=hatch,
                            edgecolor="white", linewidth=0.3,
                            label=results.label(kernel, source) if n == sizes[0] else None)
            axis.bar_label(bars, labels, fontsize=5, padding=1, rotation=90)
            for x in missing:  # not compiled, not supported by this CPU, or failed: say so
                axis.text(x, 0, " n/a", rotation=90, ha="center", va="bottom", fontsize=7,
                          color="dimgray")
        axis.set_xticks(range(len(isas)), isas)
        axis.set_xlabel("instruction set forced (AUCRECALL_ARCH)")
        axis.set_ylabel("scalar median / median (higher is better)")
        axis.axhline(1.0, color="dimgray", linewidth=0.6)
        axis.set_title(f"n = {common.format_size(n)}")
        axis.margins(y=0.15)
        axis.grid(axis="y", alpha=0.3)
    figure.legend(loc="lower center", ncol=min(len(series), 4), fontsize=8,
                  bbox_to_anchor=(0.5, 0.04))
    figure.text(0.5, 0.005, missing_note(results, sources, sizes, isas), ha="center",
                va="bottom", fontsize=7, color="dimgray", wrap=True)
    return common.save(figure, results, "fig3_backends", bottom=0.14)


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

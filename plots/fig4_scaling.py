#!/usr/bin/python3
"""Figure 4: ns per item against n (log-log), one line per kernel, cache sizes marked.

A cache size is drawn at the n whose input fills it: bytes / 16 (int64 label + float64 score).
Sort-based kernels also touch index and key arrays, so they leave a cache earlier than marked.
"""

import sys

import common


def render(results):
    """Median ns per item for every C++ kernel and size, with the memory floor and caches."""
    source = results.primary_cpp
    if not source or not (results.select(common.MAIN, source)
                          or results.select(common.FLOOR, source)):
        return None
    figure, (axis,) = common.new_figure(results, f"Scaling: time per item against input size "
                                        f"(C++ {source}, log-log)", width=11, height=6)
    for kernel in results.implementations(common.MAIN, source):
        rows = sorted(results.select(common.MAIN, source, kernel), key=lambda r: r.n)
        axis.plot([r.n for r in rows], [r.ns_per_item for r in rows], marker="o",
                  color=results.colour(kernel), label=kernel)
    for kind, style, label in ((common.FLOOR, "--", "read_inputs (memory floor)"),
                               (common.VALIDATE, ":", "validate (input checks alone)")):
        rows = sorted(results.select(kind, source), key=lambda r: r.n)
        if rows:
            axis.plot([r.n for r in rows], [r.ns_per_item for r in rows], linestyle=style,
                      marker=".", color="black", label=label)
    common.log_log(axis, f"n (items; input = {common.BYTES_PER_ITEM} bytes per item)", "median ns per item")
    caches = results.caches()
    for label, size in caches:
        n = size / common.BYTES_PER_ITEM
        axis.axvline(n, color="gray", linestyle=":", linewidth=1)
        axis.text(n, 0.98, f"{label} {common.format_bytes(size)} = {n:,.0f} items ",
                  transform=axis.get_xaxis_transform(), fontsize=7, va="top", ha="right",
                  rotation=90, color="dimgray")
    if caches:  # keep every cache mark inside the axes even when the largest n is below it
        largest = max(size for _, size in caches) / common.BYTES_PER_ITEM
        axis.set_xlim(right=max(axis.get_xlim()[1], largest * 2))
    common.legend_outside(axis)
    return common.save(figure, results, "fig4_scaling")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

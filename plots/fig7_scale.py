#!/usr/bin/python3
"""Figure 7: beyond one machine. ns per row against n (log-log) for aucrecall.dask's paths, the
in-memory module on the same data, the Dask program a user writes without the library
(sort_values) and Dask's bare task shuffle (bench/python/scale.py, rows dask/<what>/<n>).
"""

import sys

import common
import model

# Line styles: the library on Dask solid, in one process dashed, Dask without the library dotted.
STYLES = {"broadcast": "-", "shuffle": "-", "grouped": "-", "in_memory_broadcast": "--",
          "in_memory_shuffle": "--", "grouped_in_memory": "--", "sort_values": ":", "bare_shuffle": ":"}


def render(results):
    """Median ns per row of every dask/<what> row, one line each."""
    source = results.python_source
    rows = results.select(model.DASK, source) if source else []
    rows = [r for r in rows if r.implementation != "first_pass"]
    if not rows:
        return None
    figure, (axis,) = common.new_figure(results, "Beyond one machine: time per row against rows "
                                        "(aucrecall.dask on a LocalCluster, log-log)", width=11, height=6)
    for what in results.implementations(model.DASK, source):
        if what == "first_pass":
            continue
        line = sorted((r for r in rows if r.implementation == what), key=lambda r: r.n)
        axis.plot([r.n for r in line], [r.ns_per_item for r in line], marker="o",
                  linestyle=STYLES.get(what, "-"), label=what)
    common.log_log(axis, "n (rows)", "median ns per row (wall time / rows)")
    common.legend_outside(axis)
    return common.save(figure, results, "fig7_scale")


if __name__ == "__main__":
    common.figure_main(render, sys.argv[1:])

"""Figure helpers shared by the fig*.py scripts: matplotlib setup, axes, saving, command line.

The results model (loading, medians, units) is model.py; it is re-exported here so a figure
script reads everything it needs as common.<name>.
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")  # files only; no display on a build machine
# Same data, same files: no creation date, fixed SVG ids, so re-rendering changes nothing in git.
matplotlib.rcParams["svg.hashsalt"] = "aucrecall"
import matplotlib.pyplot as plt  # noqa: E402  (after the backend choice)
from matplotlib.ticker import FuncFormatter  # noqa: E402

from model import *  # noqa: E402,F401,F403  (the model's names, for the figure scripts)
from model import FIGURE_DIRECTORY, Results, format_time  # noqa: E402  (used below)

time_axis_formatter = FuncFormatter(lambda value, _: format_time(value))


# --- figures -----------------------------------------------------------------------------------

def new_figure(results, title, width=10.0, height=5.5, columns=1, rows=1):
    """A figure with a title and the machine's line; its axes row by row."""
    figure, axes = plt.subplots(rows, columns, figsize=(width, height), squeeze=False)
    figure.suptitle(title, fontsize=13, fontweight="bold")
    figure.text(0.5, 0.915, results.subtitle(), ha="center", fontsize=9, color="dimgray")
    return figure, list(axes.flat)


def log_log(axis, xlabel, ylabel):
    """Both axes logarithmic, labelled, with the major grid (the scaling charts)."""
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel(xlabel)
    axis.set_ylabel(ylabel)
    axis.grid(which="major", alpha=0.3)


def save_figure(figure, path):
    """One file, without the metadata that differs between two renderings of the same data."""
    metadata = {"Date": None} if path.endswith(".svg") else {"Software": None}
    figure.savefig(path, dpi=130, metadata=metadata)


def save(figure, results, stem, bottom=0.0):
    """Writes figures/<stem>.png and .svg under the results directory; returns the PNG path.

    bottom: share of the height kept free below the axes (for a figure-level legend).
    """
    directory = os.path.join(results.directory, FIGURE_DIRECTORY)
    os.makedirs(directory, exist_ok=True)
    figure.tight_layout(rect=(0, bottom, 1, 0.9))
    paths = [os.path.join(directory, f"{stem}.{ext}") for ext in ("png", "svg")]
    for path in paths:
        save_figure(figure, path)
    plt.close(figure)
    return paths[0]


def legend_outside(axis, **options):
    """Legend right of the axes, where it cannot hide data."""
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, borderaxespad=0,
                **options)


def grouped_offsets(count, total_width=0.8):
    """x offsets and bar width for count bars sharing one group slot."""
    width = total_width / max(count, 1)
    return [(i - (count - 1) / 2) * width for i in range(count)], width


def figure_main(render, argv=None):
    """Command line of one figure script: <results dir> -> renders, prints the file written."""
    parser = argparse.ArgumentParser(description=render.__doc__)
    parser.add_argument("results", help="a results directory, e.g. results/<machine>")
    arguments = parser.parse_args(argv)
    path = render(Results(arguments.results))
    print(path if path else f"plots: {render.__module__}: nothing to draw (rows missing)")

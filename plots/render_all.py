#!/usr/bin/python3
"""Rebuilds every chart and REPORT.md from the raw JSON; runs no benchmark.

  /usr/bin/python3 plots/render_all.py results/<machine> [results/<other> ...]
  /usr/bin/python3 plots/render_all.py            # every directory under results/, then the
                                                  # cross-machine view (results/MACHINES.md)

The figure scripts are found by name (plots/fig*.py), so a new figure needs no edit here.
"""

import argparse
import glob
import importlib
import os
import sys

import common
import machines
import report

PLOTS_DIRECTORY = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RESULTS = os.path.join(os.path.dirname(PLOTS_DIRECTORY), "results")


def figure_modules():
    names = sorted(os.path.splitext(os.path.basename(p))[0]
                   for p in glob.glob(os.path.join(PLOTS_DIRECTORY, "fig*.py")))
    return [importlib.import_module(name) for name in names]


def render_directory(directory):
    results = common.Results(directory)
    charts = []
    for module in figure_modules():
        path = module.render(results)
        if path:
            charts.append(path)
            print(f"  {os.path.relpath(path)}")
        else:
            print(f"  {module.__name__}: skipped, its rows are missing")
    print(f"  {os.path.relpath(report.write(results, charts))}")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="*", help="results directories (default: all)")
    arguments = parser.parse_args(argv)
    directories = arguments.directories or machines.machine_directories(DEFAULT_RESULTS)
    if not directories:
        raise SystemExit(f"render_all: no results directory given or found in {DEFAULT_RESULTS}")
    for directory in directories:
        print(f"render_all: {directory}")
        render_directory(directory)
    if not arguments.directories:
        print(f"render_all: cross-machine view -> {os.path.relpath(machines.write(DEFAULT_RESULTS))}")


if __name__ == "__main__":
    main(sys.argv[1:])

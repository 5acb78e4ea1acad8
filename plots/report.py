#!/usr/bin/python3
"""Writes results/<machine>/REPORT.md from the JSON files of that directory.

Every number in the report is computed here from the JSON, except the article's published table,
which is quoted as such (its laptop, 2022). Run alone: /usr/bin/python3 plots/report.py <dir>
"""

import json
import math
import os
import statistics
import sys

import model

# The 2022 article's %timeit results on its author's laptop (SEED_STUDY.md), in ns. Quoted for
# comparison only: other machine, other method (data generated inside the timed expression).
ARTICLE_TIMINGS = {
    "py_baseline": {5: 2.73e6, 100: 16.4e6, 10_000: 6.34e9, 100_000: 401e9},
    "py_numpy_df": {5: 2.09e6, 100: 2.28e6, 10_000: 11.7e6, 100_000: 96e6},
    "py_numpy": {5: 76.1e3, 100: 89.1e3, 10_000: 2.28e6, 100_000: 26.1e6},
    "py_numba": {5: 18.5e3, 100: 49.2e3, 10_000: 1.5e6, 100_000: 23.1e6},
}
# What the article's notebook does per experiment and what bench/python/study.py does, in words
# (docs/study.md's fidelity section points here); the measured effects are computed from the JSON.
FIDELITY = (
    ("py_baseline",
     "labels `list(np.random.randint(0, 2, n))` (np.int64 objects), scores an array (n = 5: two "
     "literal lists); `list.count` check; DataFrame built column by column, columns renamed, "
     "pandas sort; for every k: slice `iloc[:k]`, `to_list()`, `count(1)`, divided by the whole "
     "column converted and counted again; ideal curve from `np.ones` and `list(range)`; "
     "`np.trapz`",
     "the same operations on the same types", "datagen/list"),
    ("py_numpy_df",
     "same input types and DataFrame sort; `to_numpy()`, then `(ranking == 1)` rebuilt for "
     "`cumsum`, `sum` and the ideal curve's divisor; `np.trapz`",
     "the same operations on the same types; fed arrays it would raise AttributeError "
     "(`list.count`), as the article's function does: that variant is the separate row "
     "`extra/py_numpy_df_ndarray`", "datagen/list"),
    ("py_numpy",
     "arrays (n = 5: an int array and a list of scores); `(y_true == 1).sum()` check; "
     "`y_true[np.argsort(y_conf)[::-1]]`; the same curve tail",
     "the same operations on the same types", "datagen/array"),
    ("py_numba",
     "experiment 3 under `@numba.jit`, arrays",
     "experiment 3 under `numba.njit`: the same nopython compilation (the function types in "
     "nopython mode, so `@jit` compiles it the same way; njit only forbids numba 0.56's silent "
     "object-mode fallback); compiled before timing", "datagen/array"),
)
# Sizes the text looks at first: the study's largest, then the bench's large ones.
FOCUS_SIZES = (100_000, 1_000_000, 10_000_000)

CHART_CAPTIONS = {
    "fig1_relative": "Every implementation and study size relative to the fastest cell (log).",
    "fig2_zoom": "The study's zoom: median time per call at 10k and 100k (log).",
    "fig3_backends": "SIMD kernels per forced instruction set, gcc against clang (ns per item).",
    "fig4_scaling": "ns per item against n (log-log), cache sizes at 16 bytes per item.",
    "fig5_phases": "Ranking phase against the rest for the kernels with a rank-only entry.",
}


# Per-query goals (ratios in one run): the study's Numba loops over 100,000 groups of 100 against
# the library on one thread and on all cores; interleaved rows against the same rows grouped.
GROUPED_GOALS = (("py_numba_groups", model.GROUPED, "100000x100", 15),
                 ("py_numba_groups_prange", model.GROUPED_MT, "100000x100", 15),
                 ("py_aucrecall_groups", model.GROUPED_MT, "100000x100", None))
SHUFFLED_GOAL = 1.5
# Group keys from Python as users hold them, against int64 keys (same arrays, same run).
KEY_FORM_GOALS = (("py_aucrecall_groups_str", 3), ("py_aucrecall_groups_categorical", 1.5))
# bench/python/cli_read.py's output, under a machine's results folder.
CLI_READ_FILE = os.path.join("cli", "cli_read.json")
# One list at 100k: the default kernel against the study's Numba function, on one thread and on
# every core.
ONE_LIST_N = 100_000
ONE_LIST_GOALS = (("radix_rank", "one thread", 25), ("radix_rank_mt", "all cores", 40))


def cell(row):
    """'1.23 ms ±0.8%': the median and the coefficient of variation over the repetitions."""
    if row is None:
        return ""
    if row.error:
        return "error"
    spread = f" ±{row.stats.cv:.1%}" if math.isfinite(row.stats.cv) else ""
    return model.format_time(row.stats.median) + spread


def repetitions_note(rows):
    counts = sorted({r.stats.repetitions for r in rows if r.stats})
    if not counts:
        return ""
    if len(counts) == 1:
        return f"{counts[0]} repetitions per row."
    fewer = [f"{r.implementation}/{r.n}: {r.stats.repetitions}" for r in rows
             if r.stats and r.stats.repetitions < counts[-1]]
    return f"{counts[-1]} repetitions per row, fewer where one call is slow ({', '.join(fewer)})."


class Report:
    def __init__(self, results):
        self.results = results
        self.python = results.python_source
        self.cpp = results.primary_cpp
        self.lines = []

    def add(self, *lines):
        self.lines.extend(lines)

    # --- helpers over the data ----------------------------------------------------------------
    def median(self, kind, source, name, n, isa=None):
        return self.results.median(kind, source, name, n, isa) if source else None

    def fastest(self, kind, source, n, exclude=()):
        """(name, median) of the fastest implementation of kind at n, or None."""
        rows = [r for r in self.results.select(kind, source, n=n)
                if r.implementation not in exclude] if source else []
        if not rows:
            return None
        best = min(rows, key=lambda r: r.stats.median)
        return best.implementation, best.stats.median

    def focus_size(self, kind, source, implementation=None):
        sizes = self.results.sizes(kind, source, implementation) if source else []
        for n in FOCUS_SIZES:
            if n in sizes:
                return n
        return sizes[-1] if sizes else None

    # --- sections -----------------------------------------------------------------------------
    def header(self):
        r = self.results
        self.add(f"# aucrecall study: {r.machine}", "",
                 "Generated by `plots/report.py` from the raw JSON in this directory; do not edit "
                 "by hand. Rebuild it and the charts with "
                 f"`/usr/bin/python3 plots/render_all.py results/{r.machine}`. Every number below "
                 "comes from those files, except the article's table, which is quoted.", "")

    def machine(self):
        r = self.results
        caches = ", ".join(f"{label} {model.format_bytes(size)}" for label, size in r.caches())
        self.add("## Machine", "",
                 f"- CPU: {r.cpu_model()}; {r.num_cpus() or '?'} logical CPUs",
                 f"- Caches (per instance): {caches or 'unknown'}")
        mhz = r.context_value("mhz_per_cpu")
        if mhz:
            self.add(f"- Clock reported by Google Benchmark: {mhz} MHz; frequency scaling "
                     f"{'on' if r.context_value('cpu_scaling_enabled') else 'off or unknown'}")
        for source, context in r.contexts.items():
            load = context.get("load_avg")
            if load:
                self.add(f"- Load average when `{source}` started: "
                         + ", ".join(f"{v:.2f}" for v in load)
                         + f" (date {context.get('date', '?')})")
        self.add("")

    def builds(self):
        r = self.results
        lines = []
        for source in r.cpp_sources:
            c = r.contexts[source]
            flags = " ".join(v for v in (c.get("cxx_flags"), c.get("compile_options")) if v)
            lines.append([f"`cpp_{source}.json`", c.get("compiler", "?"), f"`{flags}`" if flags
                          else "?", c.get("build_type", c.get("library_build_type", "?")),
                          c.get("xsimd_version", "?"), c.get("google_benchmark_version", "?"),
                          c.get("simd_isa_default", "?")])
        if lines:
            self.add("## Builds", "", model.markdown_table(
                ["file", "compiler", "flags", "build", "xsimd", "Google Benchmark",
                 "default ISA"], lines), "")
        if self.python:
            c = r.contexts[self.python]
            self.add("## Python", "",
                     f"- `{self.python}.json`: Python {c.get('python', '?')} "
                     f"(`{c.get('python_executable', '?')}`), NumPy {c.get('numpy', '?')}, "
                     f"pandas {c.get('pandas', '?')}, Numba {c.get('numba') or 'absent'} "
                     f"({c.get('numba_status', '?')})")
            if c.get("py_aucrecall_status"):
                self.add(f"- `py_aucrecall` (this project's Python module): "
                         f"{c['py_aucrecall_status']}")
            for extra in c.get("merged_files", []):
                self.add(f"- rows merged from `{extra}` (same interpreter assumed)")
            for row, why in (c.get("skipped") or {}).items():
                # "<experiment>/<n>" (one size skipped) or a whole experiment ("py_aucrecall",
                # "grouped/py_aucrecall_groups")
                name, _, size = row.rpartition("/")
                if not size.isdigit() or not self.results.get(model.MAIN, self.python, name, int(size)):
                    self.add(f"- not run: `{row}`: {why}")
            self.add("")

    def method(self):
        r = self.results
        self.add("## Method", "")
        for source in r.cpp_sources:
            c = r.contexts[source]
            rows = r.select(source=source)
            details = " ".join(f"{c[key].rstrip('.')}." for key in ("timed", "data") if c.get(key))
            self.add(f"- C++ `{source}`: Google Benchmark; {repetitions_note(rows)} "
                     f"Seed {c.get('seed', '?')}. {details}")
        if self.python:
            c = r.contexts[self.python]
            rows = r.select(source=self.python)
            self.add(f"- Python: {repetitions_note(rows)} Seed {c.get('seed', '?')}. "
                     f"{c.get('method', '')}.")
        self.add("- Tables give the median of the repetitions and, after ±, their coefficient of "
                 "variation (stddev / mean). Charts use medians.",
                 "- The article generated the random data inside its timed expression (and the "
                 "first two experiments converted arrays to lists there too); here data and "
                 "conversions are made before timing, so the Python times are for the metric "
                 "alone.", "- The C++ and Python random inputs come from different generators "
                 "with the same distribution (uniform scores, labels 0/1 with probability 1/2); "
                 "n = 5 is the study's fixed example on both sides.", "")
        run_log = os.path.join(r.directory, "RUN.txt")
        if os.path.exists(run_log):
            with open(run_log, encoding="utf-8") as handle:
                commands = handle.read().strip()
            self.add("Commands of the run that wrote these files (`RUN.txt`):", "", "```sh",
                     commands, "```", "")

    def charts(self, chart_paths):
        if not chart_paths:
            return
        self.add("## Charts", "")
        for path in chart_paths:
            stem = os.path.splitext(os.path.basename(path))[0]
            relative = os.path.relpath(path, self.results.directory)
            self.add(f"### {CHART_CAPTIONS.get(stem, stem)}", "", f"![{stem}]({relative})",
                     f"([SVG]({os.path.splitext(relative)[0]}.svg))", "")

    def fidelity(self):
        """The article's experiments against study.py's, with the effect of each difference."""
        py = self.python
        if not py:
            return
        sizes = [n for n in (10_000, 100_000)
                 if any(self.median(model.MAIN, py, name, n) for name, *_ in FIDELITY)]
        f = model.format_time
        lines = []
        for name, article, ours, datagen in FIDELITY:
            effects = []
            for n in sizes:
                own = self.median(model.MAIN, py, name, n)
                generation = self.median(model.DATAGEN, py, datagen.split("/")[1], n)
                if own and generation:
                    effects.append(f"n = {model.format_size(n)}: the article's timed data "
                                   f"generation (`{datagen}`) {f(generation)} = "
                                   f"{100 * generation / own:.2g}% of the experiment's {f(own)}")
            if name == "py_numpy_df":
                for n in sizes:
                    own = self.median(model.MAIN, py, name, n)
                    array = self.median(model.EXTRA, py, "py_numpy_df_ndarray", n)
                    if own and array:
                        effects.append(f"n = {model.format_size(n)}: fed arrays "
                                       f"{f(array)}, so the article's list input makes it "
                                       f"{own / array:.3g}x slower")
            lines.append([f"`{name}`", article, ours, "; ".join(effects) or "not measured here"])
        rows = [r for r in self.results.select(model.MAIN, py) if r.stats.repetitions > 1]
        timer = ""
        if rows:
            worst = max(rows, key=lambda r: abs(r.stats.mean / r.stats.median - 1))
            timer = (f" Over the {len(rows)} experiment rows here, mean / median is at most "
                     f"{worst.stats.mean / worst.stats.median:.3f} (`{worst.implementation}`/"
                     f"{model.format_size(worst.n)}).")
        self.add("## Fidelity to the article", "",
                 "Each experiment repeats the article's notebook operation for operation, with "
                 "its input types. The differences, all in the method, and their effect measured "
                 "in this run:", "",
                 model.markdown_table(["experiment", "the article", "study.py", "measured "
                                        "effect of the differences"], lines), "",
                 "- Data generation: the article's timed expression also generated the data "
                 "(and, for experiments 1-2, built the label list); here it is made once before "
                 "timing and every experiment of a size gets the same data. The `datagen/*` "
                 "rows time exactly that generation, so the table's percentages are what the "
                 "article's figures include on top of the metric.",
                 "- Timer: the article quotes IPython `%timeit`'s mean of 7 runs; the tables "
                 "here give medians of repetitions whose loop count `timeit.autorange` picks."
                 + timer,
                 "- `np.trapz` is `np.trapezoid` on NumPy 2 (renamed, the old name removed): the "
                 f"same rule. This run used `{self.results.contexts[py].get('trapezoid', '?')}`; "
                 f"Numba: {self.results.contexts[py].get('numba_status', '?')}.",
                 "- Tied scores: the article's rankings order ties differently (pandas' sort "
                 "keeps input order for small inputs, `argsort()[::-1]` reverses it, and for "
                 "larger inputs neither order is specified), so on tied data the four can "
                 "disagree; the study's random scores have no ties, where all four agree with "
                 "the library (tested).", "")

    def thread_scaling(self):
        if not self.cpp:
            return
        lines = [[f"`{kernel}`", model.format_size(n), model.format_scaling(points)]
                 for kernel, n, points in model.thread_scaling(self.results, self.cpp)]
        if lines:
            self.add("## Thread scaling", "", f"`{self.cpp}`: median per call with "
                     "AUCRECALL_THREADS = t and the speed-up over one thread in the same run "
                     f"({self.results.num_cpus() or '?'} logical CPUs; larger t not run: "
                     f"{self.results.contexts[self.cpp].get('thread_scaling_left_out', '?')}).",
                     "", model.markdown_table(["kernel", "n", "threads: time (speed-up)"], lines),
                     "")

    def backends(self):
        """Per-instruction-set rows: each family's speed-up over its own scalar row, per compiler."""
        r = self.results
        lines = []
        for source in r.cpp_sources:
            for family in r.implementations(model.ISA, source):
                for n in r.sizes(model.ISA, source, family):
                    scalar = r.median(model.ISA, source, family, n, "scalar")
                    cells = []
                    for isa in r.isas(source):
                        t = r.median(model.ISA, source, family, n, isa)
                        if t is None:
                            continue
                        gain = f" ({model.format_factor(scalar / t)})" if scalar else ""
                        cells.append(f"{isa} {model.format_time(t)}{gain}")
                    if cells:
                        lines.append([source, f"`{family}`", model.format_size(n), ", ".join(cells)])
        if lines:
            self.add("## Instruction sets", "", "Median per call with the instruction set forced "
                     "(`<family>@<isa>` rows) and, in brackets, the speed-up over the same family's "
                     "`scalar` row in the same run. The ranked scan's scalar entry is compiled "
                     "without auto-vectorisation; `simd_scan`'s is plain C++.", "",
                     model.markdown_table(["compiler", "family", "n", "instruction set: time (speed-up)"],
                                          lines), "")

    def phases_per_isa(self):
        """phases/<kernel>@<isa>/<n>: every phase's median per instruction set, speed-up over the
        same phase with `scalar` in brackets (the phase times come from the same calls)."""
        r = self.results
        lines = []
        for source in r.cpp_sources:
            rows = [row for row in r.select(model.PHASES, source) if row.isa and row.phases]
            for kernel in dict.fromkeys(row.implementation for row in rows):
                for n in sorted({row.n for row in rows if row.implementation == kernel}):
                    scalar = r.get(model.PHASES, source, kernel, n, "scalar")
                    per_isa = [(isa, r.get(model.PHASES, source, kernel, n, isa)) for isa in r.isas(source)]
                    per_isa = [(isa, row) for isa, row in per_isa if row and row.phases]
                    for phase in (scalar.phases if scalar else per_isa[0][1].phases):
                        cells = []
                        for isa, row in per_isa:
                            t = row.phases.get(phase)
                            if t is None:
                                continue
                            base = scalar.phases.get(phase) if scalar else None
                            gain = f" ({model.format_factor(base / t)})" if base and t > 0 else ""
                            cells.append(f"{isa} {model.format_time(t)}{gain}")
                        lines.append([source, f"`{kernel}`", model.format_size(n), phase, ", ".join(cells)])
        if lines:
            self.add("## Phases per instruction set", "", "Each phase's median time per call with the "
                     "instruction set forced (`phases/<kernel>@<isa>` rows: the phase marks are read in "
                     "the same calls that are timed) and, in brackets, its speed-up over the same phase "
                     "with `scalar`. Only some phases have per-instruction-set code (each kernel's "
                     "source says which: `kernels/src/rank_sum/radix_ranker.hpp`, `kernels/src/rank_sum/vqsort.cpp`, "
                     "`simd_scan.cpp`); the others run the same code under every setting, so their "
                     "ratios show the noise.", "",
                     model.markdown_table(["compiler", "kernel", "n", "phase", "instruction set: time (speed-up)"],
                                          lines), "")

    def distributions(self):
        """dist/<dist>/<kernel>/<n>: kernels on other score distributions, fastest marked."""
        r = self.results
        if not self.cpp:
            return
        rows = r.select(model.DIST, self.cpp)
        lines = []
        for dist in sorted({row.isa for row in rows}):
            for n in sorted({row.n for row in rows if row.isa == dist}):
                cells = sorted(((row.stats.median, row.implementation) for row in rows
                                if row.isa == dist and row.n == n))
                if cells:
                    lines.append([dist, model.format_size(n), ", ".join(
                        f"`{name}` {model.format_time(t)}" for t, name in cells)])
        if lines:
            self.add("## Other score distributions", "", f"`{self.cpp}`: kernels without a size "
                     "limit on int64 labels with `heavy_ties` (three values), `exponential` "
                     "(magnitudes over the whole exponent range) and `sorted` scores "
                     "(`data::Dist`), fastest first; the default kernel is chosen from these and "
                     "the uniform rows.", "",
                     model.markdown_table(["scores", "n", "kernels, fastest first"], lines), "")

    def findings(self):
        """'What the numbers say': each sentence only when its rows exist."""
        r, py, cpp = self.results, self.python, self.cpp
        said = []
        f = model.format_time

        def ratio(a, b):
            return a / b if a and b else None

        def pair(slow_name, slow, fast_name, fast, n, what):
            x = ratio(slow, fast)
            if x:
                verdict = (f"{model.format_factor(x)} faster" if x >= 1
                           else f"{model.format_factor(1 / x)} slower")
                said.append(f"{what} at n = {model.format_size(n)}: `{fast_name}` {f(fast)} "
                            f"against `{slow_name}` {f(slow)}, {verdict}.")

        for n in (10_000, 100_000):
            pair("py_baseline", self.median(model.MAIN, py, "py_baseline", n), "py_numpy_df",
                 self.median(model.MAIN, py, "py_numpy_df", n), n,
                 "Replacing the per-k Python recount by a cumulative sum")
        for n in (10_000, 100_000):
            pair("py_numpy_df", self.median(model.MAIN, py, "py_numpy_df", n), "py_numpy",
                 self.median(model.MAIN, py, "py_numpy", n), n,
                 "Dropping the DataFrame (and the list input it came with)")
        for n in model.STUDY_SIZES:
            numpy_ = self.median(model.MAIN, py, "py_numpy", n)
            numba_ = self.median(model.MAIN, py, "py_numba", n)
            x = ratio(numpy_, numba_)
            article = ARTICLE_TIMINGS["py_numpy"][n] / ARTICLE_TIMINGS["py_numba"][n]
            if x:
                said.append(f"Numba at n = {model.format_size(n)}: `py_numba` {f(numba_)}, "
                            f"`py_numpy` {f(numpy_)}: py_numpy / py_numba = {x:.3g} "
                            f"(the article's laptop: {article:.3g}).")
        said += self.module_findings()
        for n in (10_000, 100_000):
            best = self.fastest(model.MAIN, cpp, n)
            numba_ = self.median(model.MAIN, py, "py_numba", n)
            if best and numba_:
                said.append(f"C++ against Numba at n = {model.format_size(n)}: the fastest C++ "
                            f"kernel ({cpp}), `{best[0]}`, takes {f(best[1])}; `py_numba` takes "
                            f"{f(numba_)}, {model.format_factor(numba_ / best[1])} as long.")
        n = self.focus_size(model.MAIN, cpp)
        best = self.fastest(model.MAIN, cpp, n) if n else None
        floor = self.median(model.FLOOR, cpp, model.MEMORY_FLOOR, n) if n else None
        if best and floor:
            said.append(f"Memory floor at n = {model.format_size(n)}: reading the inputs once "
                        f"takes {f(floor)}; the fastest kernel `{best[0]}` takes {f(best[1])}, "
                        f"{model.format_factor(best[1] / floor)} that floor.")
        sizes = r.sizes(model.MAIN, cpp) if cpp else []
        if best and len(sizes) >= 2:
            rows = {row.n: row for row in r.select(model.MAIN, cpp, best[0])}
            small = min(n for n in rows if n >= 100) if any(n >= 100 for n in rows) else None
            large = max(rows)
            if small and large > small:
                growth = rows[large].ns_per_item / rows[small].ns_per_item
                said.append(f"Scaling of `{best[0]}`: {rows[small].ns_per_item:.3g} ns per item "
                            f"at n = {model.format_size(small)}, {rows[large].ns_per_item:.3g} at "
                            f"n = {model.format_size(large)} ({model.format_factor(growth)} "
                            "per item).")
        said += self.simd_findings() + self.compiler_findings() + self.phase_findings()
        said += self.narrow_findings() + self.noise_findings()
        if said:
            self.add("## What the numbers say", "", *[f"- {s}" for s in said], "")

    def module_findings(self):
        """py_aucrecall: the library called from Python, against its kernel timed in C++."""
        py, cpp, said = self.python, self.cpp, []
        if not py:
            return said
        kernels = self.results.contexts[py].get("py_aucrecall_kernels") or {}
        f = model.format_time
        for n in model.STUDY_SIZES:
            own = self.median(model.MAIN, py, "py_aucrecall", n)
            kernel = kernels.get(str(n))
            same = self.median(model.MAIN, cpp, kernel, n) if kernel and cpp else None
            if own and same:
                numba_ = self.median(model.MAIN, py, "py_numba", n)
                # The module calls the public entry point: input checks, then the kernel.
                checks = self.median(model.VALIDATE, cpp, "validate", n)
                entry = (f", with the input checks the entry point adds (`validate` {f(checks)}) "
                         f"{f(same + checks)}, so Python adds {own / (same + checks) - 1:+.0%}"
                         if checks else "")
                said.append(f"The library from Python at n = {model.format_size(n)}: "
                            f"`py_aucrecall` {f(own)} per call; its kernel `{kernel}` alone in "
                            f"C++ ({cpp}) {f(same)} ({own / same - 1:+.0%}){entry}"
                            + (f"; `py_numba` {f(numba_)}" if numba_ else "") + ".")
        return said

    def simd_findings(self):
        r, said = self.results, []
        for source in r.cpp_sources:
            for kernel in r.implementations(model.ISA, source):
                n = self.focus_size(model.ISA, source, kernel)
                times = {isa: self.median(model.ISA, source, kernel, n, isa) for isa in r.isas()}
                times = {isa: t for isa, t in times.items() if t}
                if "scalar" in times and len(times) > 1:
                    best = min(times, key=times.get)
                    said.append(f"SIMD, `{kernel}` ({source}, n = {model.format_size(n)}): "
                                f"scalar {model.format_time(times['scalar'])}, best `{best}` "
                                f"{model.format_time(times[best])} "
                                f"({model.format_factor(times['scalar'] / times[best])}).")
        return said

    def compiler_findings(self):
        r = self.results
        if len(r.cpp_sources) < 2:
            return []
        first, second = r.cpp_sources[:2]
        ratios = []
        for kernel in r.implementations(model.MAIN, first):
            n = self.focus_size(model.MAIN, first, kernel)
            a = self.median(model.MAIN, first, kernel, n)
            b = self.median(model.MAIN, second, kernel, n)
            if a and b:
                ratios.append(f"`{kernel}` {b / a:.3g} (n = {model.format_size(n)})")
        if not ratios:
            return []
        return [f"Compilers: {second} time / {first} time per kernel: " + ", ".join(ratios)
                + " (above 1: " + first + " faster)."]

    def phase_findings(self):
        """Each kernel's phases at its focus size, from the phases/<kernel>/<n> rows: the phase
        times were taken inside the same calls as the row's total."""
        said = []
        plain = [row for row in self.results.select(model.PHASES, self.cpp) if row.isa is None]
        for kernel in dict.fromkeys(row.implementation for row in plain):
            sizes = [row.n for row in plain if row.implementation == kernel]
            n = self.focus_size(model.PHASES, self.cpp, kernel)
            n = n if n in sizes else max(sizes)
            row = next((row for row in plain if row.implementation == kernel and row.n == n), None)
            if not (row and row.phases):
                continue
            total = row.stats.median
            parts = ", ".join(f"{phase} {ns / total:.0%} ({model.format_time(ns)})"
                              for phase, ns in row.phases.items())
            said.append(f"Phases of `{kernel}` at n = {model.format_size(n)} "
                        f"({model.format_time(total)} per call, timed in the same calls): {parts}.")
        return said

    def narrow_findings(self):
        parts = []
        for kernel in self.results.implementations(model.NARROW, self.cpp):
            n = self.focus_size(model.NARROW, self.cpp, kernel)
            wide = self.median(model.MAIN, self.cpp, kernel, n)
            narrow = self.median(model.NARROW, self.cpp, kernel, n)
            if wide and narrow:
                parts.append(f"`{kernel}` {wide / narrow:.3g}")
        if not parts:
            return []
        return ["Narrow inputs (float32 scores, uint8 labels) vs the study's int64/float64, "
                "time ratio wide / narrow at the largest common size: " + ", ".join(parts) + "."]

    def noise_findings(self):
        rows = [r for r in self.results.select() if r.stats and math.isfinite(r.stats.cv)]
        if not rows:
            return []
        cvs = [r.stats.cv for r in rows]
        worst = max(rows, key=lambda r: r.stats.cv)
        said = [f"Noise: the median coefficient of variation over {len(rows)} rows is "
                f"{statistics.median(cvs):.1%}; the worst is {worst.stats.cv:.1%} "
                f"(`{worst.source}` {worst.kind} `{worst.implementation}`/{worst.n}). "
                "Differences smaller than a few cv are not findings."]
        for source in self.results.contexts:
            shares = [r.stats.cpu_median / r.stats.median for r in self.results.select(source=source)
                      if r.stats.median > 0 and math.isfinite(r.stats.cpu_median)]
            if shares:
                # CPU time well below wall time on a single-threaded row means the process waited
                # for a core: other load on the machine (multi-threaded kernels lower it too).
                said.append(f"CPU share `{source}`: median cpu_time / real_time over "
                            f"{len(shares)} rows = {statistics.median(shares):.2f} (1.00: the "
                            "benchmark had a core to itself; lower: it waited for one).")
        return said

    def ratio_table(self):
        """The ratios that matter, one line each, with the two medians they come from."""
        py, cpp, lines = self.python, self.cpp, []

        def line(what, n, a_name, a, b_name, b):
            if a and b:
                lines.append([what, model.format_size(n), f"{a_name}: {model.format_time(a)}",
                              f"{b_name}: {model.format_time(b)}", f"{a / b:.3g}"])

        for n in model.STUDY_SIZES:
            line("py_numpy / py_numba", n, "py_numpy", self.median(model.MAIN, py, "py_numpy", n),
                 "py_numba", self.median(model.MAIN, py, "py_numba", n))
        for n in model.STUDY_SIZES:
            best = self.fastest(model.MAIN, cpp, n)
            if best:
                line("py_numba / fastest C++", n, "py_numba",
                     self.median(model.MAIN, py, "py_numba", n), f"{best[0]} ({cpp})", best[1])
        for n in self.results.sizes(model.MAIN, cpp) if cpp else []:
            best = self.fastest(model.MAIN, cpp, n)
            line("fastest C++ / memory floor", n, f"{best[0]} ({cpp})", best[1], "read_inputs",
                 self.median(model.FLOOR, cpp, model.MEMORY_FLOOR, n))
        if lines:
            self.add("## Ratios", "", model.markdown_table(["ratio", "n", "numerator", "denominator",
                                                      "value"], lines), "")

    def tables(self):
        r = self.results
        self.add("## Median times", "", "Median per call, ± coefficient of variation.", "")
        groups = []
        if self.python:
            for kind, title in ((model.MAIN, "Python experiments"),
                                (model.EXTRA, "Python extra rows (not the article's)"),
                                (model.DATAGEN, "the article's in-timing data generation")):
                groups.append((f"{title} (`{self.python}`)", kind, self.python,
                               lambda row: row.implementation))
        for source in r.cpp_sources:
            for kind, title in ((model.MAIN, "C++ kernels, int64 labels + float64 scores"),
                                (model.NARROW, "C++ kernels, uint8 labels + float32 scores"),
                                (model.ISA, "C++ SIMD kernels per forced instruction set"),
                                (model.PHASES, "C++ kernels with their phases timed (totals)"),
                                (model.THREADS, "C++ multithreaded kernels per thread count"),
                                (model.FLOOR, "reading the inputs once (memory floor)"),
                                (model.VALIDATE, "input validation alone")):
                groups.append((f"{title} (`{source}`)", kind, source,
                               lambda row: row.implementation + (f"@{row.isa}" if row.isa else "")))
        for title, kind, source, key in groups:
            rows = r.select(kind, source, with_errors=True)
            if not rows:
                continue
            sizes = sorted({row.n for row in rows})
            names = list(dict.fromkeys(key(row) for row in sorted(
                rows, key=lambda row: (r.implementations(kind, source).index(row.implementation)
                                       if row.implementation in r.implementations(kind, source)
                                       else 99, model.ISA_ORDER.index(row.isa)
                                       if row.isa in model.ISA_ORDER else 99))))
            by_key = {(key(row), row.n): row for row in rows}
            self.add(f"### {title}", "", model.markdown_table(
                ["", *[f"n = {model.format_size(n)}" for n in sizes]],
                [[f"`{name}`", *[cell(by_key.get((name, n))) for n in sizes]] for name in names]),
                "")
            note = repetitions_note([row for row in rows if row.stats])
            if note:
                self.add(note, "")

    def article(self):
        py = self.python
        lines = []
        for name, timings in ARTICLE_TIMINGS.items():
            for n, article_ns in timings.items():
                ours = self.median(model.MAIN, py, name, n)
                lines.append([f"`{name}`", model.format_size(n), model.format_time(article_ns),
                              model.format_time(ours) if ours else "not run",
                              f"{article_ns / ours:.3g}" if ours else ""])
        self.add("## The article's published timings (its author's laptop, 2022)", "",
                 "Quoted from the 2022 article (IPython `%timeit`, data generated inside the "
                 "timed expression), next to this machine's medians. Different machines and "
                 "methods: read the ratios between experiments, not between columns.", "",
                 model.markdown_table(["experiment", "n", "article (laptop, 2022)", "this machine",
                                 "article / this machine"], lines), "")

    def per_query(self):
        """Cutoff, ranked lists and groups: the rows of SPEC.md's per-query sections."""
        r, cpp, py = self.results, self.cpp, self.python
        if cpp is None or not (r.select(model.CUTOFF, cpp) or r.select(model.GROUPED, cpp)
                               or r.select(model.RANKED, cpp)):
            return
        self.add("## Per-query evaluation: cutoff K, ranked lists, groups", "",
                 f"Rows from `{cpp}` (and `{py}` for the Python rows); medians. Each C++ row was "
                 "checked against the exact reference before it was timed.", "")
        cutoff_rows = r.select(model.CUTOFF, cpp)
        if cutoff_rows:
            lines = []
            for n in sorted({row.n for row in cutoff_rows}):
                full = r.median(model.CUTOFF, cpp, "full", n)
                best = min((row for row in r.select(model.MAIN, cpp, n=n)), default=None,
                           key=lambda row: row.stats.median)
                for row in sorted((x for x in cutoff_rows if x.n == n),
                                  key=lambda x: (x.implementation == "full", int(x.implementation)
                                                 if x.implementation.isdigit() else 0)):
                    floor = r.median(model.FLOOR, cpp, model.MEMORY_FLOOR, n)
                    lines.append([f"`cutoff/{row.implementation}`", model.format_size(n), cell(row),
                                  model.format_factor(full / row.stats.median) if full else "",
                                  (f"{model.format_factor(best.stats.median / row.stats.median)} "
                                   f"(`{best.implementation}`)") if best else "",
                                  model.format_factor(row.stats.median / floor) if floor else ""])
            self.add("### Cutoff K (the public entry point, checks included)", "",
                     model.markdown_table(["row", "n", "median", "speed-up vs no cutoff",
                                           "speed-up vs fastest full-metric kernel (no checks)",
                                           "time / read_inputs"], lines), "")
        ranked_rows = r.select(model.RANKED, cpp)
        if ranked_rows:
            lines = []
            for row in sorted(ranked_rows, key=lambda x: (x.implementation, x.n)):
                # the floor reads int64 labels: a yardstick for the int64 row only
                floor = (r.median(model.LABELS_FLOOR, cpp, model.LABELS_FLOOR, row.n)
                         if row.implementation == "ranked" else None)
                lines.append([f"`{row.implementation}`", model.format_size(row.n), cell(row),
                              f"{row.stats.median / row.n:.3g}",
                              model.format_factor(row.stats.median / floor) if floor else ""])
            self.add("### Ranked lists (labels in rank order, one pass)", "",
                     model.markdown_table(["row", "n", "median", "ns per item",
                                           "time / read_labels (int64 labels read once)"], lines), "")
        grouped = [*r.select(model.GROUPED, cpp), *r.select(model.GROUPED_MT, cpp),
                   *r.select(model.GROUPED_SHUFFLED, cpp), *(r.select(model.GROUPED, py) if py else [])]
        if grouped:
            phase_names = ("layout", "partition", "scatter", "evaluate")

            def phase_cell(row, phase):
                ns = (row.phases or {}).get(phase)
                return f"{ns / row.n:.3g}" if ns is not None and row.stats else ""

            lines = [[f"`{row.kind}/{row.implementation}`", model.format_size(row.n), cell(row),
                      f"{row.stats.median / row.n:.3g}" if row.stats else "",
                      *(phase_cell(row, phase) for phase in phase_names)] for row in grouped]
            self.add("### Groups (one list per query; mean over groups)", "",
                     "Phases: the entry point's own marks in the timed calls (median ns per item): "
                     "keys to group ids; for interleaved rows, their pass into partitions of group "
                     "ids (many groups: each partition is put in group order as it is evaluated) or "
                     "their scatter into group order (few groups); the per-group metric.", "",
                     model.markdown_table(["row", "items", "median per call", "ns per item",
                                           *(f"{phase} ns/item" for phase in phase_names)], lines), "")
            comparisons = []
            for python_row, cpp_kind, shape, goal in GROUPED_GOALS:
                slow = next((x for x in r.select(model.GROUPED, py) if x.implementation == python_row), None) \
                    if py else None
                fast = next((x for x in r.select(cpp_kind, cpp) if x.implementation == shape), None)
                if slow and fast and slow.n == fast.n and slow.stats and fast.stats:
                    speed = slow.stats.median / fast.stats.median
                    comparisons.append(f"- `{python_row}` / `{cpp_kind}/{shape}`: "
                                       f"{model.format_factor(speed)}" +
                                       (f" (goal {goal:g}x: {'met' if speed >= goal else 'not met'})"
                                        if goal else ""))
            if py:
                int64 = next((x for x in r.select(model.GROUPED, py) if x.implementation == "py_aucrecall_groups"),
                             None)
                for python_row, goal in KEY_FORM_GOALS:
                    form = next((x for x in r.select(model.GROUPED, py) if x.implementation == python_row), None)
                    if int64 and form and int64.stats and form.stats and int64.n == form.n:
                        ratio = form.stats.median / int64.stats.median
                        comparisons.append(f"- `{python_row}` / `py_aucrecall_groups` (int64 keys): {ratio:.3g}x "
                                           f"the time (goal {goal:g}x: {'met' if ratio <= goal else 'not met'})")
            shuffled = r.get(model.GROUPED_SHUFFLED, cpp, "100000x100", 10_000_000)
            contiguous = r.get(model.GROUPED, cpp, "100000x100", 10_000_000)
            if shuffled and contiguous and shuffled.stats and contiguous.stats:
                ratio = shuffled.stats.median / contiguous.stats.median
                comparisons.append(f"- `grouped_shuffled/100000x100` / `grouped/100000x100`: "
                                   f"{ratio:.3g}x the time (goal {SHUFFLED_GOAL:g}x: "
                                   f"{'met' if ratio <= SHUFFLED_GOAL else 'not met'})")
            if comparisons:
                self.add("Ratios (same run):", "", *comparisons, "")
        numba = self.median(model.MAIN, py, "py_numba", ONE_LIST_N) if py else None
        goals = []
        for kernel, threads, goal in ONE_LIST_GOALS:
            time = self.median(model.MAIN, cpp, kernel, ONE_LIST_N)
            if numba and time:
                speed = numba / time
                goals.append(f"- `py_numba` / `{kernel}` ({threads}): {model.format_factor(speed)} "
                             f"(goal {goal:g}x: {'met' if speed >= goal else 'not met'})")
        if goals:
            self.add(f"### One list at {model.format_size(ONE_LIST_N)} against Numba", "",
                     "The default kernel at this size is `radix_rank_mt` where the machine has two "
                     "or more CPUs; `radix_rank` is the same kernel on one thread.", "", *goals, "")

    def cli_files(self):
        """bench/python/cli_read.py's run, when this machine has one (cli/cli_read.json)."""
        path = os.path.join(self.results.directory, CLI_READ_FILE)
        if not os.path.exists(path):
            return
        with open(path, encoding="utf-8") as source:
            run = json.load(source)
        lines = [[f"`{row['name']}`", f"{row['file_bytes'] / 1e6:.0f} MB",
                  model.format_time(row["median_seconds"] * 1e9), f"{row['peak_bytes'] / 1e6:.0f} MB"]
                 for row in run["rows"]]
        goals = [f"- {goal['goal']}: {goal['value']:.3g} ({'met' if goal['met'] else 'not met'})"
                 for goal in run["goals"]]
        m = run["machine"]
        self.add("## CSV files through the command-line tool", "",
                 f"`bench/python/cli_read.py` ({run['rounds']} alternating rounds, medians; each case its "
                 f"own process, peak memory from its rusage; git {m.get('git')}, pandas {m.get('pandas')}, "
                 f"{m.get('date')}). `pandas/` times `read_csv` with typed columns alone; `cli/` the whole "
                 "command, metric included.", "",
                 model.markdown_table(["case", "file", "median", "peak memory"], lines), "", *goals, "")

    def errors(self, shown=30):
        errors = self.results.errors()
        if not errors:
            return
        lines = [f"- `{e.source}` {e.kind} `{e.implementation}{'@' + e.isa if e.isa else ''}"
                 f"/{e.n}`: {e.error}" for e in errors]
        if len(lines) > shown:
            lines = lines[:shown] + [f"- ... and {len(lines) - shown} more (see the JSON files)"]
        self.add(f"## Rows that failed or were skipped ({len(errors)})", "", *lines, "")

    def text(self, chart_paths):
        self.header()
        self.machine()
        self.builds()
        self.method()
        self.findings()
        self.fidelity()
        self.thread_scaling()
        self.backends()
        self.phases_per_isa()
        self.distributions()
        self.per_query()
        self.cli_files()
        self.ratio_table()
        self.charts(chart_paths)
        self.tables()
        self.article()
        self.errors()
        return "\n".join(self.lines).rstrip() + "\n"


def existing_charts(results):
    directory = os.path.join(results.directory, model.FIGURE_DIRECTORY)
    if not os.path.isdir(directory):
        return []
    return sorted(os.path.join(directory, f) for f in os.listdir(directory)
                  if f.startswith("fig") and f.endswith(".png"))


def write(results, chart_paths=None):
    """Writes REPORT.md; chart_paths defaults to the PNGs already in figures/."""
    charts = existing_charts(results) if chart_paths is None else chart_paths
    path = os.path.join(results.directory, "REPORT.md")
    with open(path, "w", encoding="utf-8") as out:
        out.write(Report(results).text(charts))
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: report.py RESULTS_DIRECTORY")
    print(write(model.Results(sys.argv[1])))

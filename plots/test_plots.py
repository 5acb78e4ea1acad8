#!/usr/bin/python3
"""Tests of the study's Python side: experiments, JSON shape, parsing, charts and report.

  /usr/bin/python3 -m unittest discover -s plots -p 'test_*.py'

The benchmark files here are synthetic and live in a temporary directory only: they test the
plumbing (names, medians, missing rows, errors), never a published number.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest


HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "bench", "python"))

import common  # noqa: E402
import machines  # noqa: E402
import render_all  # noqa: E402
import study  # noqa: E402


def gbench_rows(name, times_ns, error=None, counters=None):
    """Iteration rows plus a median aggregate, as Google Benchmark writes them; counters: a list
    of {counter: value} per repetition (user counters sit beside the times)."""
    rows = [{"name": name, "run_name": name, "run_type": "iteration",
             "repetitions": len(times_ns), "repetition_index": i, "iterations": 10,
             "real_time": t / 1e3, "cpu_time": t / 1e3, "time_unit": "us",
             **(counters[i] if counters else {})}
            for i, t in enumerate(times_ns)]
    if error:
        for row in rows:
            row.update(error_occurred=True, error_message=error)
        return rows
    rows.append({"name": name + "_median", "run_name": name, "run_type": "aggregate",
                 "aggregate_name": "median", "repetitions": len(times_ns),
                 "real_time": 12345.0, "cpu_time": 0.0, "time_unit": "ns"})
    return rows


class ParsingTest(unittest.TestCase):
    def test_names(self):
        cases = {
            "fused/5": (common.MAIN, "fused", None, 5),
            "naive_loop_f32u8/100": (common.NARROW, "naive_loop", None, 100),
            "simd_scan@sse4_2/100000": (common.ISA, "simd_scan", "sse4_2", 100000),
            "phases/radix_rank/10": (common.PHASES, "radix_rank", None, 10),
            "phases/radix_rank@avx2/100000": (common.PHASES, "radix_rank", "avx2", 100000),
            "read_inputs_f32u8/5": ("floor_f32u8", "read_inputs", None, 5),
            "validate/5": (common.VALIDATE, "validate", None, 5),
            "stl/100/repeats:3/real_time": (common.MAIN, "stl", None, 100),
            "threads/radix_rank_mt@16/1000000": (common.THREADS, "radix_rank_mt", "16", 1000000),
            "extra/py_numpy_df_ndarray/100": (common.EXTRA, "py_numpy_df_ndarray", None, 100),
            "datagen/list/100000": (common.DATAGEN, "list", None, 100000),
        }
        for name, expected in cases.items():
            self.assertEqual(common.parse_name(name), expected, name)
        for bad in ("stl", "stl/x", "a/b/c/5", "threads/radix_rank_mt/5", "extra/a/b/5"):
            self.assertIsNone(common.parse_name(bad), bad)

    def test_the_grammar_is_the_benchmarks_and_names_every_kind(self):
        # bench/row_names.def is the one grammar (the benchmark builds names from it): each of its
        # kinds is one the model knows, and each line parses a name filled in from its pattern.
        import model
        known = {model.MAIN, model.NARROW, model.ISA, model.PHASES, model.THREADS, model.DIST,
                 model.EXTRA, model.DATAGEN, model.CUTOFF, model.GROUPED, model.GROUPED_MT,
                 model.GROUPED_SHUFFLED, model.DASK}
        kinds = [kind for kind, _ in model.ROW_GRAMMAR]
        self.assertEqual(set(kinds), known)
        self.assertEqual(model.parse_name("dist/heavy_ties/keysort/1000000"),
                         (model.DIST, "keysort", "heavy_ties", 1000000))
        self.assertEqual(model.parse_name("grouped_mt/100000x100/10000000"),
                         (model.GROUPED_MT, "100000x100", None, 10000000))
        self.assertEqual(model.parse_name("cutoff/full/100000"), (model.CUTOFF, "full", None, 100000))
        self.assertEqual(model.parse_name("ranked_u8@avx2/100000"), (model.ISA, "ranked_u8", "avx2", 100000))

    def test_units(self):
        self.assertEqual(common.format_time(100e6), "100 ms")
        self.assertEqual(common.format_time(1500), "1.5 us")
        self.assertEqual(common.format_size(10_000_000), "10M")
        self.assertEqual(common.format_factor(1284.4), "1,284x")


class RenderTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="aucrecall-plots-")
        self.addCleanup(shutil.rmtree, self.directory)
        context = {"num_cpus": 2, "cpu_model": "Test CPU", "compiler": "gcc test",
                   "caches": [{"type": "Data", "level": 1, "size": 32768}]}
        cpp = []
        for n in (5, 100, 10_000, 100_000, 1_000_000):
            cpp += gbench_rows(f"fused/{n}", [10.0 * n, 12.0 * n, 11.0 * n])
            # Phases timed in the same calls: the medians per phase are 8n and 2n ns of 11n.
            cpp += gbench_rows(f"phases/fused/{n}", [10.0 * n, 12.0 * n, 11.0 * n], counters=[
                {"p0_rank": 7.0 * n, "p1_scan": 2.0 * n}, {"p0_rank": 9.0 * n, "p1_scan": 3.0 * n},
                {"p0_rank": 8.0 * n, "p1_scan": 1.0 * n}])
            cpp += gbench_rows(f"read_inputs/{n}", [0.5 * n] * 3)
        for isa in ("scalar", "avx2"):
            cpp += gbench_rows(f"simd_scan@{isa}/100000", [2e6, 2e6])
            curves = 4e5 if isa == "scalar" else 1e5
            cpp += gbench_rows(f"phases/simd_scan@{isa}/100000", [2e6, 2e6], counters=[
                {"p0_rank": 1.5e6, "p1_curves": curves}] * 2)
        cpp += gbench_rows("simd_scan@avx512/100000", [0, 0], error="not supported")
        cpp.append({"name": "mystery", "run_name": "mystery", "run_type": "iteration",
                    "real_time": 1, "cpu_time": 1, "time_unit": "ns"})
        self.write("cpp_gcc.json", {"context": context, "benchmarks": cpp})
        # Aggregates only (--benchmark_report_aggregates_only=true): no per-repetition rows.
        clang = [r for r in gbench_rows("fused/100000", [1.5e6, 1.5e6])
                 if r["run_type"] == "aggregate"]
        self.write("cpp_clang.json", {"context": context, "benchmarks": clang})
        python = []
        for name, per_item in (("py_numpy", 200.0), ("py_numba", 100.0)):
            for n in (5, 100, 10_000, 100_000):
                python += study.benchmark_rows(name, n, 1, [(per_item * n, per_item * n)] * 3)
        self.write("python.json", {"context": {"seed": 1}, "benchmarks": python})
        self.write("notes.json", {"something": "else"})  # not a benchmark file: ignored

    def write(self, name, document):
        with open(os.path.join(self.directory, name), "w", encoding="utf-8") as out:
            json.dump(document, out)

    def test_medians_come_from_the_repetitions_or_the_aggregates(self):
        results = common.Results(self.directory)
        self.assertEqual(results.median(common.MAIN, "gcc", "fused", 100), 1100.0)
        self.assertEqual(results.median(common.MAIN, "clang", "fused", 100000), 12345.0)
        self.assertEqual(results.primary_cpp, "gcc")
        self.assertEqual(results.python_source, "python")
        self.assertEqual([e.isa for e in results.errors()], ["avx512"])
        self.assertEqual(results.caches(), [("L1d", 32768)])

    def test_render_all_writes_five_charts_and_a_report_with_computed_ratios(self):
        render_all.main([self.directory])
        figures = os.listdir(os.path.join(self.directory, common.FIGURE_DIRECTORY))
        self.assertEqual(sorted(f for f in figures if f.endswith(".png")),
                         ["fig1_relative.png", "fig2_zoom.png", "fig3_backends.png",
                          "fig4_scaling.png", "fig5_phases.png"])
        self.assertEqual(len([f for f in figures if f.endswith(".svg")]), 5)
        with open(os.path.join(self.directory, "REPORT.md"), encoding="utf-8") as handle:
            report = handle.read()
        self.assertIn("py_numpy / py_numba = 2 ", report)   # 200 ns vs 100 ns per item
        self.assertIn("Phases of `fused` at n = 100k (1.1 ms per call, timed in the same calls): "
                      "rank 73% (800 us), scan 18% (200 us)", report)  # medians 8n, 2n of 11n
        self.assertIn("| gcc | `simd_scan` | 100k | curves | scalar 400 us (1x), avx2 100 us (4x) |",
                      report)
        self.assertIn("not supported", report)
        self.assertNotIn("nan", report.lower().replace("nanosecond", ""))

    def test_thread_rows_give_a_scaling_section(self):
        rows = []
        for threads, ms in ((1, 160.0), (2, 94.0), (4, 50.0)):
            rows += gbench_rows(f"threads/radix_rank_mt@{threads}/10000000", [ms * 1e6] * 3)
        document = json.load(open(os.path.join(self.directory, "cpp_gcc.json")))
        document["benchmarks"] += rows
        self.write("cpp_gcc.json", document)
        results = common.Results(self.directory)
        [(kernel, n, points)] = common.thread_scaling(results, "gcc")
        self.assertEqual((kernel, n), ("radix_rank_mt", 10_000_000))
        self.assertEqual(common.format_scaling(points),
                         "1: 160 ms, 2: 94 ms (1.70x), 4: 50 ms (3.20x)")
        render_all.main([self.directory])
        with open(os.path.join(self.directory, "REPORT.md"), encoding="utf-8") as handle:
            self.assertIn("| `radix_rank_mt` | 10M | 1: 160 ms, 2: 94 ms (1.70x)", handle.read())

    def test_machines_view_puts_two_machines_side_by_side(self):
        root = tempfile.mkdtemp(prefix="aucrecall-machines-")
        self.addCleanup(shutil.rmtree, root)
        shutil.copytree(self.directory, os.path.join(root, "machine-a"))
        # A second machine: a copy whose C++ rows are twice as slow and whose CPU differs (test
        # data only; committed results never contain such a copy).
        other = os.path.join(root, "machine-b")
        shutil.copytree(self.directory, other)
        path = os.path.join(other, "cpp_gcc.json")
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
        document["context"]["cpu_model"] = "Other CPU"
        for row in document["benchmarks"]:
            row["real_time"] *= 2
        with open(path, "w", encoding="utf-8") as out:
            json.dump(document, out)
        os.makedirs(os.path.join(root, "empty-dir"))  # no JSON: not a machine
        report_path = machines.write(root)
        with open(report_path, encoding="utf-8") as handle:
            text = handle.read()
        self.assertIn("| n | implementation | machine-a | machine-b |", text)
        self.assertIn("Other CPU", text)
        self.assertNotIn("empty-dir", text)
        # py_numba 100 ns per item; fused (median) 11 ns per item on a, 22 on b.
        self.assertIn("| 100k | `fused` | 9.09 | 4.55 |", text)
        self.assertIn("| 100k | `fused` | 11 | 22 |", text)
        self.assertIn("`fused` 4.55-9.09x", text)
        self.assertIn("`py_numpy` 0.5x", text)
        self.assertTrue(os.path.exists(os.path.join(root, "figures", "machines.png")))
        self.assertTrue(os.path.exists(os.path.join(root, "figures", "machines.svg")))

    def test_machines_view_without_results_is_none(self):
        root = tempfile.mkdtemp(prefix="aucrecall-machines-")
        self.addCleanup(shutil.rmtree, root)
        self.assertIsNone(machines.write(root))

    def test_report_and_machines_tables_need_no_matplotlib(self):
        # The data side (model, report, cross-machine tables) must run where matplotlib is
        # missing; only the figures need it.
        script = ("import sys; sys.modules['matplotlib'] = None; "
                  f"sys.path.insert(0, {HERE!r}); import model, report, machines; "
                  f"print(report.write(model.Results({self.directory!r}), []))")
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(done.stdout.strip().endswith("REPORT.md"))

    def test_a_directory_without_rows_is_an_error(self):
        empty = tempfile.mkdtemp(prefix="aucrecall-empty-")
        self.addCleanup(shutil.rmtree, empty)
        with self.assertRaises(SystemExit):
            common.Results(empty)


if __name__ == "__main__":
    unittest.main()

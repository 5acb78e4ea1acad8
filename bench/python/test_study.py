#!/usr/bin/python3
"""Tests of bench/python/study.py: the experiments are the article's, with its input types.

  /usr/bin/python3 -m unittest discover -s bench/python -p 'test_*.py'

What is pinned here is what the fidelity table in docs/study.md claims: which types each experiment
receives, which operations it repeats (the O(n^2) recount, the list.count check), that it gives
SPEC.md's values on untied data, how the article's rankings treat tied scores, and that the study
runs on a NumPy without np.trapz (NumPy 2).
"""

import math
import os
import subprocess
import sys
import textwrap
import unittest
from unittest import mock

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import study  # noqa: E402

NUMBA_FUNCTION, NUMBA_STATUS = study.make_py_numba()
# The project's module joins when importable (CTest puts build/<preset>/python on PYTHONPATH).
LIBRARY_FUNCTION, LIBRARY_STATUS = study.make_py_aucrecall()


def experiments():
    """name -> function, for every experiment that can run here (Numba may be absent)."""
    table = {name: function for name, (function, _) in
             study.families(NUMBA_FUNCTION, NUMBA_STATUS, LIBRARY_FUNCTION,
                            LIBRARY_STATUS).items()
             if function is not None and not name.startswith(study.DATAGEN_PREFIX)}
    return table


class ArticleInputTypesTest(unittest.TestCase):
    def test_random_data_reaches_experiments_1_and_2_as_a_list_of_numpy_int64(self):
        labels, scores = study.study_data(1000, study.DEFAULT_SEED)
        for name in ("py_baseline", "py_numpy_df"):
            y_true, y_conf = study.article_arguments(name, labels, scores)
            self.assertIs(type(y_true), list, name)
            self.assertTrue(all(type(v) is np.int64 for v in y_true), name)
            self.assertIsInstance(y_conf, np.ndarray)
            self.assertEqual(y_conf.dtype, np.float64)
        for name in ("py_numpy", "py_numba", "py_aucrecall", "extra/py_numpy_df_ndarray"):
            y_true, y_conf = study.article_arguments(name, labels, scores)
            self.assertEqual((type(y_true), y_true.dtype), (np.ndarray, np.int64), name)
            self.assertEqual((type(y_conf), y_conf.dtype), (np.ndarray, np.float64), name)

    def test_the_five_item_example_has_the_article_literal_types(self):
        labels, scores = study.study_data(5, study.DEFAULT_SEED)
        for name in ("py_baseline", "py_numpy_df"):
            y_true, y_conf = study.article_arguments(name, labels, scores, example=True)
            self.assertEqual(y_true, [1, 0, 1, 1, 0])
            self.assertTrue(all(type(v) is int for v in y_true))
            self.assertTrue(all(type(v) is float for v in y_conf))
        y_true, y_conf = study.article_arguments("py_numpy", labels, scores, example=True)
        self.assertIsInstance(y_true, np.ndarray)
        self.assertIs(type(y_conf), list)
        y_true, y_conf = study.article_arguments("py_numba", labels, scores, example=True)
        self.assertIsInstance(y_conf, np.ndarray)

    def test_experiments_1_and_2_reject_an_ndarray_as_the_article_functions_do(self):
        labels, scores = study.study_data(100, study.DEFAULT_SEED)
        for function in (study.py_baseline, study.py_numpy_df):
            with self.assertRaisesRegex(AttributeError, "count"):
                function(labels, scores)
        # The labelled extra row exists for exactly that input.
        self.assertAlmostEqual(study.extra_py_numpy_df_ndarray(labels, scores),
                               study.reference(labels, scores), places=12)

    def test_inputs_are_not_modified(self):
        labels, scores = study.study_data(300, study.DEFAULT_SEED)
        for name, function in experiments().items():
            arguments = study.article_arguments(name, labels, scores)
            before = [list(a) for a in arguments]
            function(*arguments)
            self.assertEqual([list(a) for a in arguments], before, name)


class ArticleOperationsTest(unittest.TestCase):
    def test_baseline_recounts_the_whole_column_on_every_k(self):
        # Per k: the prefix slice and the full column are both converted and counted; then the
        # ideal curve converts the column once more: 2n + 1 conversions (the article's O(n^2)).
        n = 9
        labels, scores = study.study_data(n, 3)
        labels[0] = 1
        original = pd.Series.to_list
        with mock.patch.object(pd.Series, "to_list", autospec=True,
                               side_effect=original) as to_list:
            study.py_baseline(list(labels), scores)
        self.assertEqual(to_list.call_count, 2 * n + 1)

    def test_dataframe_experiments_sort_with_pandas_defaults_by_confidence(self):
        labels, scores = study.study_data(100, study.DEFAULT_SEED)
        original = pd.DataFrame.sort_values
        for name in ("py_baseline", "py_numpy_df", "extra/py_numpy_df_ndarray"):
            function = experiments()[name]
            with mock.patch.object(pd.DataFrame, "sort_values", autospec=True,
                                   side_effect=original) as sort_values:
                function(*study.article_arguments(name, labels, scores))
            self.assertEqual(sort_values.call_count, 1, name)
            args, kwargs = sort_values.call_args
            self.assertEqual((args[1:], kwargs), (("conf",), {"ascending": False}), name)

    def test_numpy_experiment_reverses_a_default_argsort(self):
        labels, scores = study.study_data(100, study.DEFAULT_SEED)
        original = np.argsort
        with mock.patch.object(np, "argsort", side_effect=original) as argsort:
            study.py_numpy(labels, scores)
        argsort.assert_called_once()
        self.assertEqual(argsort.call_args.kwargs, {})


class ValuesTest(unittest.TestCase):
    def test_every_experiment_gives_the_spec_example_and_matches_the_reference(self):
        for name, function in experiments().items():
            args = study.article_arguments(name, study.EXAMPLE_LABELS, study.EXAMPLE_SCORES,
                                           example=True)
            self.assertAlmostEqual(function(*args), 0.8, places=15, msg=name)
            study.verify(name, function, seed=7)  # raises SystemExit on a mismatch

    def test_numba_is_present_here(self):
        # Debian's python3-numba is a dependency of the test command: its absence is a failure.
        self.assertIsNotNone(NUMBA_FUNCTION, NUMBA_STATUS)
        self.assertTrue(NUMBA_STATUS.startswith("ok: compiled with "), NUMBA_STATUS)

    def test_verify_rejects_a_wrong_ranking(self):
        def ascending(labels, scores):
            return study.py_numpy(labels, -np.asarray(scores))
        with self.assertRaises(SystemExit):
            study.verify("ascending", ascending, seed=7)

    def test_no_positive_label_is_nan(self):
        labels = np.zeros(6, dtype=np.int64)
        scores = np.random.RandomState(1).rand(6)
        for name, function in experiments().items():
            self.assertTrue(math.isnan(function(*study.article_arguments(name, labels, scores))),
                            name)
        self.assertTrue(math.isnan(study.reference(labels, scores)))

    @unittest.skipIf(tuple(int(v) for v in np.__version__.split(".")[:2]) >= (1, 25),
                     "NumPy >= 1.25 may argsort with x86-simd-sort, which orders ties freely")
    def test_tied_scores_the_article_rankings_disagree(self):
        # With NumPy's insertion sort for small inputs (NumPy 1.24, Debian 12), pandas' default
        # sort keeps input order among ties; argsort()[::-1] reverses it. The library's
        # `stable` policy is the first; neither is `average`.
        labels = np.array([1, 0, 0, 1, 0, 0], dtype=np.int64)
        scores = np.array([0.5, 0.5, 0.5, 0.2, 0.2, 0.1])
        input_order = study.reference(labels, scores)  # stable: ties keep input order
        reversed_order = study.reference(labels[::-1].copy(), scores[::-1].copy())
        self.assertNotEqual(input_order, reversed_order)
        self.assertEqual(study.py_numpy_df(list(labels), scores), input_order)
        self.assertEqual(study.py_numpy(labels, scores), reversed_order)

    def test_study_data_is_the_example_at_five_and_typed_like_the_study(self):
        labels, scores = study.study_data(5, study.DEFAULT_SEED)
        self.assertEqual(labels.tolist(), [1, 0, 1, 1, 0])
        labels, scores = study.study_data(1000, study.DEFAULT_SEED)
        self.assertEqual((labels.dtype, scores.dtype), (np.int64, np.float64))
        again, _ = study.study_data(1000, study.DEFAULT_SEED)
        self.assertTrue(np.array_equal(labels, again))


class NumpyTwoTest(unittest.TestCase):
    def test_the_study_runs_with_np_trapz_removed(self):
        # NumPy 2 renames np.trapz to np.trapezoid and later removes the old name. Simulate that
        # on any NumPy, then import the study and run every experiment through verify().
        script = textwrap.dedent(f"""
            import sys
            import numpy as np
            import numba
            # Numba 0.56 looks np.trapz up while it loads its NumPy support (first compile); a
            # Numba made for NumPy 2 does not. Load it first, so only the study sees NumPy 2.
            numba.njit(lambda x: x + 1)(1)
            np.trapezoid = getattr(np, "trapezoid", None) or np.trapz
            del np.trapz
            sys.path.insert(0, {HERE!r})
            import study
            assert study.area is np.trapezoid, study.area
            numba_function, status = study.make_py_numba()
            assert numba_function is not None, status
            print(status)
            for name, (function, why) in study.families(numba_function, status).items():
                if name == study.LIBRARY_EXPERIMENT:
                    continue  # the module does not use NumPy's trapezoid (tested elsewhere)
                assert function is not None, (name, why)
                if not name.startswith(study.DATAGEN_PREFIX):
                    study.verify(name, function, seed=11)
            print("verified")
        """)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=300, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("ok: compiled with np.trapezoid", done.stdout)
        self.assertIn("verified", done.stdout)

    def test_a_numba_without_numpy_trapezoid_support_falls_back(self):
        if NUMBA_FUNCTION is None:
            self.skipTest(NUMBA_STATUS)
        import numba
        real_njit = numba.njit

        def refuse_numpy_areas(function):
            # Stand-in for a Numba that types neither np.trapezoid nor np.trapz.
            if function.__name__ == "py_numpy" and function.__globals__["area"] in (
                    getattr(np, "trapz", None), getattr(np, "trapezoid", None)):
                raise numba.core.errors.TypingError("unsupported area")
            return real_njit(function)

        with mock.patch.object(numba, "njit", side_effect=refuse_numpy_areas):
            function, status = study.make_py_numba()
        self.assertIn("unit-spacing trapezoid", status)
        study.verify("py_numba", function, seed=5)


class RowsTest(unittest.TestCase):
    def test_rows_have_google_benchmark_shape_and_the_median(self):
        rows = study.benchmark_rows("py_numpy", 100, 7, [(3.0, 2.0), (1.0, 1.0), (2.0, 2.0)])
        iterations = [r for r in rows if r["run_type"] == "iteration"]
        aggregates = {r["aggregate_name"]: r for r in rows if r["run_type"] == "aggregate"}
        self.assertEqual(len(iterations), 3)
        self.assertEqual(aggregates["median"]["real_time"], 2.0)
        self.assertEqual(aggregates["min"]["real_time"], 1.0)
        self.assertEqual(aggregates["cv"]["aggregate_unit"], "percentage")
        self.assertEqual(aggregates["median"]["name"], "py_numpy/100_median")
        self.assertEqual(aggregates["median"]["ns_per_item"], 0.02)

    def test_datagen_rows_generate_the_article_types(self):
        y_true, y_conf = study.article_datagen_list(50)
        self.assertTrue(type(y_true) is list and type(y_true[0]) is np.int64)
        y_true, y_conf = study.article_datagen_array(50)
        self.assertEqual((y_true.size, y_conf.size), (50, 50))


if __name__ == "__main__":
    unittest.main()


class GroupedExperimentTest(unittest.TestCase):
    """The grouped experiment: Numba loops (one thread, prange) and the module agree with the
    per-group reference mean, on a small shape; rows are named grouped/<experiment>/<n>."""

    def test_every_grouped_row_gives_the_reference_mean(self):
        labels, scores, offsets, keys = study.grouped_data(300, 20, study.DEFAULT_SEED)
        expected = study.grouped_reference(labels, scores, offsets)
        self.assertFalse(math.isnan(expected))
        table = study.make_grouped(NUMBA_FUNCTION)
        self.assertEqual(set(table), {"py_numba_groups", "py_numba_groups_prange", "py_aucrecall_groups",
                                      "py_aucrecall_groups_str", "py_aucrecall_groups_categorical"})
        ran = 0
        for name, (function, why) in table.items():
            if function is None:
                self.assertTrue(why, name)  # absent only with a reason
                continue
            row_keys = study.keys_as(name, keys)
            if name.endswith("_str"):  # one str object per item, none shared
                self.assertEqual(list(row_keys[:2]), ["q0", "q0"])
                self.assertIsNot(row_keys[0], row_keys[1])
            got = function(labels, scores, offsets, row_keys)
            self.assertLessEqual(abs(got - expected), study.RELATIVE_TOLERANCE * abs(expected), name)
            ran += 1
        if NUMBA_FUNCTION is not None:
            self.assertGreaterEqual(ran, 2)

    def test_grouped_rows_in_the_json(self):
        rows, skipped = [], {}
        arguments = study.parse_arguments(["--repetitions", "1", "--row-budget", "1"])
        study.run_grouped("50x10", arguments, rows, skipped, NUMBA_FUNCTION)
        names = {row["run_name"] for row in rows}
        for name in names:
            self.assertTrue(name.startswith("grouped/py_") and name.endswith("/500"), name)
        self.assertTrue(names or skipped)

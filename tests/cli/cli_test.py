"""Tests of the aucrecall command-line tool: input format, error messages, exit codes, options.

Usage: cli_test.py PATH_TO_AUCRECALL [unittest options]

Expected metric values come from `exact_metric` below, SPEC.md's definition evaluated in exact
rational arithmetic, never from the tool itself; format variants are also checked to give the
same output as the plain spelling of the same data.
"""

import fractions
import os
import random
import subprocess
import sys
import tempfile
import unittest

BINARY = None  # set from argv in main
SEED = 20221101


def exact_metric(labels, scores, ties, k=None):
    """SPEC.md's definition with Fractions, over the first min(k, n) ranks when k is given (its
    "Cutoff K" section); None when undefined (printed as 'nan')."""
    n, positives = len(labels), sum(labels)
    m = n if k is None else min(k, n)
    if positives == 0 or m < 2:
        return None
    order = sorted(range(n), key=lambda i: (-scores[i], i))  # highest first; stable on ties
    ranked = [fractions.Fraction(labels[i]) for i in order]
    if ties == "average":
        # Expected label at each rank when tied items are shuffled: the tie group's mean. The
        # metric is linear in the ranked labels, so this gives the mean over all orders.
        start = 0
        while start < n:
            end = start
            while end < n and scores[order[end]] == scores[order[start]]:
                end += 1
            mean = sum(ranked[start:end]) / (end - start)
            ranked[start:end] = [mean] * (end - start)
            start = end
    recall, found = [], fractions.Fraction(0)
    for value in ranked[:m]:
        found += value
        recall.append(found / positives)
    ideal = [min(fractions.Fraction(1), fractions.Fraction(i + 1, positives)) for i in range(m)]

    def trapz(v):
        return sum(v) - (v[0] + v[-1]) / 2

    return trapz(recall) / trapz(ideal)


def rank_sum_exact(labels, scores):
    """SPEC.md's rank-sum identity in exact arithmetic, for inputs without ties (fast for large n)."""
    n, positives = len(labels), sum(labels)
    order = sorted(range(n), key=lambda i: -scores[i])
    rank_sum = sum(rank for rank, i in enumerate(order) if labels[i])
    top = labels[order[0]]
    return fractions.Fraction(2 * n * positives - 2 * rank_sum - top - positives,
                              2 * n * positives - positives**2 - 1)


def csv_text(labels, scores):
    return "".join(f"{l},{s!r}\n" for l, s in zip(labels, scores))


class CliCase(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="aucrecall_cli_")
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        return path

    def run_cli(self, *args, stdin=None, env=None, cwd=None):
        full_env = dict(os.environ)
        full_env.pop("AUCRECALL_ARCH", None)
        # A sanitizer report exits 1 by default, the code of bad input: make it unmistakable.
        for var, exit_code in (("ASAN_OPTIONS", 86), ("UBSAN_OPTIONS", 87)):
            full_env[var] = ":".join(filter(None, [full_env.get(var, ""), f"exitcode={exit_code}"]))
        full_env.update(env or {})
        data = stdin.encode() if isinstance(stdin, str) else stdin
        result = subprocess.run([BINARY, *args], input=data, capture_output=True, env=full_env,
                                cwd=cwd, timeout=600)
        return result.returncode, result.stdout.decode("utf-8", "replace"), \
            result.stderr.decode("utf-8", "replace")

    def metric_of(self, content, *args):
        """Runs on `content` written to a file; asserts success; returns the printed float."""
        path = self.write("data.csv", content)
        code, out, err = self.run_cli(*args, path)
        self.assertEqual((code, err), (0, ""), f"args {args} on {content[:200]!r}")
        self.assertTrue(out.endswith("\n") and out.count("\n") == 1, repr(out))
        return float(out)

    def assert_metric(self, got, expected, what=""):
        if expected is None:
            self.assertNotEqual(got, got, f"{what}: expected nan, got {got!r}")
            return
        self.assertLessEqual(abs(got - float(expected)), 1e-9 * abs(float(expected)),
                             f"{what}: got {got!r}, expected {float(expected)!r}")

    def kernels(self):
        code, out, err = self.run_cli("--list-kernels")
        self.assertEqual((code, err), (0, ""))
        return out.split()


class GoodInput(CliCase):
    STUDY = "1,0.9\n0,0.8\n1,0.7\n1,0.6\n0,0.5\n"  # SPEC.md's worked example: exactly 0.8

    def test_study_example_prints_17_significant_digits(self):
        path = self.write("study.csv", self.STUDY)
        self.assertEqual(self.run_cli(path), (0, "0.80000000000000004\n", ""))
        self.assertEqual(exact_metric([1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5], "average"),
                         fractions.Fraction(4, 5))

    def test_stdin(self):
        self.assertEqual(self.run_cli("-", stdin=self.STUDY), (0, "0.80000000000000004\n", ""))

    def test_stdin_file_is_read_from_where_it_stands(self):
        # Standard input redirected from a file another command has read part of: the rows left,
        # not the file from its start (a regular file is otherwise read in place, by position).
        path = self.write("study.csv", "1,0.1\n0,0.9\n" + self.STUDY)
        fd = os.open(path, os.O_RDONLY)
        try:
            self.assertEqual(len(os.read(fd, 12)), 12)  # the first two rows
            result = subprocess.run([BINARY, "-"], stdin=fd, capture_output=True, timeout=60)
        finally:
            os.close(fd)
        self.assertEqual((result.returncode, result.stdout, result.stderr), (0, b"0.80000000000000004\n", b""))
        code, out, err = self.run_cli(path)  # the whole file gives another value
        self.assertEqual(code, 0, err)
        self.assertNotEqual(out, "0.80000000000000004\n")

    def test_format_variants_give_the_plain_result(self):
        plain = self.metric_of(self.STUDY)
        variants = {
            "header": "label,score\n" + self.STUDY,
            "header with spaces": " y_true , y_conf \n" + self.STUDY,
            "blank lines first, then header": "\n \t\nlabel,score\n" + self.STUDY,
            "crlf": self.STUDY.replace("\n", "\r\n"),
            "crlf header": "label,score\r\n" + self.STUDY.replace("\n", "\r\n"),
            "blank lines": "\n" + self.STUDY.replace("\n", "\n\n\t \n") + "\r\n",
            "spaces and tabs": "".join(f" \t{l} ,\t {s}  \n" for l, s in
                                       (r.split(",") for r in self.STUDY.split())),
            "no final newline": self.STUDY.rstrip("\n"),
            "utf-8 bom": "\ufefflabel,score\n" + self.STUDY,
            "exponents": "1,9e-1\n0,8E-1\n1,0.07e1\n1,6e-0001\n0,.5\n",
            "plus signs": "+1,+0.9\n0,+0.8\n1,0.7\n+1,0.6\n0,+.5\n",
            "float labels": "1.0,0.9\n0.0,0.8\n1.,0.7\n1e0,0.6\n-0,0.5\n",
            "numpy savetxt default": "".join(
                f"{float(l):.18e},{float(s):.18e}\n" for l, s in
                (r.split(",") for r in self.STUDY.split())),
            "true/false labels": "True,0.9\nfalse,0.8\nTRUE,0.7\ntrue,0.6\nFalse,0.5\n",
            "long line of spaces": " " * 100000 + "1,0.9\n0,0.8\n1,0.7\n1,0.6\n0,0.5\n",
        }
        for what, content in variants.items():
            with self.subTest(what):
                self.assertEqual(self.metric_of(content), plain)

    def test_infinities(self):
        labels = [1, 0, 1, 0, 1, 0]
        spellings = ["inf", "-inf", "+inf", "-infinity", "INF", "0"]
        scores = [float(s) for s in spellings]
        content = "".join(f"{l},{s}\n" for l, s in zip(labels, spellings))
        for ties in ("average", "stable"):
            with self.subTest(ties):
                self.assert_metric(self.metric_of(content, "--ties", ties),
                                   exact_metric(labels, scores, ties), ties)

    def test_extreme_but_representable_scores(self):
        labels = [0, 1, 1, 0, 1]
        texts = ["4.9e-324", "1.7976931348623157e308", "-1e-310", "-0.0", "2.2250738585072014e-308"]
        got = self.metric_of("".join(f"{l},{t}\n" for l, t in zip(labels, texts)))
        self.assert_metric(got, exact_metric(labels, [float(t) for t in texts], "average"))

    def test_undefined_metric_prints_nan(self):
        cases = {"no positive": "0,0.9\n0,0.1\n", "single row": "1,0.5\n",
                 "single row after header": "label,score\n1,0.5\n"}
        for what, content in cases.items():
            with self.subTest(what):
                path = self.write("u.csv", content)
                self.assertEqual(self.run_cli(path), (0, "nan\n", ""))

    def test_every_kernel_and_policy_agrees_with_the_definition(self):
        rng = random.Random(SEED)
        print(f"cli_test seed {SEED}", file=sys.stderr)
        for n in (2, 3, 17, 300):
            for tied in (False, True):
                labels = [rng.randint(0, 1) for _ in range(n)]
                labels[0] = 1  # at least one positive
                scores = [float(rng.randint(0, 5)) if tied else rng.random() for _ in range(n)]
                content = csv_text(labels, scores)
                for ties in ("average", "stable"):
                    expected = exact_metric(labels, scores, ties)
                    for kernel in self.kernels():
                        with self.subTest(n=n, tied=tied, ties=ties, kernel=kernel):
                            got = self.metric_of(content, "--kernel", kernel, "--ties", ties)
                            self.assert_metric(got, expected)

    def test_integer_scores_beyond_two_to_the_53_are_exact(self):
        # Neighbours above 2^53 share a double; read as int64 they rank apart, in every mode.
        rng = random.Random(SEED + 53)
        base = 2**53
        for n in (2, 3, 17, 300):
            labels = [rng.randint(0, 1) for _ in range(n)]
            labels[0] = 1
            scores = [rng.choice([base, base + 1, base + 2, -base - 1, 2**63 - 1, -2**63, rng.randint(-9, 9)])
                      for _ in range(n)]
            content = "".join(f"{l},{s}\n" for l, s in zip(labels, scores))
            for ties in ("average", "stable"):
                expected = exact_metric(labels, scores, ties)
                for kernel in self.kernels():
                    with self.subTest(n=n, ties=ties, kernel=kernel):
                        self.assert_metric(self.metric_of(content, "--kernel", kernel, "--ties", ties), expected)
                self.assert_metric(self.metric_of(content, "--ties", ties, "--k", "2"), exact_metric(labels, scores, ties, 2))
        self.assertEqual(self.metric_of("1,9007199254740992\n0,9007199254740993\n", "--ties", "stable"), 0.5)
        path = self.write("g.csv", "a,1,9007199254740992\na,0,9007199254740993\nb,0,1\nb,1,2\n")
        code, out, err = self.run_cli("--groups", path)
        self.assertEqual((code, err, float(out)), (0, "", 0.75))
        # Exact doubles written as integers stay accepted beside decimals.
        self.assertEqual(self.metric_of("1,0.5\n0,100000000000000000000\n"), 0.5)

    def test_tie_policies_differ_on_tied_scores(self):
        # All tied: `stable` keeps file order (positives last), `average` is order-free.
        labels, scores = [0, 0, 1, 1], [0.5] * 4
        content = csv_text(labels, scores)
        average = self.metric_of(content, "--ties", "average")
        stable = self.metric_of(content, "--ties=stable")
        self.assert_metric(average, exact_metric(labels, scores, "average"), "average")
        self.assert_metric(stable, exact_metric(labels, scores, "stable"), "stable")
        self.assertLess(stable, average)
        self.assert_metric(self.metric_of(csv_text(labels[::-1], scores)), average, "order-free")
        self.assertEqual(self.metric_of(content), average, "average is the default")

    def test_file_named_like_an_option_after_double_dash(self):
        self.write("-data.csv", self.STUDY)
        self.assertEqual(self.run_cli("--", "-data.csv", cwd=self.dir), (0, "0.80000000000000004\n", ""))
        code, out, err = self.run_cli("-data.csv", cwd=self.dir)
        self.assertEqual(code, 2, "without --, it is an unknown option")

    def test_large_input_across_read_chunks(self):
        # The reader works in chunks of a few MiB: rows of varied length (one padded to half a
        # MiB) put row boundaries at every offset around the chunk edges. Every row must be
        # counted once, from a file and from a pipe alike.
        rng = random.Random(SEED)
        n = 300000
        labels = [rng.randint(0, 1) for _ in range(n)]
        scores = [rng.random() for _ in range(n)]
        rows = []
        for i, (l, s) in enumerate(zip(labels, scores)):
            pad = " " * rng.randrange(0, 12)
            rows.append(f"{pad}{l},{s!r}{pad}" + ("\r\n" if i % 3 == 0 else "\n"))
        # A half-MiB row starting shortly before the first chunk edge (the first read is 5 MiB):
        # the reader has to carry it over into the next chunk.
        offset, straddling = len("label,score\n"), 0
        while offset + len(rows[straddling]) < (5 << 20) - (100 << 10):
            offset += len(rows[straddling])
            straddling += 1
        rows[straddling] = rows[straddling].rstrip("\r\n") + " " * (512 << 10) + "\n"
        content = "label,score\n" + "".join(rows)
        self.assertGreater(len(content), 8 << 20)
        expected = rank_sum_exact(labels, scores)
        path = self.write("large.csv", content)
        for source, args, stdin in (("file", [path], None), ("pipe", ["-"], content)):
            with self.subTest(source):
                code, out, err = self.run_cli("-v", *args, stdin=stdin)
                self.assertEqual(code, 0, err)
                self.assertIn(f"{n} rows ({sum(labels)} positive), {n + 1} lines", err)
                self.assert_metric(float(out), expected, source)

    def test_write_failure_is_an_error(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        path = self.write("study.csv", self.STUDY)
        with open("/dev/full", "wb") as full:
            result = subprocess.run([BINARY, path], stdout=full, stderr=subprocess.PIPE, timeout=60)
        self.assertEqual(result.returncode, 1)
        self.assertIn(b"cannot write the output", result.stderr)

    def test_verbose_reports_on_stderr_only(self):
        path = self.write("v.csv", "label,score\n" + self.STUDY)
        code, out, err = self.run_cli("-v", path)
        self.assertEqual((code, out), (0, "0.80000000000000004\n"))
        self.assertIn("5 rows (3 positive)", err)
        self.assertIn("header on line 1", err)

    def test_large_inputs_take_the_low_memory_kernel(self):
        # 2^20 rows with ties: the CLI's own default (keysort, half the work memory) from that
        # size, the library's choice below it and with --k; the value is the same either way.
        rows = 1 << 20
        content = "".join(f"{(i * 7919) % 3 == 0:d},{(i * 104729) % 1000}\n" for i in range(rows))
        path = self.write("large.csv", content)
        code, out, err = self.run_cli("-v", path)
        self.assertEqual(code, 0, err)
        self.assertIn("kernel keysort (its keys made in the parsed scores)", err)
        self.assertEqual(out, self.run_cli("--kernel", "radix_rank", path)[1])
        # The library's keysort (an explicit --kernel) gives the same bits; `stable` ties read the
        # scores in input order, so they never take the in-place keys.
        code, library, err = self.run_cli("-v", "--kernel", "keysort", path)
        self.assertEqual((code, library), (0, out), err)
        self.assertNotIn("parsed scores", err)
        code, stable, err = self.run_cli("-v", "--ties", "stable", path)
        self.assertEqual(code, 0, err)
        self.assertIn("kernel keysort,", err)
        self.assertEqual(stable, self.run_cli("--kernel", "radix_rank", "--ties", "stable", path)[1])
        small = self.write("smaller.csv", "".join(content.splitlines(True)[: rows - 1]))
        self.assertNotIn("kernel keysort", self.run_cli("-v", small)[2])
        self.assertNotIn("kernel keysort", self.run_cli("-v", "--k", "10", path)[2])


class BadInput(CliCase):
    # (content, expected start of stderr after the file name, a phrase the message contains)
    ROW_ERRORS = {
        "malformed score": ("1,0.9\n0,0.8x\n", ":2:3: ", "not a number"),
        "malformed label": ("1,0.9\nyes,0.8\n", ":2:1: ", "not a number"),
        "label 2": ("1,0.9\n2,0.8\n", ":2:1: ", "not 0 or 1"),
        "label -1": ("1,0.9\n-1,0.8\n", ":2:1: ", "not 0 or 1"),
        "label 0.5": ("1,0.9\n0.5,0.8\n", ":2:1: ", "not 0 or 1"),
        "label nan": ("1,0.9\nnan,0.8\n", ":2:1: ", "not 0 or 1"),
        "empty label": ("1,0.9\n,0.8\n", ":2:1: ", "empty label"),
        "empty score": ("1,0.9\n0,  \n", ":2:3: ", "empty score"),
        "missing field": ("1,0.9\n0\n", ":2:2: ", "missing score"),
        "extra field": ("1,0.9\n0,0.8,7\n", ":2:6: ", "extra field"),
        "trailing comma": ("1,0.9\n0,0.8,\n", ":2:6: ", "extra field"),
        "nan score": ("1,0.9\n0,nan\n", ":2:3: ", "NaN"),
        "NaN score": ("1,0.9\n0, NaN\n", ":2:4: ", "NaN"),
        "-nan score": ("1,0.9\n0,-nan\n", ":2:3: ", "NaN"),
        "nan(payload) score": ("1,0.9\n0,nan(7)\n", ":2:3: ", "NaN"),
        "overflowing score": ("1,0.9\n0,1e400\n", ":2:3: ", "outside the range"),
        "underflowing score": ("1,0.9\n0,-1e-400\n", ":2:3: ", "outside the range"),
        "hexadecimal score": ("1,0.9\n0,0x1p3\n", ":2:3: ", "not a number"),
        "double sign": ("1,0.9\n0,+-1\n", ":2:3: ", "not a number"),
        "lone plus": ("1,0.9\n0,+\n", ":2:3: ", "not a number"),
        "semicolon separator": ("1;0.9\n", ":1:6: ", "missing score"),
        "unterminated quote": ('1,0.9\n0,"0.8\n', ":2:3: ", "unterminated quoted field"),
        "text after a closing quote": ('1,0.9\n0,"0.8"x\n', ":2:8: ", "text after the closing quote"),
        "quoted non-number": ('1,"0.9 x"\n', ":1:4: ", "not a number"),
        "space inside number": ("1,0. 9\n", ":1:3: ", "not a number"),
        "header not on the first line": ("1,0.9\nlabel,score\n", ":2:1: ", "not a number"),
        "second header": ("label,score\nlabel,score\n1,0.5\n", ":2:1: ", "not a number"),
        "header with one numeric field": ("label,0.5\n", ":1:1: ", "not a number"),
        "three-field header": ("a,b,c\n1,0.5\n", ":1:4: ", "extra field"),
        "line numbers count blank and crlf lines": ("\r\n1,0.9\r\n\r\n  \r\n0,x\r\n", ":5:3: ", "not a number"),
        "nul byte": ("1,0.9\n0,0.\x005\n", ":2:3: ", "\\x00"),
        "old mac line ends": ("1,0.9\r0,0.8\r", ":1:8: ", "extra field"),
        # A double would round these integers; they are never silently rounded.
        "wide integer after a decimal": ("1,0.5\n0,9007199254740993\n", ":2:3: ", "non-integer score"),
        "decimal after a wide integer": ("1,9007199254740993\n0,0.5\n", ":2:3: ", "not an integer"),
        "integer beyond int64": ("1,5\n0,18446744073709551615\n", ":2:3: ", "beyond the range of int64"),
    }

    def assert_fails(self, args, expected_prefix, phrase="", code=1, stdin=None):
        got_code, out, err = self.run_cli(*args, stdin=stdin)
        self.assertEqual((got_code, out), (code, ""), err)
        self.assertTrue(err.startswith(expected_prefix), f"{err!r} should start with {expected_prefix!r}")
        self.assertIn(phrase, err)
        self.assertEqual(err.count("\n"), 1, f"one line expected: {err!r}")

    def test_row_errors_name_file_line_and_column(self):
        for what, (content, where, phrase) in self.ROW_ERRORS.items():
            with self.subTest(what):
                path = self.write("bad.csv", content)
                self.assert_fails([path], path + where, phrase)

    def test_stdin_errors_are_named_stdin(self):
        self.assert_fails(["-"], "<stdin>:3:3: ", "not a number", stdin="1,0.5\n0,0.2\n1,?\n")

    def test_no_data_rows(self):
        for what, content in {"empty": "", "header only": "label,score\n",
                              "blank lines only": "\n\r\n \t \n", "bom only": "\ufeff"}.items():
            with self.subTest(what):
                path = self.write("empty.csv", content)
                self.assert_fails([path], path + ": no data rows")
        self.assert_fails(["-"], "<stdin>: no data rows", stdin="")

    def test_cannot_open(self):
        missing = os.path.join(self.dir, "missing.csv")
        self.assert_fails([missing], missing + ": cannot open: ", os.strerror(2))
        self.assert_fails([self.dir], self.dir + ": cannot open: ", os.strerror(21))
        if os.geteuid() != 0:  # root reads anything
            locked = self.write("locked.csv", "1,0.5\n")
            os.chmod(locked, 0)
            self.assert_fails([locked], locked + ": cannot open: ", os.strerror(13))

    def test_overlong_line(self):
        path = self.write("long.csv", "1,0.5\n0," + "1" * (2 << 20) + "\n")
        self.assert_fails([path], path + ":2: ", "longer than")
        path = self.write("long_unterminated.csv", "1,0.5\n" + " " * (3 << 20))
        self.assert_fails([path], path + ":2: ", "longer than")

    def test_binary_junk_is_an_error_not_a_crash(self):
        rng = random.Random(SEED)
        for trial in range(20):
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000)))
            if trial % 2:
                junk = b"1,0.5\n" + junk.replace(b"\n", b"\x00")
            path = self.write("junk.bin", junk)
            with self.subTest(trial=trial):
                code, out, err = self.run_cli(path)
                self.assertEqual(code, 1, err)
                self.assertTrue(err.startswith(path + ":"), err[:200])
                self.assertLess(len(err), 400, "junk must not be echoed in full")


class Usage(CliCase):
    def assert_usage_error(self, args, phrase, env=None):
        code, out, err = self.run_cli(*args, env=env)
        self.assertEqual((code, out), (2, ""), err)
        self.assertIn(phrase, err)
        self.assertIn("--help", err)

    def test_usage_errors_exit_2(self):
        data = self.write("ok.csv", "1,0.5\n0,0.4\n")
        cases = {
            "unknown flag": (["--frobnicate", data], "unknown option '--frobnicate'"),
            "unknown short flag": (["-x", data], "unknown option '-x'"),
            "unknown kernel": (["--kernel", "quantum", data], "unknown kernel 'quantum'"),
            "empty kernel": (["--kernel=", data], "unknown kernel ''"),
            "unknown tie policy": (["--ties", "random", data], "unknown tie policy 'random'"),
            "kernel without value": ([data, "--kernel"], "needs a value"),
            "missing FILE": ([], "missing FILE"),
            "too many arguments": ([data, data], "too many arguments"),
        }
        for what, (args, phrase) in cases.items():
            with self.subTest(what):
                self.assert_usage_error(args, phrase)

    def test_usage_error_names_known_kernels(self):
        code, out, err = self.run_cli("--kernel", "quantum", "x.csv")
        for kernel in self.kernels():
            self.assertIn(kernel, err)

    def test_invalid_isa_environment(self):
        data = self.write("ok.csv", "1,0.5\n0,0.4\n")
        self.assert_usage_error([data], "AUCRECALL_ARCH", env={"AUCRECALL_ARCH": "pentium"})


class Information(CliCase):
    def test_help(self):
        code, out, err = self.run_cli("--help")
        self.assertEqual((code, err), (0, ""))
        for topic in ("Usage:", "--kernel", "--ties", "average", "stable", "--list-kernels",
                      "--describe-kernels", "--isa", "--verbose", "--version", "Exit status",
                      "AUCRECALL_ARCH", "FILE:LINE", "header", "<stdin>"):
            self.assertIn(topic, out)
        for kernel in self.kernels():
            self.assertIn(kernel, out)
        self.assertEqual(self.run_cli("-h"), (code, out, err))

    def test_list_kernels_matches_describe_kernels(self):
        names = self.kernels()
        self.assertGreater(len(names), 0)
        self.assertIn("fused", names)
        self.assertEqual(len(names), len(set(names)))
        code, out, err = self.run_cli("--describe-kernels")
        self.assertEqual((code, err), (0, ""))
        rows = [line.split("\t") for line in out.splitlines()]
        self.assertEqual([r[0] for r in rows], names)
        for row in rows:
            self.assertEqual(len(row), 4, row)
            self.assertTrue(row[1] == "any" or row[1].isdigit(), row)
            self.assertIn(row[2], ("simd", "scalar"))
            self.assertTrue(row[3], "every kernel has a description")

    def test_version(self):
        code, out, err = self.run_cli("--version")
        self.assertEqual((code, err), (0, ""))
        self.assertRegex(out, r"^aucrecall \d+\.\d+\.\d+\n$")

    def test_forced_isa_is_reported_and_used(self):
        code, out, err = self.run_cli("--isa")
        self.assertEqual((code, err), (0, ""))
        self.assertIn(out.strip(), ("scalar", "sse2", "sse4_2", "avx2", "avx512"))
        self.assertEqual(self.run_cli("--isa", env={"AUCRECALL_ARCH": "scalar"}), (0, "scalar\n", ""))
        code, out, err = self.run_cli("--describe-kernels")
        simd_kernels = [line.split("\t")[0] for line in out.splitlines() if "\tsimd\t" in line]
        # Past the paths that run no SIMD code: 16 items for every kernel, and keysort sorts lists
        # of up to 256 keys per label without vqsort.
        data = self.write("ok.csv", "".join(f"{i % 2},{i / 64}\n" for i in range(1000)))
        for kernel in simd_kernels:
            code, out, err = self.run_cli("-v", "--kernel", kernel, data,
                                          env={"AUCRECALL_ARCH": "scalar"})
            self.assertEqual(code, 0, err)
            self.assertIn("SIMD instruction set scalar", err)
        tiny = self.write("tiny.csv", "1,0.5\n0,0.4\n1,0.3\n")
        code, out, err = self.run_cli("-v", "--kernel", "radix_rank", tiny)
        self.assertEqual(code, 0, err)
        self.assertIn("SIMD instruction set (none ran", err)


class FilesAsWritten(CliCase):
    """Named or numbered columns, RFC 4180 quoting, and the threaded parse of a large file."""

    def test_a_pandas_to_csv_file_with_its_index_and_quoted_keys(self):
        # pandas.DataFrame.to_csv: an unnamed index column first, keys quoted where they hold a
        # comma, a quote (doubled) or a line break.
        rows = [("q,1", 1, 0.9), ('say "hi"', 0, 0.8), ("q,1", 0, 0.7), ("multi\nline", 1, 0.6),
                ('say "hi"', 1, 0.5), ("multi\nline", 0, 0.4), ("plain", 1, 0.3)]
        def field(key):
            return '"' + key.replace('"', '""') + '"' if any(c in key for c in ',"\n') else key
        text = ",query,label,score,comment\n" + "".join(
            f"{i},{field(key)},{label},{score},\"free text, ignored\"\n" for i, (key, label, score) in enumerate(rows))
        per_group = os.path.join(self.dir, "per_group.csv")
        path = self.write("pandas.csv", text)
        code, out, err = self.run_cli("--groups", "--group-column", "query", "--label-column", "label",
                                      "--score-column", "score", "--per-group", per_group, path)
        self.assertEqual((code, err), (0, ""))
        order = ["q,1", 'say "hi"', "multi\nline", "plain"]
        values = [exact_metric([l for k, l, _ in rows if k == key], [s for k, _, s in rows if k == key], "average")
                  for key in order]
        counted = [v for v in values if v is not None]
        self.assert_metric(float(out), sum(counted) / len(counted))
        import csv
        with open(per_group, newline="") as f:
            written = list(csv.reader(f))
        self.assertEqual([r[0] for r in written[1:]], order)  # keys quoted back as RFC 4180 wants
        # The same columns by number, and label/score/group defaulting to their header names.
        code2, out2, _ = self.run_cli("--groups", "--group-column", "2", "--label-column", "3", "--score-column", "4", path)
        code3, out3, _ = self.run_cli("--groups", "--group-column", "query", path)
        self.assertEqual((code2, out2, code3, out3), (0, out, 0, out))
        # One scored list from the same file: other columns ignored.
        self.assert_metric(self.metric_of(text, "--label-column", "label"),
                           exact_metric([l for _, l, _ in rows], [s for _, _, s in rows], "average"))

    def test_numbered_columns_without_a_header_and_quoted_numbers(self):
        text = 'x,"1",0.9,y\nx,0,"0.8",y\nx,1,0.7,y\n'
        self.assert_metric(self.metric_of(text, "--label-column", "2", "--score-column", "3"),
                           exact_metric([1, 0, 1], [0.9, 0.8, 0.7], "average"))
        self.assertEqual(self.metric_of('"1","0.9"\n"0",0.8\n'), 1.0)

    def test_column_errors(self):
        path = self.write("h.csv", "a,label,b\n1,1,0.5\n")
        code, out, err = self.run_cli("--label-column", "label", "--score-column", "score", path)
        self.assertEqual((code, out), (1, ""))
        self.assertIn("no column named 'score' in the header ('a', 'label', 'b'); choose it with --score-column", err)
        path = self.write("short.csv", "1,x,0.5\n0,0.25\n")
        code, out, err = self.run_cli("--label-column", "1", "--score-column", "3", path)
        self.assertEqual(code, 1)
        self.assertTrue(err.startswith(path + ":2:"), err)
        self.assertIn("missing score: it is column 3, the row has 2 fields", err)
        for args, phrase in ((["--group-column", "q"], "--group-column needs --groups"),
                             (["--ranked", "--score-column", "2"], "--score-column does not go with --ranked"),
                             (["--label-column", "0"], "numbers start at 1"),
                             (["--label-column="], "header name or a number")):
            code, _, err = self.run_cli(*args, path)
            self.assertEqual(code, 2, args)
            self.assertIn(phrase, err)
        code, _, err = self.run_cli(self.write("x.csv", "label,score\n1,0.5\n0,0.25,7\n"))
        self.assertIn("--label-column", err)  # an extra field suggests naming the columns

    def test_default_rows_on_threads_with_rows_the_fast_path_leaves(self):
        # Plain `label,score` rows are parsed straight from the bytes (the row's end found by
        # parsing its score); every other spelling of a valid row goes through the general path.
        # Mixed in a file split over threads, the value and the line numbers must not change.
        rng = random.Random(SEED + 11)
        n = 400_000
        labels = [rng.randint(0, 1) for _ in range(n)]
        scores = [rng.random() * rng.choice([1, -1, 1e-3, 1e3]) for _ in range(n)]
        spellings = [
            lambda l, s: f"{l},{s!r}",
            lambda l, s: f"{l},+{s!r}" if s >= 0 else f"{l},{s!r}",
            lambda l, s: f"{l},{s:.17e}",
            lambda l, s: f" {l} , {s!r} ",
            lambda l, s: f"{'true' if l else 'false'},{s!r}",
            lambda l, s: f"{l}.0,{s!r}",
            lambda l, s: f'"{l}","{s!r}"',
        ]
        rows = []
        for i, (l, s) in enumerate(zip(labels, scores)):
            spell = spellings[0] if i % 97 else spellings[(i // 97) % len(spellings)]
            rows.append(spell(l, s) + ("\r\n" if i % 5 == 0 else "\n"))
        content = "label,score\n" + "".join(rows).rstrip("\r\n")  # the last row without a line break
        self.assertGreater(len(content), 8 << 20)
        expected = rank_sum_exact(labels, scores)
        path = self.write("mixed.csv", content)
        for threads in ("1", "2", "3"):
            code, out, err = self.run_cli("-v", path, env={"AUCRECALL_THREADS": threads})
            self.assertEqual(code, 0, err)
            self.assertIn(f"{n} rows ({sum(labels)} positive), {n + 1} lines", err)
            self.assert_metric(float(out), expected, threads)
        # A bad row far into the file is named by its line, whichever thread met it; a score the
        # fast path declines (NaN, 1e400) or cannot end (a stray character) alike.
        for bad_row, message in (("1,nan", "score 'nan' is NaN"), ("0,1e400", "outside the range of double"),
                                 ("1,0.25x", "score '0.25x' is not a number"), ("1,0.5,", "extra field")):
            broken = list(rows)
            broken[350_000] = bad_row + "\n"
            path = self.write("bad.csv", "label,score\n" + "".join(broken))
            for threads in ("1", "2", "5"):
                code, out, err = self.run_cli(path, env={"AUCRECALL_THREADS": threads})
                self.assertEqual(code, 1, (bad_row, threads))
                self.assertTrue(err.startswith(f"{path}:350002:"), (bad_row, threads, err))
                self.assertIn(message, err)

    def test_threaded_parse_equals_one_thread_on_large_files(self):
        # Above a few megabytes a file is split over threads at row boundaries: quoted line
        # breaks and commas near the cuts, blank lines and a header must not change anything.
        rng = random.Random(SEED + 9)
        lines = ["query,label,score"]
        for i in range(400_000):
            key = rng.choice(["a", "b,c", 'd"e', "f\ng", "h"]) + str(rng.randint(0, 500))
            quoted = '"' + key.replace('"', '""') + '"' if any(c in key for c in ',"\n') else key
            lines.append(f"{quoted},{rng.randint(0, 1)},{rng.randint(0, 1000) / 1000}")
            if i % 9973 == 0:
                lines.append("")
        path = self.write("big.csv", "\n".join(lines) + "\n")
        outputs = set()
        for threads in ("1", "2", "3", "7"):
            code, out, err = self.run_cli("--groups", "-v", path, env={"AUCRECALL_THREADS": threads})
            self.assertEqual(code, 0, err)
            outputs.add(out)
            self.assertIn("rows in", err)
        self.assertEqual(len(outputs), 1, outputs)
        # An error far into the file names its line whichever thread met it.
        bad = list(lines)
        bad[350_000] = "x,2,0.5"
        line = 350_001 + sum(l.count("\n") for l in bad[:350_000])  # quoted line breaks count too
        path = self.write("bad.csv", "\n".join(bad) + "\n")
        for threads in ("1", "2", "5"):
            code, out, err = self.run_cli("--groups", path, env={"AUCRECALL_THREADS": threads})
            self.assertEqual(code, 1)
            self.assertTrue(err.startswith(f"{path}:{line}:3: label '2' is not 0 or 1"), (threads, err))


class EvaluationModes(CliCase):
    """--k, --ranked, --groups, --per-group, --undefined (SPEC.md "Cutoff K", "Ranked input", "Groups")."""

    SPEC_LABELS, SPEC_SCORES = [1, 0, 1, 1, 0], [0.9, 0.8, 0.7, 0.6, 0.5]

    def test_spec_worked_examples(self):
        plain = csv_text(self.SPEC_LABELS, self.SPEC_SCORES)
        ranked = "".join(f"{l}\n" for l in self.SPEC_LABELS)
        for k, expected in ((3, 5 / 8), (2, 2 / 3), (5, 0.8), (100, 0.8)):
            self.assertEqual(self.metric_of(plain, "--k", str(k)), expected)
            self.assertEqual(self.metric_of(ranked, "--ranked", f"--k={k}"), expected)
        self.assertNotEqual(self.metric_of(plain, "--k", "1"), self.metric_of(plain, "--k", "1"))  # nan

    def test_cutoff_every_kernel_and_policy_against_the_definition(self):
        rng = random.Random(SEED + 1)
        for trial in range(12):
            n = rng.randint(2, 40)
            labels = [rng.randint(0, 1) for _ in range(n)]
            scores = [rng.choice([0.0, 0.25, 0.5, 0.75, 1.0]) for _ in range(n)]
            content = csv_text(labels, scores)
            for k in (1, 2, 3, n // 2 + 1, n - 1, n):
                for ties in ("average", "stable"):
                    expected = exact_metric(labels, scores, ties, k)
                    for kernel in [None] + self.kernels():
                        args = ["--k", str(k), "--ties", ties] + (["--kernel", kernel] if kernel else [])
                        self.assert_metric(self.metric_of(content, *args), expected, f"{args} n={n}")

    def test_ranked_is_the_scored_metric_with_descending_scores(self):
        rng = random.Random(SEED + 2)
        labels = [rng.randint(0, 1) for _ in range(500)]
        ranked = "label\n" + "".join(f"{l}\n" for l in labels)
        for k in (None, 1, 7, 250, 500):
            extra = [] if k is None else ["--k", str(k)]
            expected = exact_metric(labels, list(range(len(labels), 0, -1)), "stable", k)
            self.assert_metric(self.metric_of(ranked, "--ranked", *extra), expected, f"k={k}")

    def grouped_case(self, rng, groups, ranked):
        rows, by_group = [], {}
        for g in range(groups):
            key = rng.choice(["q", "user ", "Q-"]) + str(rng.randint(0, 10**18))
            for _ in range(rng.randint(1, 12)):
                label = rng.randint(0, 1) if rng.random() < 0.8 else 0
                score = rng.choice([0.1, 0.2, 0.3, 0.4, 0.5])
                rows.append((key, label, score))
        rng.shuffle(rows)  # rows of one group need not be contiguous
        order = []
        for key, label, score in rows:
            if key.strip() not in by_group:
                by_group[key.strip()] = ([], [])
                order.append(key.strip())
            by_group[key.strip()][0].append(label)
            by_group[key.strip()][1].append(score)
        text = "".join(f" {key} ,{label}\n" if ranked else f"{key},{label},{score!r}\n"
                       for key, label, score in rows)
        return text, order, by_group

    def test_groups_mean_and_per_group_file_against_the_definition(self):
        rng = random.Random(SEED + 3)
        for ranked in (False, True):
            text, order, by_group = self.grouped_case(rng, 40, ranked)
            path = self.write("groups.csv", "query,label" + ("" if ranked else ",score") + "\n" + text)
            for k in (None, 1, 3):
                for ties in ("average", "stable"):
                    for policy in ("skip", "zero"):
                        per_group = os.path.join(self.dir, "per_group.csv")
                        args = ["--groups", "--ties", ties, "--undefined", policy, "--per-group", per_group]
                        args += (["--ranked"] if ranked else []) + ([] if k is None else ["--k", str(k)])
                        code, out, err = self.run_cli(*args, path)
                        self.assertEqual((code, err), (0, ""), args)
                        values = []
                        for key in order:
                            labels, scores = by_group[key]
                            if ranked:
                                scores = list(range(len(labels), 0, -1))
                            values.append(exact_metric(labels, scores, "stable" if ranked else ties, k))
                        counted = [v if v is not None else fractions.Fraction(0) for v in values
                                   if v is not None or policy == "zero"]
                        mean = sum(counted) / len(counted) if counted else None
                        self.assert_metric(float(out), mean, f"mean {args}")
                        with open(per_group) as f:
                            lines = f.read().splitlines()
                        self.assertEqual(lines[0], "group,n,positives,auc_recall")
                        self.assertEqual([line.split(",")[0] for line in lines[1:]], order)
                        for line, key, value in zip(lines[1:], order, values):
                            _, n, positives, got = line.split(",")
                            self.assertEqual((int(n), int(positives)),
                                             (len(by_group[key][0]), sum(by_group[key][0])))
                            if value is None and policy == "zero":
                                value = fractions.Fraction(0)
                            self.assert_metric(float(got), value, f"group {key} {args}")

    def test_many_interleaved_groups_on_every_thread_count(self):
        # Past the library's threshold for putting groups through partitions (4096 groups), with
        # rows enough for two threads in the parse and in the metric: the rows are handed to the
        # library, which hands their pages back as it copies them (evaluation/groups.hpp).
        rng = random.Random(SEED + 5)
        text, order, by_group = self.grouped_case(rng, 25000, False)
        path = self.write("many_groups.csv", "group,label,score\n" + text)
        values = [exact_metric(*by_group[key], "average") for key in order]
        counted = [v for v in values if v is not None]
        mean = sum(counted) / len(counted)
        per_group = os.path.join(self.dir, "per_group.csv")
        for threads in ("1", "2", "3"):
            code, out, err = self.run_cli("--groups", "--per-group", per_group, path,
                                          env={"AUCRECALL_THREADS": threads})
            self.assertEqual((code, err), (0, ""), threads)
            self.assert_metric(float(out), mean, f"mean, {threads} threads")
            with open(per_group) as f:
                lines = f.read().splitlines()[1:]
            self.assertEqual([line.split(",")[0] for line in lines], order)
            for line, key, value in zip(lines, order, values):
                _, n, positives, got = line.split(",")
                self.assertEqual((int(n), int(positives)), (len(by_group[key][0]), sum(by_group[key][0])))
                self.assert_metric(float(got), value, f"group {key}, {threads} threads")

    def test_undefined_error_names_the_group_and_its_first_line(self):
        path = self.write("g.csv", "query,label,score\na,1,0.5\na,0,0.4\n\nb,0,0.9\na,1,0.1\nb,0,0.2\n")
        code, out, err = self.run_cli("--groups", "--undefined", "error", path)
        self.assertEqual((code, out), (1, ""))
        self.assertEqual(err, f"{path}:5: group b is undefined (no positive item)\n")
        # with K = 1 every group is undefined: the first one in order of appearance is named
        code, out, err = self.run_cli("--groups", "--undefined=error", "--k", "1", path)
        self.assertEqual(err, f"{path}:2: group a is undefined (fewer than 2 ranks: 3 items, cutoff K = 1)\n")
        # under skip: no group counted prints nan
        self.assertEqual(self.run_cli("--groups", "--k", "1", path), (0, "nan\n", ""))

    def test_row_errors_in_every_format(self):
        cases = [
            (["--ranked"], "1\n0,0.5\n", ":2:2: ", "extra field: expected 'label', found a second field '0.5'"),
            (["--ranked"], "1\n2\n", ":2:1: ", "label '2' is not 0 or 1"),
            (["--groups"], "q,1,0.5\nq,1\n", ":2:4: ", "missing score: expected 'group,label,score', found 2 fields"),
            (["--groups"], "q,1,0.5\n  ,1,0.5\n", ":2:1: ", "empty group key"),
            (["--groups"], "q,1,0.5\nq,1,nan\n", ":2:5: ", "NaN"),
            (["--groups", "--ranked"], "q,1\nq\n", ":2:2: ", "missing label"),
            (["--groups", "--ranked"], "q,1\nq,1,0\n", ":2:4: ", "extra field"),
            (["--groups"], "", ": no data rows", ""),
        ]
        for args, content, where, phrase in cases:
            path = self.write("bad.csv", content)
            code, out, err = self.run_cli(*args, path)
            self.assertEqual((code, out), (1, ""), (args, content, err))
            self.assertTrue(err.startswith(path + where), (err, where))
            self.assertIn(phrase, err)

    def test_usage_errors(self):
        data = self.write("ok.csv", "1,0.5\n0,0.4\n")
        for args, phrase in (
                (["--k", "0"], "--k must be at least 1"),
                (["--k", "-3"], "is not a whole number"),
                (["--k", "2.5"], "is not a whole number"),
                (["--k", "ten"], "is not a whole number"),
                (["--k="], "is not a whole number"),
                (["--k", "18446744073709551616"], "beyond 64 bits"),
                (["--per-group", "x.csv"], "--per-group needs --groups"),
                (["--undefined", "zero"], "--undefined needs --groups"),
                (["--groups", "--undefined", "ignore"], "unknown undefined-group policy 'ignore'"),
                (["--ranked", "--kernel", "fused"], "--kernel applies to one scored list"),
                (["--groups", "--kernel", "fused"], "--kernel applies to one scored list")):
            code, out, err = self.run_cli(*args, data)
            self.assertEqual((code, out), (2, ""), (args, err))
            self.assertIn(phrase, err)
        # the largest K is accepted and is the full metric
        self.assertEqual(self.metric_of("1,0.5\n0,0.4\n", "--k", "18446744073709551615"),
                         self.metric_of("1,0.5\n0,0.4\n"))

    def test_help_documents_every_mode(self):
        code, out, _ = self.run_cli("--help")
        for phrase in ("--k K", "--ranked", "--groups", "--per-group FILE", "--undefined POLICY",
                       "group,label,score", "aucrecall --groups --ranked --k 10"):
            self.assertIn(phrase, out)


if __name__ == "__main__":
    BINARY = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

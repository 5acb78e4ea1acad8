"""The README's examples, run as written.

  readme_test.py README CLI PYTHONPATH [CXX INCLUDE_DIR LIBRARY LINK_FLAGS...]

- Shell blocks with `$ ` prompts: each command runs in a fresh folder with bash, the README's
  `build/release/aucrecall` replaced by the CLI under test; its output must be the lines shown
  under it. `cat FILE` of a file no earlier command wrote shows the example's input: the file is
  created with the lines shown, then the command runs like the others.
- Python blocks: each statement runs in one namespace per block (the module from PYTHONPATH).
  A trailing comment that starts like a value (a number, a quote, `(`, `array(`) is the value
  the expression must give: its numbers and quoted strings in order, `0.714...` meaning a number
  that starts with those digits. A comment line `# SomeError: message` right after a statement
  means the statement must raise that error with that message. The Dask block runs on a
  `distributed` cluster in this process (`Client(processes=False)`) instead of the README's
  address, over CSV shards this test writes.
- The C++ block: compiled into a program with the built library; each `double name = ...;` whose
  comment starts with a number must print that number.
Blocks of other kinds (the build commands, cmake) are not run; the count of each kind run is
printed, and a README with no runnable block of a kind fails.
"""

import ast
import os
import re
import subprocess
import sys
import tempfile
import traceback

NUMBER = r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+)(?:\.\.\.)?|nan|inf"
TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|" + NUMBER)
VALUE_START = re.compile(r"^(?:-?\d|\.\d|'|\"|\(|array\(|nan\b)")
ERROR_LINE = re.compile(r"^#\s*([A-Za-z]+Error):\s*(.*)$")
README_CLI = "build/release/aucrecall"
# The Dask example names a cluster's address and a set of shards: here, an in-process cluster
# and shards this test writes.
DASK_ADDRESS = 'Client("tcp://scheduler:8786")'
DASK_LOCAL = "Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None)"
DASK_SHARDS = {"runs-0.csv": "query,label,score\nq1,1,0.9\nq2,0,0.7\nq1,0,0.8\n",
               "runs-1.csv": "query,label,score\nq2,1,0.2\nq1,1,0.3\nq3,1,0.5\nq3,0,0.6\n"}

failures = []


def fail(where, message):
    failures.append(f"README.md:{where}: {message}")
    print(f"FAIL README.md:{where}: {message}", file=sys.stderr)


def blocks(text):
    """[(language, first line number of the body, body lines)] of the fenced blocks."""
    out, language, start, body = [], None, 0, []
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            if language is None:
                language, start, body = line[3:].strip() or "text", number + 1, []
            else:
                out.append((language, start, body))
                language = None
        elif language is not None:
            body.append(line)
    return out


def tokens(text):
    return TOKEN.findall(text)


def token_matches(expected, got):
    if expected.endswith("..."):
        return got.startswith(expected[:-3])
    if expected[0] in "'\"" or got[0] in "'\"":
        return expected.strip("'\"") == got.strip("'\"")
    try:
        return float(expected) == float(got) or (expected == got)
    except ValueError:
        return expected == got


def value_matches(comment, value):
    want = tokens(comment.split(" (")[0])
    got = tokens(repr(value))
    return len(want) == len(got) and all(token_matches(w, g) for w, g in zip(want, got)), want, got


def run_shell_block(start, body, cli, folder):
    commands = 0
    written = set()
    i = 0
    while i < len(body):
        line = body[i]
        if not line.startswith("$ "):
            i += 1
            continue
        command = line[2:]
        shown = []
        i += 1
        while i < len(body) and not body[i].startswith("$ "):
            shown.append(body[i])
            i += 1
        target = command.split()[1] if command.startswith("cat ") and len(command.split()) == 2 else None
        if target and target not in written and not os.path.exists(os.path.join(folder, target)):
            with open(os.path.join(folder, target), "w", encoding="utf-8") as fixture:
                fixture.write("".join(f"{text}\n" for text in shown))
        for word in re.findall(r"(?:>>?\s*)(\S+)", command):
            written.add(word)
        result = subprocess.run(["bash", "-c", command.replace(README_CLI, cli)], cwd=folder,
                                capture_output=True, text=True, check=False)
        output = (result.stdout + result.stderr).splitlines()
        # A trailing comment documents the command; the shell drops it anyway.
        if output != shown:
            fail(start + body.index(line), f"`{command}` printed {output!r}, the README shows {shown!r}")
        commands += 1
    return commands


def run_python_block(start, body, python_path, folder, namespace):
    """Runs one block in `namespace`, shared by the README's blocks as a reader reads on."""
    source = "\n".join(body)
    if DASK_ADDRESS in source:
        source = source.replace(DASK_ADDRESS, DASK_LOCAL)
        for name, content in DASK_SHARDS.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as shard:
                shard.write(content)
    tree = ast.parse(source)
    lines = source.splitlines()
    sys.path.insert(0, python_path)
    previous = os.getcwd()
    os.chdir(folder)
    checked = 0
    try:
        for statement in tree.body:
            where = start + statement.lineno - 1
            last = lines[statement.end_lineno - 1]
            comment = last.split("#", 1)[1].strip() if "#" in last else ""
            following = lines[statement.end_lineno].strip() if statement.end_lineno < len(lines) else ""
            error = ERROR_LINE.match(following)
            code = ast.get_source_segment(source, statement)
            try:
                if isinstance(statement, ast.Expr):
                    value = eval(compile(ast.Expression(statement.value), "README", "eval"), namespace)
                else:
                    exec(compile(ast.Module([statement], []), "README", "exec"), namespace)
                    value = None
            except Exception as raised:  # the README's shown errors
                if error and type(raised).__name__ == error.group(1) and str(raised) == error.group(2):
                    checked += 1
                    continue
                fail(where, f"`{code}` raised {type(raised).__name__}: {raised}"
                            + (f"; the README shows {error.group(0)}" if error else ""))
                continue
            if error:
                fail(where, f"`{code}` raised nothing; the README shows {error.group(0)}")
                continue
            if comment and VALUE_START.match(comment) and isinstance(statement, ast.Expr):
                same, want, got = value_matches(comment, value)
                if not same:
                    fail(where, f"`{code}` gives {value!r}; the README shows {comment!r} ({want} vs {got})")
                checked += 1
    finally:
        os.chdir(previous)
        sys.path.remove(python_path)
        client = namespace.pop("client", None)
        if client is not None:
            client.close()
    return checked


def run_cpp_block(start, body, folder, cxx, include, library, link_flags):
    printed = []
    program = ["#include <cstdio>", "#include <cstdint>", "#include <vector>", *[l for l in body if l.startswith("#include")],
               "int main() {"]
    for line in body:
        if line.startswith("#include"):
            continue
        program.append(line)
        match = re.match(r"\s*double (\w+) = .*;\s*//\s*(\S+)", line)
        if match and VALUE_START.match(match.group(2)):
            program.append(f'std::printf("%.17g\\n", {match.group(1)});')
            printed.append((body.index(line), match.group(2).rstrip(":")))
    program.append("return 0; }")
    source = os.path.join(folder, "readme_example.cpp")
    binary = os.path.join(folder, "readme_example")
    with open(source, "w", encoding="utf-8") as out:
        out.write("\n".join(program) + "\n")
    build = subprocess.run([cxx, "-std=c++20", "-O1", f"-I{include}", source, library, *link_flags, "-o", binary],
                           capture_output=True, text=True, check=False)
    if build.returncode != 0:
        fail(start, f"the C++ example does not compile:\n{build.stderr[:3000]}")
        return 0
    run = subprocess.run([binary], capture_output=True, text=True, check=False)
    values = run.stdout.split()
    if run.returncode != 0 or len(values) != len(printed):
        fail(start, f"the C++ example exited {run.returncode}, printed {run.stdout!r} {run.stderr!r}")
        return 0
    for (offset, want), got in zip(printed, values):
        if not token_matches(want, got):
            fail(start + offset, f"the C++ example gives {got}; the README shows {want}")
    return len(printed)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    readme, cli, python_path = (os.path.abspath(a) for a in argv[:3])
    cpp = argv[3:]
    with open(readme, encoding="utf-8") as source:
        text = source.read()
    namespace = {"__name__": "__readme__"}
    counts = {"shell commands": 0, "python checks": 0, "python blocks": 0, "c++ values": 0}
    for language, start, body in blocks(text):
        with tempfile.TemporaryDirectory(prefix="aucrecall-readme-") as folder:
            try:
                if language == "sh" and any(line.startswith("$ ") for line in body):
                    counts["shell commands"] += run_shell_block(start, body, cli, folder)
                elif language == "python":
                    counts["python checks"] += run_python_block(start, body, python_path, folder, namespace)
                    counts["python blocks"] += 1
                elif language == "cpp":
                    if cpp:
                        counts["c++ values"] += run_cpp_block(start, body, folder, cpp[0], cpp[1], cpp[2], cpp[3:])
                    else:
                        print(f"README.md:{start}: C++ block skipped: no compiler given", file=sys.stderr)
            except Exception:
                fail(start, f"the {language} block could not run:\n{traceback.format_exc()}")
    print("readme examples: " + ", ".join(f"{value} {name}" for name, value in counts.items()))
    for name in ("shell commands", "python checks"):
        if counts[name] == 0:
            fail(0, f"no {name} found: the README's examples changed shape")
    if cpp and counts["c++ values"] == 0:
        fail(0, "no C++ values checked")
    if failures:
        print(f"{len(failures)} README example(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

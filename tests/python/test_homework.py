"""The nbgrader homework grades correctly with the distsim kernel.

Everything runs in a temporary copy of notebooks/homework (its own gradebook database), which is removed
at the end, so the shipped course is never touched:

- `nbgrader generate_assignment` turns every solution region into the Rust stub and drops hidden tests;
- three submissions per assignment are autograded: the instructor's solution (full marks), the untouched
  student version (0, and nbgrader does not crash) and a partial one with only the first answer cell filled
  in (strictly between);
- autograding goes through scripts/nbgrader_course.py, which builds the kernel's cache first and says so
  (a stale cache is rebuilt by that step, not inside a graded cell); it prints no warning for these
  honest submissions, and still warns about a test cell a student did change;
- feedback HTML exists for every submission and holds no hidden test;
- grading a submission again gives the same score, cell by cell;
- no passing test cell writes to stderr; unanswered functions fail as panics, not compile errors;
- the first cell of a fresh kernel completes within nbgrader's 30 s default timeout (the course's own
  config allows 120 s; the default is what an instructor without it gets).

Timings are printed (run pytest with -s to see them). Needs the distsim kernel installed in the venv:
    .venv/bin/distsim-kernel install --sys-prefix   (or target/release/distsim-kernel install --sys-prefix)
Run: .venv/bin/python -m pytest tests/python/test_homework.py -s
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "notebooks" / "homework"
ASSIGNMENTS = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
STUDENTS = ("instructor", "untouched", "partial")
STUB = "// YOUR CODE HERE\ntodo!()"
# nbgrader's own default cell timeout; the first cell must finish inside it. (A tighter margin was
# tried: on a loaded CI machine the first cell took 18.5 s against a 20 s bound, a flaky test.)
NBGRADER_DEFAULT_TIMEOUT_S = 30.0


def nbgrader(course, *args, timeout=1800):
    """Runs one nbgrader command in `course`, with the venv's bin first on PATH (nbgrader runs alembic)."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args, f"--CourseDirectory.root={course}"]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=course, env=env, capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return elapsed, result


def grade(course, assignment, *extra):
    """Autogrades through the instructor's helper, as docs/instructors.md says; returns its output."""
    cmd = [sys.executable, str(ROOT / "scripts" / "nbgrader_course.py"), "--course", str(course),
           "autograde", assignment, *extra]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"autograde {assignment} failed:\n{output}"
    return elapsed, output


def read(path):
    return nbformat.read(str(path), as_version=4)


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def strip_regions(source, begin, end, stub=None):
    """What the student sees: each delimited region replaced by the indented stub (or removed)."""
    out, inside = [], False
    for line in source.split("\n"):
        if begin in line:
            inside = True
            if stub is not None:
                indent = re.match(r"\s*", line).group(0)
                out.extend(indent + s for s in stub.split("\n"))
        elif end in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def kernel_installed():
    from jupyter_client.kernelspec import KernelSpecManager

    return "distsim" in KernelSpecManager().find_kernel_specs()


def report(line):
    """Timing figures go straight to the terminal, even when pytest captures output."""
    sys.__stdout__.write(f"\n[homework] {line}\n")
    sys.__stdout__.flush()


@pytest.fixture(scope="module")
def course():
    """A temporary course: released, three submissions per assignment, autograded, with feedback."""
    assert kernel_installed(), (
        "the distsim kernelspec is not installed; run `target/release/distsim-kernel install --sys-prefix` "
        "with the venv active")
    tmp = Path(tempfile.mkdtemp(prefix="distsim-homework-"))
    try:
        root = tmp / "course"
        root.mkdir()
        shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(COURSE / "source", root / "source")
        timings = {}
        for a in ASSIGNMENTS:
            nbgrader(root, "generate_assignment", a, "--force")
            source, release = read(root / "source" / a / f"{a}.ipynb"), read(root / "release" / a / f"{a}.ipynb")
            submissions = {"instructor": source, "untouched": release, "partial": partial_submission(source, release)}
            for student, nb in submissions.items():
                target = root / "submitted" / student / a
                target.mkdir(parents=True)
                nbformat.write(nb, str(target / f"{a}.ipynb"))
            timings[a], output = grade(root, a)
            (root / f"autograde-{a}.log").write_text(output)
            report(f"autograde {a}: {timings[a]:.1f} s for {len(STUDENTS)} submissions (with the cache check)")
            nbgrader(root, "generate_feedback", a, "--force")
        yield root
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def partial_submission(source, release):
    """The student version with only its first answer cell filled in (from the instructor's solution)."""
    nb = read_copy(release)
    first = next(c for c in source.cells if meta(c).get("solution"))
    for cell in nb.cells:
        if meta(cell).get("grade_id") == meta(first)["grade_id"]:
            cell.source = first.source
    return nb


def read_copy(nb):
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def scores(root, assignment):
    """{student: (score, max_score)} from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        out = {}
        for student in STUDENTS:
            sub = gb.find_submission(assignment, student)
            out[student] = (sub.score, sub.max_score)
        return out


def cell_scores(root, assignment, student):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: g.score for g in nb.grades}


# --- the course itself (no kernel needed) ---------------------------------------------------------


def test_course_has_four_assignments_with_points_and_hidden_tests():
    assert len(ASSIGNMENTS) >= 4, ASSIGNMENTS
    for a in ASSIGNMENTS:
        nb = read(COURSE / "source" / a / f"{a}.ipynb")
        assert nb.metadata.kernelspec.name == "distsim" and nb.metadata.kernelspec.language == "rust"
        tests = [c for c in nb.cells if meta(c).get("grade")]
        answers = [c for c in nb.cells if meta(c).get("solution")]
        assert len(tests) >= 3 and len(answers) >= 2, a
        for c in nb.cells:
            if meta(c):
                assert meta(c)["schema_version"] == 3 and meta(c)["grade_id"], a
            if c.cell_type == "code":
                assert c.outputs == [] and c.execution_count is None, f"{a}: stored outputs"
        for c in tests:
            assert meta(c)["locked"] and meta(c)["points"] > 0 and not meta(c)["solution"], meta(c)
        for c in answers:
            assert "// BEGIN SOLUTION" in c.source and "// END SOLUTION" in c.source, meta(c)["grade_id"]
        assert any("// BEGIN HIDDEN TESTS" in c.source for c in tests), f"{a} has no hidden tests"


# --- generate_assignment ---------------------------------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_student_version_has_stubs_and_no_hidden_tests(course, assignment):
    source = read(course / "source" / assignment / f"{assignment}.ipynb")
    release = read(course / "release" / assignment / f"{assignment}.ipynb")
    assert [meta(c).get("grade_id") for c in release.cells] == [meta(c).get("grade_id") for c in source.cells]
    for src, rel in zip(source.cells, release.cells):
        assert "BEGIN SOLUTION" not in rel.source and "END SOLUTION" not in rel.source
        assert "HIDDEN TESTS" not in rel.source
        if meta(src).get("solution"):
            assert rel.source == strip_regions(src.source, "BEGIN SOLUTION", "END SOLUTION", STUB)
            assert rel.source.count("todo!()") == src.source.count("// BEGIN SOLUTION")
        elif meta(src).get("grade"):
            hidden = src.source.split("// BEGIN HIDDEN TESTS")[1:]
            assert rel.source == strip_regions(src.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
            for block in hidden:
                body = block.split("// END HIDDEN TESTS")[0].strip()
                assert body not in rel.source
        else:
            assert rel.source == src.source


# --- autograde -------------------------------------------------------------------------------------


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_scores_full_zero_and_partial(course, assignment):
    got = scores(course, assignment)
    full = got["instructor"][1]
    assert full > 0
    assert got["instructor"][0] == full, f"instructor solution: {got}\n{cell_scores(course, assignment, 'instructor')}"
    assert got["untouched"][0] == 0, f"untouched student version: {got}"
    assert 0 < got["partial"][0] < full, f"partial submission: {got}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_unanswered_functions_fail_as_panics_not_compile_errors(course, assignment):
    nb = read(course / "autograded" / "untouched" / assignment / f"{assignment}.ipynb")
    for cell in nb.cells:
        if meta(cell).get("grade"):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1, f"{meta(cell)['grade_id']}: {cell.outputs}"
            assert errors[0].ename == "Panic", f"{meta(cell)['grade_id']}: {errors[0].ename}: {errors[0].evalue}"
            assert "not yet implemented" in errors[0].evalue


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_passing_test_cells_write_nothing_to_stderr(course, assignment):
    for student in ("instructor", "partial"):
        nb = read(course / "autograded" / student / assignment / f"{assignment}.ipynb")
        per_cell = cell_scores(course, assignment, student)
        for cell in nb.cells:
            m = meta(cell)
            if m.get("grade") and per_cell[m["grade_id"]] == m["points"]:
                bad = [o for o in cell.outputs if o.output_type == "error"
                       or (o.output_type == "stream" and o.name == "stderr")]
                assert bad == [], f"{student}/{m['grade_id']}: {bad}"
    instructor = read(course / "autograded" / "instructor" / assignment / f"{assignment}.ipynb")
    for cell in instructor.cells:
        if cell.cell_type == "code":
            assert not any(o.output_type == "stream" and o.name == "stderr" for o in cell.outputs), (
                f"instructor cell {meta(cell).get('grade_id')} wrote to stderr: {cell.outputs}")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_html_for_every_submission(course, assignment):
    for student in STUDENTS:
        html = course / "feedback" / student / assignment / f"{assignment}.html"
        assert html.is_file(), html
        text = html.read_text(encoding="utf-8")
        assert assignment in text and "Score" in text


def hidden_assertions(assignment):
    """The assertion lines of the instructor's hidden tests."""
    nb = read(COURSE / "source" / assignment / f"{assignment}.ipynb")
    lines = []
    for cell in nb.cells:
        for block in cell.source.split("// BEGIN HIDDEN TESTS")[1:]:
            body = block.split("// END HIDDEN TESTS")[0]
            lines += [line.strip() for line in body.split("\n") if "assert" in line]
    return lines


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_holds_no_hidden_test(course, assignment):
    from bs4 import BeautifulSoup

    hidden = hidden_assertions(assignment)
    assert hidden, f"{assignment} has no hidden assertion to look for"
    for student in STUDENTS:
        graded = read(course / "autograded" / student / assignment / f"{assignment}.ipynb")
        graded_source = "\n".join(c.source for c in graded.cells)
        # The graded notebook, which feedback is made from, does hold them: the check below can fail.
        assert all(line in graded_source for line in hidden), f"{student}: hidden tests not restored"
        html = (course / "feedback" / student / assignment / f"{assignment}.html").read_text(encoding="utf-8")
        text = BeautifulSoup(html, "html.parser").get_text()  # code is split into highlighted spans
        assert "HIDDEN TESTS" not in text, f"{student}: a hidden-test delimiter in the feedback"
        leaked = [line for line in hidden if line in text]
        assert leaked == [], f"{student}: hidden assertions in the feedback: {leaked}"


def test_feedback_hides_what_a_failed_hidden_assertion_says():
    """A failed hidden `assert!` panics with its condition; feedback keeps only that a hidden test failed."""
    from nbformat.v4 import new_code_cell, new_output
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    clear = config.GenerateFeedback.preprocessors[-1](config=config)
    source = ("{\n    let x = 1;\n    assert!(x == 1);\n    // BEGIN HIDDEN TESTS\n"
              "    assert!(x * 3 == 4);\n    // END HIDDEN TESTS\n};")
    said = {}
    for message in ("assertion failed: x * 3 == 4", "assertion failed: x == 1", "not yet implemented"):
        cell = new_code_cell(source, metadata={"nbgrader": {
            "grade": True, "grade_id": "t", "points": 1, "locked": True, "solution": False, "schema_version": 3}})
        cell.outputs = [new_output("error", ename="Panic", evalue=message, traceback=[f"panicked: {message}"])]
        cell, _ = clear.preprocess_cell(cell, {}, 0)
        assert "HIDDEN" not in cell.source and "x * 3 == 4" not in cell.source, cell.source
        said[message] = (cell.outputs[0].evalue, cell.outputs[0].traceback)
    hidden, visible, stub = said.values()
    assert "x * 3" not in str(hidden) and "a hidden test failed" in hidden[0], hidden
    assert visible == ("assertion failed: x == 1", ["panicked: assertion failed: x == 1"])
    assert stub == ("not yet implemented", ["panicked: not yet implemented"])


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_autograding_builds_the_kernel_cache_first_and_prints_no_warning(course, assignment):
    output = (course / f"autograde-{assignment}.log").read_text()
    lines = output.splitlines()
    warm = next((i for i, line in enumerate(lines) if "kernel cache ready" in line), None)
    graded = next((i for i, line in enumerate(lines) if f"nbgrader autograde {assignment}" in line), None)
    assert warm is not None and graded is not None and warm < graded, output
    warnings = [line for line in lines if re.search(r"WARNING|Warning|has changed", line)]
    assert warnings == [], "\n".join(warnings)


def test_a_changed_test_cell_still_warns(course):
    """Quiet for untouched cells with hidden tests, nbgrader still reports a test cell a student edited."""
    a = ASSIGNMENTS[0]
    nb = read(course / "release" / a / f"{a}.ipynb")
    cell = next(c for c in nb.cells if meta(c).get("grade"))
    cell.source = cell.source.replace("assert", "// edited by the student\n    assert", 1)
    target = course / "submitted" / "tampered" / a
    target.mkdir(parents=True)
    nbformat.write(nb, str(target / f"{a}.ipynb"))
    _, output = grade(course, a, "--student", "tampered")
    changed = re.findall(r"Attribute 'checksum' for cell (\S+) has changed", output)
    assert changed == [meta(cell)["grade_id"]], output


def kernel_cache_root():
    """Where the distsim kernel keeps its cache (kernel/src/interpreter/warmup.rs)."""
    if os.environ.get("DISTSIM_KERNEL_CACHE"):
        return Path(os.environ["DISTSIM_KERNEL_CACHE"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "distsim-kernel"
    return Path.home() / ".cache" / "distsim-kernel"


def test_the_grading_helper_rebuilds_a_stale_kernel_cache_before_grading():
    """A cache left stale by a toolchain or distsim update is rebuilt by the helper's first step."""
    template = kernel_cache_root() / "template"
    assert (template / "STAMP").is_file(), f"no kernel cache at {template}: install the kernel first"
    with tempfile.TemporaryDirectory(prefix="distsim-cache-") as tmp:
        stale = Path(tmp) / "cache"
        shutil.copytree(template, stale / "template", symlinks=True)
        (stale / "template" / "STAMP").unlink()  # what the kernel sees after an update
        env = dict(os.environ, DISTSIM_KERNEL_CACHE=str(stale))
        result = subprocess.run([sys.executable, str(ROOT / "scripts" / "nbgrader_course.py"), "warm"],
                                env=env, capture_output=True, text=True, timeout=3600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "kernel cache ready" in result.stdout, result.stdout
        assert (stale / "template" / "STAMP").is_file(), "the warm step did not rebuild the cache"


def test_grading_twice_gives_the_same_scores(course):
    before = {a: {s: cell_scores(course, a, s) for s in STUDENTS} for a in ASSIGNMENTS}
    for a in ASSIGNMENTS:
        elapsed, _ = nbgrader(course, "autograde", a, "--student", "partial", "--force")
        report(f"re-autograde {a} (partial submission only): {elapsed:.1f} s")
    after = {a: {s: cell_scores(course, a, s) for s in STUDENTS} for a in ASSIGNMENTS}
    assert after == before


# --- the kernel's first cell -----------------------------------------------------------------------


def test_first_cell_of_a_fresh_kernel_is_within_the_default_timeout():
    from jupyter_client.manager import start_new_kernel

    assert kernel_installed()
    nb = read(COURSE / "source" / ASSIGNMENTS[0] / f"{ASSIGNMENTS[0]}.ipynb")
    first = next(c for c in nb.cells if c.cell_type == "code")
    started = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="distsim", startup_timeout=120)
    try:
        ready = time.perf_counter()
        outputs = []
        reply = kc.execute_interactive(first.source, timeout=120, output_hook=outputs.append)
        done = time.perf_counter()
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert not any(m["msg_type"] == "stream" and m["content"]["name"] == "stderr" for m in outputs)
    first_cell = done - ready
    report(f"fresh kernel: start to ready {ready - started:.2f} s, first cell {first_cell:.2f} s, "
           f"start to first result {done - started:.2f} s (nbgrader's default limit: 30 s per cell)")
    assert first_cell < NBGRADER_DEFAULT_TIMEOUT_S

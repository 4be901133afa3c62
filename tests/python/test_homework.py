"""The nbgrader homework grades correctly with the distsim kernel.

Everything runs in a temporary copy of notebooks/homework (its own gradebook database), removed at the end,
so the shipped course is never touched (tests/python/homework_fixtures/grading.py builds it, once per pytest
process, shared with test_homework_adversarial.py):

- `nbgrader generate_assignment` turns every solution region into the Rust stub, every written answer into
  nbgrader's text stub, and drops hidden tests;
- three submissions per assignment are autograded: the instructor's solution (full marks), the untouched
  student version (0, and nbgrader does not crash) and a partial one with only the first answer cell filled
  in (strictly between); the written parts are left to a human grader;
- autograding goes through scripts/nbgrader_course.py, which builds the kernel's cache first and says so
  (a stale cache is rebuilt by that step, not inside a graded cell); it prints no warning for these
  honest submissions, and still warns about a test cell a student did change;
- feedback HTML exists for every submission and holds no hidden test;
- grading a submission again gives the same score, cell by cell;
- no passing test cell writes to stderr; unanswered functions fail as panics, not compile errors;
- the first graded cell of a fresh kernel does not compile distsim: the helper's cache step did.

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
from pathlib import Path

import nbformat
import pytest

from homework_fixtures.grading import (ASSIGNMENTS, COURSE, ROOT, STUB, STUDENTS, TEXT_STUB, built_course,
                                       cell_scores, grade, is_test, meta, nbgrader, read,
                                       report, scores)

# The assignments in which students write protocol code, each with a written part graded by hand.
PROTOCOL_ASSIGNMENTS = ("hw3_siblings", "hw4_register", "hw5_election")

# What a kernel prints (to its stderr, which reaches the grading helper's output) when it compiles distsim
# into its cache because the cache is missing or stale (kernel/src/interpreter/session.rs).
COMPILING_DISTSIM = "distsim-kernel: compiling distsim into"


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


@pytest.fixture(scope="module")
def course():
    """A temporary course: released, submissions of every assignment autograded, with feedback."""
    return built_course()


# --- the course itself (no kernel needed) ---------------------------------------------------------


def test_course_has_five_assignments_with_points_and_hidden_tests():
    assert set(PROTOCOL_ASSIGNMENTS) < set(ASSIGNMENTS) and len(ASSIGNMENTS) == 5, ASSIGNMENTS
    for a in ASSIGNMENTS:
        nb = read(COURSE / "source" / a / f"{a}.ipynb")
        assert nb.metadata.kernelspec.name == "distsim" and nb.metadata.kernelspec.language == "rust"
        tests = [c for c in nb.cells if is_test(c)]
        answers = [c for c in nb.cells if meta(c).get("solution") and c.cell_type == "code"]
        written = [c for c in nb.cells if meta(c).get("solution") and c.cell_type == "markdown"]
        for c in written:  # graded by hand in formgrader
            assert meta(c)["grade"] and meta(c)["points"] > 0 and not meta(c)["locked"], meta(c)
        if a in PROTOCOL_ASSIGNMENTS:
            assert len(written) == 1, f"{a}: a written part (predict, measure, explain)"
            assert "nbgrader validate" in nb.cells[0].source, f"{a}: the intro should ask for `nbgrader validate`"
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
        if meta(src).get("solution") and src.cell_type == "markdown":
            assert rel.source == TEXT_STUB, meta(src)["grade_id"]
        elif meta(src).get("solution"):
            assert rel.source == strip_regions(src.source, "BEGIN SOLUTION", "END SOLUTION", STUB)
            assert rel.source.count("todo!()") == src.source.count("// BEGIN SOLUTION")
        elif is_test(src):
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
        if is_test(cell):
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
            if is_test(cell) and per_cell[m["grade_id"]] == m["points"]:
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
    assert not any(COMPILING_DISTSIM in line for line in lines[graded:]), "a graded kernel compiled distsim"
    warnings = [line for line in lines if re.search(r"WARNING|Warning|has changed", line)]
    assert warnings == [], "\n".join(warnings)


def test_a_changed_test_cell_still_warns(course):
    """Quiet for untouched cells with hidden tests, nbgrader still reports a test cell a student edited."""
    a = ASSIGNMENTS[0]
    nb = read(course / "release" / a / f"{a}.ipynb")
    cell = next(c for c in nb.cells if is_test(c))
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


def test_the_grading_helper_rebuilds_a_stale_kernel_cache_before_grading(course):
    """A cache left stale by a toolchain or distsim update is rebuilt by the helper's first step, and no
    graded cell compiles distsim afterwards: the kernel says when it compiles distsim, and it says so
    before "kernel cache ready" and never during `nbgrader autograde`. (This replaces a wall-clock bound
    on a fresh kernel's first cell, which depended on the machine's load.)"""
    template = kernel_cache_root() / "template"
    assert (template / "STAMP").is_file(), f"no kernel cache at {template}: install the kernel first"
    with tempfile.TemporaryDirectory(prefix="distsim-cache-") as tmp:
        stale = Path(tmp) / "cache"
        shutil.copytree(template, stale / "template", symlinks=True)
        (stale / "template" / "STAMP").unlink()  # what the kernel sees after an update
        env = dict(os.environ, DISTSIM_KERNEL_CACHE=str(stale))
        a = ASSIGNMENTS[0]
        cmd = [sys.executable, str(ROOT / "scripts" / "nbgrader_course.py"), "--course", str(course),
               "autograde", a, "--student", "instructor"]
        # One stream, in the order things happened: the kernel's stderr and the helper's stdout.
        result = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                timeout=3600)
        output = result.stdout
        assert result.returncode == 0, output
        assert (stale / "template" / "STAMP").is_file(), "the warm step did not rebuild the cache"
    lines = output.splitlines()
    compiled = [i for i, line in enumerate(lines) if COMPILING_DISTSIM in line]
    ready = next(i for i, line in enumerate(lines) if "kernel cache ready" in line)
    graded = next(i for i, line in enumerate(lines) if f"nbgrader autograde {a}" in line)
    assert len(compiled) == 1 and compiled[0] < ready < graded, output
    assert cell_scores(course, a, "instructor") == {
        meta(c)["grade_id"]: meta(c)["points"] for c in read(COURSE / "source" / a / f"{a}.ipynb").cells if is_test(c)}


def test_grading_twice_gives_the_same_scores(course):
    before = {a: {s: cell_scores(course, a, s) for s in STUDENTS} for a in ASSIGNMENTS}
    for a in ASSIGNMENTS:
        elapsed, _ = nbgrader(course, "autograde", a, "--student", "partial", "--force")
        report(f"re-autograde {a} (partial submission only): {elapsed:.1f} s")
    after = {a: {s: cell_scores(course, a, s) for s in STUDENTS} for a in ASSIGNMENTS}
    assert after == before

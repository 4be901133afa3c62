"""Plausible wrong submissions lose points on hidden tests; a submission that does not compile is graded.

The fixtures are tests/python/homework_fixtures/<assignment>/<name>.rs (each says what it gets wrong and
what grading must make of it; see homework_fixtures/grading.py). They are graded in the same nbgrader
autograde call as the honest submissions of test_homework.py, in the course both files share.

- the instructor's solution gets full marks (test_homework.py), every wrong one strictly less;
- a wrong one loses points only in hidden tests: every test cell it fails, it fails in the cell's hidden
  part, after the visible part passed, so passing the visible tests is not enough;
- a one-line type error in one answer zeroes exactly the test cells that need that answer (the stand-in
  stays in force and fails them with "not yet implemented"); the other parts keep their points, and the
  grader does not crash.

Run: .venv/bin/python -m pytest tests/python/test_homework_adversarial.py -s
"""

import re

import pytest

from homework_fixtures.grading import (COURSE, auto_max, built_course, cell_scores, fixtures, graded_notebook,
                                       is_test, meta, read)

FIXTURES = fixtures()


@pytest.fixture(scope="module")
def course():
    return built_course()


def fixture_id(f):
    return f"{f.assignment}/{f.name}"


def test_every_protocol_assignment_has_two_wrong_and_one_broken_submission():
    by_assignment = {}
    for f in FIXTURES:
        by_assignment.setdefault(f.assignment, []).append(f)
    for a in ("hw3_siblings", "hw4_register", "hw5_election"):
        kinds = [any(e.startswith("zero ") for e in f.expect) for f in by_assignment.get(a, [])]
        assert kinds.count(False) >= 2 and kinds.count(True) >= 1, f"{a}: {kinds}"


def hidden_and_visible(source):
    """A test cell's source split into its hidden part and the rest."""
    hidden = "".join(block.split("// END HIDDEN TESTS")[0] for block in source.split("// BEGIN HIDDEN TESTS")[1:])
    visible = re.sub(r"// BEGIN HIDDEN TESTS.*?// END HIDDEN TESTS", "", source, flags=re.S)
    return hidden, visible


def fragments(code):
    """The fixed text of the string literals in `code` (pieces between `{...}` placeholders, 8+ chars)."""
    out = set()
    for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', code):
        out.update(p.strip() for p in re.split(r"\{[^}]*\}", literal) if len(p.strip()) >= 8)
    return out


def failed_in_hidden(cell):
    """Whether the cell's error quotes the message of an assertion only its hidden part has."""
    hidden, visible = hidden_and_visible(cell.source)
    only_hidden = fragments(hidden) - fragments(visible)
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return len(errors) == 1 and any(f in errors[0].evalue for f in only_hidden), errors


@pytest.mark.parametrize("fixture", FIXTURES, ids=fixture_id)
def test_a_wrong_or_broken_submission_scores_less_than_full_marks(course, fixture):
    got = cell_scores(course, fixture.assignment, fixture.name)
    total, full = sum(got.values()), auto_max(fixture.assignment)
    assert total < full, f"{fixture_id(fixture)} got full marks: {got}"
    if any(e.startswith("zero ") for e in fixture.expect):
        assert total > 0, f"{fixture_id(fixture)}: a compile error in one part should not cost the others: {got}"


@pytest.mark.parametrize("fixture", FIXTURES, ids=fixture_id)
def test_each_expectation_of_a_fixture_holds(course, fixture):
    got = cell_scores(course, fixture.assignment, fixture.name)
    points = {meta(c)["grade_id"]: meta(c)["points"]
              for c in read(COURSE / "source" / fixture.assignment / f"{fixture.assignment}.ipynb").cells if is_test(c)}
    graded = {meta(c).get("grade_id"): c for c in graded_notebook(course, fixture.assignment, fixture.name).cells}
    for expectation in fixture.expect:
        kind, test = expectation.split()[:2]
        if kind == "loses":
            hidden, errors = failed_in_hidden(graded[test])
            assert got[test] < points[test] and hidden, f"{fixture_id(fixture)}: {expectation}: {got[test]}, {errors}"
        elif kind == "full":
            assert got[test] == points[test], f"{fixture_id(fixture)}: {expectation}: {got[test]}"
        elif kind == "zero":
            errors = [o for o in graded[test].outputs if o.output_type == "error"]
            assert got[test] == 0 and len(errors) == 1, f"{fixture_id(fixture)}: {expectation}: {got[test]}"
            assert errors[0].ename == "Panic" and "not yet implemented" in errors[0].evalue, errors[0]
        else:
            raise AssertionError(f"{fixture.path}: unknown expectation {expectation!r}")


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if not any(e.startswith("zero ") for e in f.expect)],
                         ids=fixture_id)
def test_a_wrong_submission_passes_every_visible_test(course, fixture):
    """Every test cell a wrong submission fails, it fails in the hidden part: the visible tests passed."""
    got = cell_scores(course, fixture.assignment, fixture.name)
    for cell in graded_notebook(course, fixture.assignment, fixture.name).cells:
        if is_test(cell) and got[meta(cell)["grade_id"]] < meta(cell)["points"]:
            hidden, errors = failed_in_hidden(cell)
            assert hidden, f"{fixture_id(fixture)} fails a visible test in {meta(cell)['grade_id']}: {errors}"


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if any(e.startswith("zero ") for e in f.expect)],
                         ids=fixture_id)
def test_the_answer_that_does_not_compile_reports_a_compile_error(course, fixture):
    graded = {meta(c).get("grade_id"): c for c in graded_notebook(course, fixture.assignment, fixture.name).cells}
    assert fixture.changed(), f"{fixture.path}: changes no answer cell"
    for answer in fixture.changed():
        errors = [o for o in graded[answer].outputs if o.output_type == "error"]
        assert len(errors) == 1 and errors[0].ename == "CompileError", f"{answer}: {graded[answer].outputs}"

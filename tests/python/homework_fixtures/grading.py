"""Shared by tests/python/test_homework*.py: one temporary nbgrader course, built and graded once per
pytest process, with the honest submissions of every assignment and the adversarial fixtures of this
folder (a wrong or broken answer, `<assignment>/<name>.rs`).

A fixture file changes some answer cells of the instructor's solution (the rest of the submission is that
solution), in one of two ways:

- `// === answer cell: <grade_id> ===` and the whole cell as the student wrote it (for short cells);
- `// === edit of answer cell: <grade_id> ===` and edits, each the solution's lines between
  `<<<<<<< solution` and `=======`, and what replaces them before `>>>>>>> fixture`. Each solution
  text must occur exactly once in the cell (without its `BEGIN/END SOLUTION` marker lines, which a
  student's cell does not have), so that a fixture breaks loudly when the solution changes under it.

It says what grading must make of it, one `// expect:` line each:

- `loses <test> in hidden`: that test cell loses points, and fails in its hidden part (its visible part
  passed: the hidden tests are what catch this submission);
- `full <test>`: that test cell keeps its points;
- `zero <test>`: that test cell scores 0, failing with the stand-in's "not yet implemented" panic (the
  answer it needs did not compile, and the notebook's stand-in stayed in force).

Every assignment is graded by one `nbgrader autograde` call for all its submissions, through
scripts/nbgrader_course.py as docs/instructors.md says (it builds the kernel's cache first).
"""

import atexit
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[3]
COURSE = ROOT / "notebooks" / "homework"
FIXTURES = Path(__file__).resolve().parent
ASSIGNMENTS = sorted(p.name for p in (COURSE / "source").iterdir() if p.is_dir())
STUDENTS = ("instructor", "untouched", "partial")
STUB = "// YOUR CODE HERE\ntodo!()"
TEXT_STUB = "YOUR ANSWER HERE"


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
    # One stream, in the order things happened: the kernels' stderr and the helper's stdout.
    result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=3600)
    elapsed = time.perf_counter() - started
    output = result.stdout
    assert result.returncode == 0, f"autograde {assignment} failed:\n{output}"
    return elapsed, output


def read(path):
    return nbformat.read(str(path), as_version=4)


def copy(nb):
    return nbformat.reads(nbformat.writes(nb), as_version=4)


def meta(cell):
    return cell.metadata.get("nbgrader", {})


def is_test(cell):
    """An autograded test cell (a manually graded answer is `grade` too, but not code)."""
    return meta(cell).get("grade") and cell.cell_type == "code"


def kernel_installed():
    from jupyter_client.kernelspec import KernelSpecManager

    return "distsim" in KernelSpecManager().find_kernel_specs()


def report(line):
    """Timing figures go straight to the terminal, even when pytest captures output."""
    sys.__stdout__.write(f"\n[homework] {line}\n")
    sys.__stdout__.flush()


# --- submissions -----------------------------------------------------------------------------------


def partial_submission(source, release):
    """The student version with only its first answer cell filled in (from the instructor's solution)."""
    nb = copy(release)
    first = next(c for c in source.cells if meta(c).get("solution") and c.cell_type == "code")
    for cell in nb.cells:
        if meta(cell).get("grade_id") == meta(first)["grade_id"]:
            cell.source = first.source
    return nb


class Fixture:
    """One wrong or broken submission of an assignment (see the module docs)."""

    def __init__(self, path):
        self.path = path
        self.assignment = path.parent.name
        self.name = path.stem
        text = path.read_text()
        self.expect = re.findall(r"^// expect: (.+)$", text, re.M)
        parts = re.split(r"^// === (answer cell|edit of answer cell): (\S+) ===\n", text, flags=re.M)
        self.cells, self.edits = {}, {}
        for kind, gid, body in zip(parts[1::3], parts[2::3], parts[3::3]):
            if kind == "answer cell":
                self.cells[gid] = body.rstrip("\n")
            else:
                self.edits[gid] = EDIT.findall(body)
                assert self.edits[gid], f"{path}: no edit in {gid}"
        assert (self.cells or self.edits) and self.expect, f"{path}: no answer cells or no expectations"

    def changed(self):
        """The grade ids of the answer cells this fixture replaces or edits."""
        return sorted(set(self.cells) | set(self.edits))

    def submission(self, source, release):
        """The student version with every answer of the instructor, except the fixture's own."""
        nb = copy(release)
        answers = {meta(c)["grade_id"]: c.source for c in source.cells if meta(c).get("solution") and c.cell_type == "code"}
        unknown = set(self.changed()) - set(answers)
        assert not unknown, f"{self.path}: no answer cell {unknown}"
        for gid, edits in self.edits.items():
            answers[gid] = self.edited(gid, as_submitted(answers[gid]), edits)
        for cell in nb.cells:
            gid = meta(cell).get("grade_id")
            if gid in answers:
                cell.source = self.cells.get(gid, answers[gid])
        return nb

    def edited(self, gid, cell, edits):
        for old, new in edits:
            count = cell.count(old)
            assert count == 1, f"{self.path}: the solution text of an edit occurs {count} times in {gid}:\n{old}"
            cell = cell.replace(old, new)
        return cell


# One edit of a fixture: the solution's lines, then the lines that replace them.
EDIT = re.compile(r"^<<<<<<< solution\n(.*?)^=======\n(.*?)^>>>>>>> fixture$", re.M | re.S)


def as_submitted(answer):
    """An instructor's answer cell as a student would hand it in: without nbgrader's solution markers."""
    return "".join(line for line in answer.splitlines(keepends=True)
                   if line.strip() not in ("// BEGIN SOLUTION", "// END SOLUTION"))


def fixtures(assignment=None):
    paths = sorted(FIXTURES.glob("*/*.rs"))
    found = [Fixture(p) for p in paths]
    return [f for f in found if assignment is None or f.assignment == assignment]


# --- the course ------------------------------------------------------------------------------------

_built = {}


def built_course():
    """The temporary course, released, submitted, autograded and with feedback: built on first use."""
    if "root" in _built:
        return _built["root"]
    assert kernel_installed(), (
        "the distsim kernelspec is not installed; run `target/release/distsim-kernel install --sys-prefix` "
        "with the venv active")
    tmp = Path(tempfile.mkdtemp(prefix="distsim-homework-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    root = tmp / "course"
    root.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", root / "source")
    for a in ASSIGNMENTS:
        nbgrader(root, "generate_assignment", a, "--force")
        source, release = read(root / "source" / a / f"{a}.ipynb"), read(root / "release" / a / f"{a}.ipynb")
        submissions = {"instructor": source, "untouched": release, "partial": partial_submission(source, release)}
        for f in fixtures(a):
            submissions[f.name] = f.submission(source, release)
        for student, nb in submissions.items():
            target = root / "submitted" / student / a
            target.mkdir(parents=True)
            nbformat.write(nb, str(target / f"{a}.ipynb"))
        elapsed, output = grade(root, a)
        (root / f"autograde-{a}.log").write_text(output)
        report(f"autograde {a}: {elapsed:.1f} s for {len(submissions)} submissions (with the cache check), "
               f"{elapsed / len(submissions):.1f} s per submission")
        nbgrader(root, "generate_feedback", a, "--force")
    _built["root"] = root
    return root


def scores(root, assignment, students=STUDENTS):
    """{student: (autograded score, autograded maximum)}: the written parts wait for a human grader."""
    return {s: (sum(cell_scores(root, assignment, s).values()), auto_max(assignment)) for s in students}


def auto_max(assignment):
    nb = read(COURSE / "source" / assignment / f"{assignment}.ipynb")
    return sum(meta(c)["points"] for c in nb.cells if is_test(c))


def cell_scores(root, assignment, student):
    """{test cell: autograded score}."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root}/gradebook.db") as gb:
        nb = gb.find_submission_notebook(assignment, assignment, student)
        return {g.name: g.auto_score for g in nb.grades if g.cell.cell_type == "code"}


def graded_notebook(root, assignment, student):
    return read(root / "autograded" / student / assignment / f"{assignment}.ipynb")

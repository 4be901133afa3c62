"""How long autograding takes, per submission, for each homework assignment: one JSON line each.

Each assignment is graded in a scratch nbgrader course the way docs/instructors.md says, with one
`scripts/nbgrader_course.py autograde` call (the kernel-cache check, then `nbgrader autograde`) over:
the instructor's solution, the untouched student version, and every wrong fixture of
tests/python/homework_fixtures/<assignment>/ that is not a compile error. The per-submission figure
is the call's wall time divided by the number of submissions (the cache check, a few seconds when the
cache is warm, is shared by them). The goal of issue 14 is at most 60 s per submission.

The machine's load average goes into every line: the figure is only as quiet as the machine was.

    .venv/bin/python benches/homework_grading.py [hw4_register ...]
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

import nbformat  # noqa: E402
from homework_fixtures import grading  # noqa: E402


def submissions(root, assignment):
    """{student: notebook} for the scratch course: solution, untouched, and the wrong fixtures."""
    source = grading.read(root / "source" / assignment / f"{assignment}.ipynb")
    release = grading.read(root / "release" / assignment / f"{assignment}.ipynb")
    subs = {"instructor": source, "untouched": release}
    for f in grading.fixtures(assignment):
        if not any(e.startswith("zero ") for e in f.expect):
            subs[f.name] = f.submission(source, release)
    return subs


def time_assignment(assignment):
    tmp = Path(tempfile.mkdtemp(prefix="distsim-grading-"))
    try:
        root = tmp / "course"
        root.mkdir()
        shutil.copy(grading.COURSE / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(grading.COURSE / "source" / assignment, root / "source" / assignment)
        grading.nbgrader(root, "generate_assignment", assignment, "--force")
        subs = submissions(root, assignment)
        for student, nb in subs.items():
            target = root / "submitted" / student / assignment
            target.mkdir(parents=True)
            nbformat.write(nb, str(target / f"{assignment}.ipynb"))
        load_before = os.getloadavg()[0]
        elapsed, _ = grading.grade(root, assignment)
        scores = {s: sum(grading.cell_scores(root, assignment, s).values()) for s in subs}
        return {
            "bench": "homework_grading",
            "assignment": assignment,
            "submissions": len(subs),
            "autograde_s": round(elapsed, 1),
            "per_submission_s": round(elapsed / len(subs), 1),
            "full_marks": grading.auto_max(assignment),
            "scores": scores,
            "load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    assert grading.kernel_installed(), "install the kernel first: scripts/install-kernel"
    for assignment in sys.argv[1:] or grading.ASSIGNMENTS:
        print(json.dumps(time_assignment(assignment)), flush=True)


if __name__ == "__main__":
    main()

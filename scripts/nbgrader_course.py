#!/usr/bin/env python3
"""Instructor commands for the distsim homework, as thin wrappers around nbgrader.

Every subcommand runs nbgrader in the course root (notebooks/homework by default), with this Python's
bin directory first on PATH: nbgrader starts `alembic` and the kernel from there, so the commands work
without activating the venv. Each one prints the exact nbgrader command it runs and how long it took.

    .venv/bin/python scripts/nbgrader_course.py release                 # student versions of every assignment
    .venv/bin/python scripts/nbgrader_course.py warm                    # build the kernel's cache (autograde does it)
    .venv/bin/python scripts/nbgrader_course.py autograde hw2_retry --submissions ~/inbox/hw2
    .venv/bin/python scripts/nbgrader_course.py feedback hw2_retry
    .venv/bin/python scripts/nbgrader_course.py scores hw2_retry

See docs/instructors.md for the workflow and the plain nbgrader commands.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_COURSE = Path(__file__).resolve().parents[1] / "notebooks" / "homework"
# Building the kernel's cache from nothing compiles distsim and its dependencies: minutes.
WARM_TIMEOUT_S = 3600


def assignments(course: Path) -> list[str]:
    return sorted(p.name for p in (course / "source").iterdir() if p.is_dir())


def run_nbgrader(course: Path, *args: str) -> None:
    """Runs `nbgrader ARGS` in the course root; exits with nbgrader's status if it fails."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    cmd = [sys.executable, "-m", "nbgrader", *args]
    print(f"$ (cd {course} && nbgrader {' '.join(args)})", flush=True)
    started = time.perf_counter()
    status = subprocess.run(cmd, cwd=course, env=env).returncode
    print(f"  took {time.perf_counter() - started:.1f} s", flush=True)
    if status != 0:
        sys.exit(status)


def collect(course: Path, assignment: str, inbox: Path) -> list[str]:
    """Copies submissions into nbgrader's layout, submitted/<student>/<assignment>/<assignment>.ipynb.

    The inbox may hold `<student>.ipynb` files or `<student>/` folders containing `<assignment>.ipynb`.
    """
    students = []
    for entry in sorted(inbox.iterdir()):
        if entry.is_file() and entry.suffix == ".ipynb":
            student, notebook = entry.stem, entry
        elif entry.is_dir() and (entry / f"{assignment}.ipynb").is_file():
            student, notebook = entry.name, entry / f"{assignment}.ipynb"
        elif entry.is_dir() and (entry / assignment / f"{assignment}.ipynb").is_file():
            student, notebook = entry.name, entry / assignment / f"{assignment}.ipynb"
        else:
            print(f"  skipping {entry}: no {assignment}.ipynb in it", file=sys.stderr)
            continue
        target = course / "submitted" / student / assignment
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(notebook, target / f"{assignment}.ipynb")
        students.append(student)
    if not students:
        sys.exit(f"no submissions for {assignment} found in {inbox}")
    print(f"  collected {len(students)} submission(s): {', '.join(students)}")
    return students


def kernel_name(course: Path) -> str:
    """The kernel nbgrader grades with: `Execute.kernel_name` of the course's config."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return config.Execute.kernel_name


def warm_kernel(course: Path) -> None:
    """Starts one kernel of the course and runs a trivial cell, so that the kernel builds its cache
    of compiled distsim now if it is missing or stale (a new grader account, a toolchain or distsim
    update), rather than inside the first graded cell's time limit."""
    from jupyter_client.manager import start_new_kernel

    name = kernel_name(course)
    print(f"warming the {name} kernel's build cache before grading (if it is missing or stale, it is "
          "built now: minutes, once)", flush=True)
    started = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=WARM_TIMEOUT_S)
    try:
        errors = []

        def keep_errors(msg):
            if msg["msg_type"] == "error":
                errors.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

        reply = kc.execute_interactive("1 + 1", timeout=WARM_TIMEOUT_S, output_hook=keep_errors)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    if reply["content"]["status"] != "ok":
        sys.exit(f"the {name} kernel could not run a cell, so grading would fail: {errors or reply['content']}")
    print(f"  kernel cache ready: {time.perf_counter() - started:.1f} s", flush=True)


def cmd_warm(args: argparse.Namespace) -> None:
    warm_kernel(args.course)


def cmd_release(args: argparse.Namespace) -> None:
    for assignment in args.assignment or assignments(args.course):
        run_nbgrader(args.course, "generate_assignment", assignment, "--force")


def cmd_autograde(args: argparse.Namespace) -> None:
    if args.submissions:
        collect(args.course, args.assignment, args.submissions.expanduser())
    extra = ["--student", args.student] if args.student else []
    warm_kernel(args.course)
    run_nbgrader(args.course, "autograde", args.assignment, "--force", *extra)


def cmd_feedback(args: argparse.Namespace) -> None:
    extra = ["--student", args.student] if args.student else []
    run_nbgrader(args.course, "generate_feedback", args.assignment, "--force", *extra)


def cmd_scores(args: argparse.Namespace) -> None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{args.course / 'gradebook.db'}") as gb:
        print(f"{'student':<24} {'score':>7} {'max':>5}")
        for student in gb.students:
            try:
                sub = gb.find_submission(args.assignment, student.id)
            except MissingEntry:
                continue
            print(f"{student.id:<24} {sub.score:>7.1f} {sub.max_score:>5.1f}")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                   help="the nbgrader course root (default: notebooks/homework)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="generate student versions (nbgrader generate_assignment)")
    r.add_argument("assignment", nargs="*", help="assignments to release (default: all)")
    r.set_defaults(run=cmd_release)

    w = sub.add_parser("warm", help="build the kernel's cache of compiled distsim (autograde does it first)")
    w.set_defaults(run=cmd_warm)

    a = sub.add_parser("autograde", help="build the kernel's cache, then grade submitted notebooks "
                                         "(nbgrader autograde)")
    a.add_argument("assignment")
    a.add_argument("--submissions", type=Path,
                   help="a folder of <student>.ipynb files or <student>/ folders to copy in first")
    a.add_argument("--student", help="grade only this student")
    a.set_defaults(run=cmd_autograde)

    f = sub.add_parser("feedback", help="write feedback HTML (nbgrader generate_feedback)")
    f.add_argument("assignment")
    f.add_argument("--student", help="only this student")
    f.set_defaults(run=cmd_feedback)

    s = sub.add_parser("scores", help="print each student's score from the gradebook")
    s.add_argument("assignment")
    s.set_defaults(run=cmd_scores)
    return p


def main() -> None:
    args = parser().parse_args()
    args.course = args.course.resolve()
    if not (args.course / "nbgrader_config.py").is_file():
        sys.exit(f"{args.course} is not a course root: it has no nbgrader_config.py")
    args.run(args)


if __name__ == "__main__":
    main()

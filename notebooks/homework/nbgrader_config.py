"""nbgrader configuration for the distsim homework (Rust notebooks on the `distsim` kernel).

Run every nbgrader command from this directory (the course root), with the project's venv active:

    cd notebooks/homework && nbgrader generate_assignment hw1_availability

See docs/instructors.md for the whole workflow.
"""

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "distsim"

# --- Student version -----------------------------------------------------------------------------
# nbgrader ships no stub for Rust. `todo!()` has type `!`, so the stub compiles in place of any function
# body; an unanswered function then panics when a test calls it, and the kernel reports that panic as an
# `error` output (ename "Panic"), which scores the test cell 0 without touching any other cell.
c.ClearSolutions.code_stub = {
    "rust": "// YOUR CODE HERE\ntodo!()",
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
# nbgrader matches a delimiter anywhere in a line and drops the whole line, whatever the comment
# prefix, so Rust cells write `// BEGIN SOLUTION`. The stub keeps the delimiter line's indentation.
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# --- Autograding ---------------------------------------------------------------------------------
# Execute with the distsim kernel (`distsim-kernel install --sys-prefix` puts it in the venv).
c.Execute.kernel_name = "distsim"
# Per-cell limit. The slowest cells here (a fresh kernel's first compile, the 32-partition sweep of
# homework 4) take a few seconds; the margin is for a grading machine that is busy with other work.
c.Execute.timeout = 120

"""nbgrader configuration for the distsim homework (Rust notebooks on the `distsim` kernel).

Run every nbgrader command from this directory (the course root), with the project's venv active:

    cd notebooks/homework && nbgrader generate_assignment hw1_availability

See docs/instructors.md for the whole workflow.
"""

import os
import re

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat.v4 import new_code_cell
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds,
                                    GetGrades, OverwriteCells, OverwriteKernelspec)
from traitlets import List

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "distsim"
# The course root is the folder of this file, wherever nbgrader runs from: `scripts/course` starts
# JupyterLab in the repository root and points nbgrader's extensions here (JUPYTER_CONFIG_PATH).
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))  # noqa: F821 (__file__: traitlets)

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
# Per-cell limit. The slowest cells here (the model checks and the seed sweeps of homework 3 to 5) take
# seconds; the margin is for a grading machine that is busy with other work.
c.Execute.timeout = 120


class RestoreHiddenTests(OverwriteCells):
    """nbgrader's OverwriteCells, without its false alarm on test cells that hold hidden tests.

    The gradebook keeps each test cell as the instructor wrote it, hidden tests included, while the
    student's copy has them cleared, so nbgrader 0.9.6 reports every such cell as changed
    ("Attribute 'checksum' for cell ... has changed!"), even in an untouched notebook (nbgrader issue
    1961). A locked cell that is exactly the released version gets the instructor's source back here,
    before nbgrader checks it; a cell the student did change still reaches nbgrader's check and warns.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None  # nbgrader's own check reports it
            if source is not None and source.locked and cell.source == self.released(source.source):
                cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)

    def released(self, source):
        """The cell's source as `generate_assignment` released it: hidden tests cleared."""
        cell = new_code_cell(source)
        ClearHiddenTests(parent=self)._remove_hidden_test_region(cell)
        return cell.source


c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreHiddenTests, CheckCellMetadata,
]

# --- Feedback ------------------------------------------------------------------------------------
class ClearHiddenTestsInFeedback(ClearHiddenTests):
    """nbgrader's ClearHiddenTests, for the feedback HTML, and the errors of hidden tests too.

    Feedback shows the autograded notebook, in which the hidden tests were restored for grading;
    nbgrader's default feedback would give them to the students word for word. A failed hidden
    `assert!` would still show its condition in the error ("assertion failed: <condition>"), so such
    an error keeps only its kind and says that a hidden test failed. The HTML exporter configures
    `display_data_priority` on every preprocessor, and ClearHiddenTests declares it without
    `config=True`, so traitlets would warn "Config option not recognized" on every run.
    """

    display_data_priority = List().tag(config=True)
    hidden_failure = "a hidden test failed (the tests the grader keeps back are not shown)"

    def preprocess_cell(self, cell, resources, cell_index):
        hidden = self.hidden_lines(cell.source)
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        for output in cell.get("outputs", []):
            if output.output_type == "error" and self.mentions(output, hidden):
                output.evalue = self.hidden_failure
                output.traceback = [f"{output.ename}: {self.hidden_failure}"]
        return cell, resources

    def hidden_lines(self, source):
        lines, inside = [], False
        for line in source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
            elif self.end_test_delimeter in line:
                inside = False
            elif inside and line.strip():
                lines.append("".join(line.split()))
        return lines

    @staticmethod
    def mentions(output, hidden):
        """Whether the error quotes a hidden line: `assert!(c)` panics with "assertion failed: c"."""
        failed = re.search(r"assertion failed: (.+)", output.evalue)
        condition = "".join(failed.group(1).split()) if failed else ""
        return bool(condition) and any(condition in line for line in hidden)


c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTestsInFeedback]

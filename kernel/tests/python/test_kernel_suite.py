"""The standard `jupyter_kernel_test` conformance suite, with Rust samples for the distsim kernel."""

from __future__ import annotations

import unittest

import jupyter_kernel_test
from conftest import KERNEL_NAME, STARTUP_TIMEOUT
from jupyter_client.manager import start_new_kernel

# Cells compile (about a second each); on a busy machine the suite's 15 s reply timeout is short.
CELL_TIMEOUT = 120


class DistsimKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL_NAME
    language_name = "rust"
    file_extension = ".rs"

    @classmethod
    def setUpClass(cls) -> None:
        # The base class uses jupyter_client's default startup timeout (60 s); a first start on a
        # busy machine may need longer.
        cls.km, cls.kc = start_new_kernel(kernel_name=cls.kernel_name, startup_timeout=STARTUP_TIMEOUT)

    def execute_helper(self, code, timeout=CELL_TIMEOUT, silent=False, store_history=True, stop_on_error=True):
        return super().execute_helper(code, timeout=timeout, silent=silent, store_history=store_history,
                                      stop_on_error=stop_on_error)

    code_hello_world = 'println!("hello, world");'
    code_stderr = 'eprintln!("this goes to stderr");'

    # Completion of a prelude type's associated function, and of a local variable.
    completion_samples = [
        {"text": "Table::wi"},
        {"text": "let zebra_count = 3; zebra_c", "matches": {"zebra_count"}},
    ]

    complete_code_samples = ["1 + 1", "fn f() -> u32 { 3 }", ":vars", 'let s = "a { b";']
    incomplete_code_samples = ["fn f() {", "let v = vec![1,\n2,", 'let s = "open', "/* comment"]
    invalid_code_samples = ["fn f() { ) }", ")", "let x = (1];"]

    code_generate_error = 'let x: u32 = "not a number";'

    code_execute_result = [
        {"code": "1 + 1", "result": "2"},
        {"code": 'String::from("distsim")', "result": '"distsim"'},
        {"code": 'Table::new(["n", "n squared"]).with_row(vec![Value::Int(3), Value::Int(9)]).unwrap()', "mime": "text/html"},
    ]

    code_display_data = [
        {"code": 'display(&Table::new(["a", "b"]).with_row(vec![Value::Int(1), Value::Int(2)]).unwrap());', "mime": "text/html"},
        {"code": 'display(&Table::new(["a"]));', "mime": "text/plain"},
    ]

    code_history_pattern = "1 + 1*"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Table"

    code_clear_output = 'println!("soon gone"); clear_output(false);'


if __name__ == "__main__":
    unittest.main()

"""Issue 19: evcxr's rust-analyzer reads the template's trimmed standard library, and still types.

The kernel points the analyzer at a copy of the library without its tests, the other platforms,
the SIMD intrinsics and all but the first paragraph of each doc comment
(kernel/src/interpreter/analyzer_library.rs, doc_summaries.rs), which is what brings a student's
memory down. The evaluation process inherits the same environment, so a cell can say which
library that is. Then a variable of a standard-library type must still be typed by the analyzer
(evcxr refuses to keep a variable whose type it cannot find), and completed on, and Shift+Tab on
a library type must still show its summary.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import execute, result_plain, shell_reply


def toolchain_library() -> Path:
    sysroot = subprocess.run(["rustc", "--print", "sysroot"], capture_output=True, text=True, check=True).stdout
    return Path(sysroot.strip()) / "lib/rustlib/src/rust/library"


def test_the_analyzer_reads_the_trimmed_copy_of_the_template(kernel):
    reply, outputs = execute(kernel, 'std::env::var("RUST_SRC_PATH").unwrap_or_default()')
    assert reply["content"]["status"] == "ok", outputs
    library = Path(result_plain(outputs).strip('"'))
    assert library.name == "analyzer-library", library
    assert (library / "core/src/lib.rs").is_file()
    assert (library / "std/src/collections/hash/map.rs").is_file()
    intrinsics = "stdarch/crates/core_arch/src/x86/avx.rs"
    assert (toolchain_library() / intrinsics).is_file(), "the toolchain layout changed: update the test"
    assert not (library / intrinsics).exists()
    assert not (library / "coretests").exists()
    assert not (library / "std/src/os/windows").exists()
    hash_map = (library / "std/src/collections/hash/map.rs").read_text()
    assert "/// A [hash map] implemented with quadratic probing" in hash_map
    assert "HashDoS" not in hash_map, "the doc comment's second paragraph should be gone"


def test_a_standard_library_variable_is_typed_and_completed(kernel):
    reply, outputs = execute(kernel, "let mut seen = std::collections::HashMap::new(); seen.insert(String::from(\"a\"), 1u32);")
    assert reply["content"]["status"] == "ok", outputs
    reply, outputs = execute(kernel, 'seen.insert("b".into(), 2); seen.len()')
    assert reply["content"]["status"] == "ok", outputs
    assert result_plain(outputs) == "2"
    code = "seen.ke"
    msg_id = kernel.complete(code, len(code))
    matches = shell_reply(kernel, msg_id)["content"]["matches"]
    assert "keys()" in matches, matches


def test_inspecting_a_library_type_shows_its_summary(kernel):
    code = "std::collections::HashMap"
    msg_id = kernel.inspect(code, len(code))
    content = shell_reply(kernel, msg_id)["content"]
    assert content["status"] == "ok" and content["found"], content
    text = content["data"]["text/plain"]
    assert "implemented with quadratic probing and SIMD lookup" in text, text
    assert "HashDoS" not in text, text

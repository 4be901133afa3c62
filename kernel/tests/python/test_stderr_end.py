"""Issue 15 §3: a cell's stderr ends at the kernel's end marker, not after a quiet period.

After a cell, the kernel writes a marker into the evaluation process's stderr pipe and forwards
stderr up to it (`kernel/src/interpreter/pump.rs`). These cells are the ones that could hang or
garble that: stderr with no newline at its end, stderr far larger than a pipe holds, and lines
written just before the cell ends. Every line must arrive, in order, before the reply, and the
marker must never show.
"""

from __future__ import annotations

from conftest import execute, stream_text


def all_text(outputs) -> str:
    return stream_text(outputs, "stdout") + stream_text(outputs, "stderr")


def test_stderr_without_a_final_newline_arrives_and_the_cell_ends(kernel):
    reply, outputs = execute(kernel, 'eprint!("no newline at the end");')
    assert reply["content"]["status"] == "ok"
    assert stream_text(outputs, "stderr").rstrip("\n") == "no newline at the end"
    assert "DISTSIM_STDERR_END" not in all_text(outputs)
    # The next cell's stderr is its own.
    _, outputs = execute(kernel, 'eprintln!("second");')
    assert stream_text(outputs, "stderr") == "second\n"


def test_a_huge_stderr_arrives_whole_and_in_order(kernel):
    lines = 100_000
    reply, outputs = execute(kernel, f'for i in 0..{lines} {{ eprintln!("line {{i}}"); }}')
    assert reply["content"]["status"] == "ok"
    text = stream_text(outputs, "stderr")
    assert text.splitlines() == [f"line {i}" for i in range(lines)]
    assert "DISTSIM_STDERR_END" not in all_text(outputs)


def test_the_last_line_before_the_end_of_the_cell_is_in_the_cell(kernel):
    for round in range(5):
        reply, outputs = execute(kernel, f'println!("out {round}");\neprintln!("err {round}");')
        assert reply["content"]["status"] == "ok"
        assert stream_text(outputs, "stderr") == f"err {round}\n"
        assert stream_text(outputs, "stdout") == f"out {round}\n"

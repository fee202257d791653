import os

import pytest

from perfreport.errors import OutputError
from perfreport.write import write_atomic


def test_writes_and_creates_folders(tmp_path):
    target = tmp_path / "a" / "b" / "out.docx"
    write_atomic(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"new"
    assert os.listdir(target.parent) == ["out.docx"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")

    def half_then_fail(f):
        f.write(b"half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomic(target, half_then_fail)
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.docx"]


def test_interrupt_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.docx"
    target.write_bytes(b"old")

    def interrupted(f):
        f.write(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, interrupted)
    assert target.read_bytes() == b"old" and os.listdir(tmp_path) == ["out.docx"]


def test_unwritable_destination_is_an_output_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError):
        write_atomic(blocker / "out.docx", lambda f: f.write(b"x"))

"""store.files, the guard every file fundtui reads back goes through: bounded,
regular-only reads, and an unusable file moved aside, never lost."""

from __future__ import annotations

import errno
import json
import os
import stat
import threading
import time

import pytest

from fundtui.store import files


def parse_list(data):
    if not isinstance(data, list):
        raise TypeError("expected a list")
    return data


def asides(path):
    return sorted(path.parent.glob(path.name + ".corrupt-*"))


def one_line_naming(notice, path):
    assert notice and "\n" not in notice and notice.isprintable()
    assert str(path) in notice


# --------------------------------------------------------------------------- reads


def test_read_bytes_reads_a_regular_file_within_its_limit(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 100)
    assert files.read_bytes(path, 100) == b"x" * 100
    with pytest.raises(files.UnusableFile, match="100 bytes, more than the 99 allowed"):
        files.read_bytes(path, 99)
    with pytest.raises(FileNotFoundError):
        files.read_bytes(tmp_path / "none")


@pytest.mark.parametrize("kind", ["dir", "fifo", "dev_zero", "link_to_dev_zero"])
def test_read_bytes_refuses_what_is_not_a_regular_file_without_blocking(tmp_path, kind):
    path = tmp_path / "f"
    if kind == "dir":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        path = files.Path("/dev/zero")
    else:
        path.symlink_to("/dev/zero")
    started = time.monotonic()
    with pytest.raises(files.UnusableFile, match="not a regular file"):
        files.read_bytes(path)
    assert time.monotonic() - started < 1


def test_read_bytes_refuses_a_file_swapped_for_a_fifo_after_the_stat(tmp_path, monkeypatch):
    path = tmp_path / "f"
    os.mkfifo(path)
    real_stat = os.stat
    monkeypatch.setattr(files.os, "stat", lambda p, *a, **k: real_stat(__file__))
    with pytest.raises(files.UnusableFile, match="not a regular file"):
        files.read_bytes(path)  # the fstat of what was opened decides


def test_read_bytes_stops_at_the_limit_when_the_file_grows_while_read(tmp_path, monkeypatch):
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    real_read = os.read
    monkeypatch.setattr(files.os, "read", lambda fd, n: real_read(fd, n) or b"y" * n)
    with pytest.raises(files.UnusableFile, match="more than the 50 bytes"):
        files.read_bytes(path, 50)


def test_read_text_is_strict_utf8(tmp_path):
    path = tmp_path / "f"
    path.write_bytes("é".encode() + b"\xff")
    with pytest.raises(files.UnusableFile, match="not UTF-8 text .byte 2."):
        files.read_text(path)


def test_read_tail_reads_only_the_end_of_a_file_of_any_size(tmp_path):
    path = tmp_path / "log"
    with open(path, "wb") as f:
        f.truncate(10 * 1024**3)  # 10 GB, sparse
        f.seek(0, os.SEEK_END)
        f.write(b"last line\n")
    data, start = files.read_tail(path, 64)
    assert data.endswith(b"last line\n") and len(data) == 64
    assert start == path.stat().st_size - 64
    small = tmp_path / "small"
    small.write_bytes(b"abc")
    assert files.read_tail(small, 64) == (b"abc", 0)


# --------------------------------------------------------------------------- aside_name


def test_aside_name_is_the_utc_time_and_numbered_when_taken(tmp_path):
    path = tmp_path / "w.json"
    now = 1_767_225_600.0  # 2026-01-01T00:00:00Z
    first = files.aside_name(path, now)
    assert first.name == "w.json.corrupt-20260101T000000Z"
    first.write_text("older")
    second = files.aside_name(path, now)
    assert second.name == "w.json.corrupt-20260101T000000Z-1"
    second.mkdir()
    (tmp_path / "w.json.corrupt-20260101T000000Z-2").symlink_to(tmp_path / "nowhere")
    assert files.aside_name(path, now).name == "w.json.corrupt-20260101T000000Z-3"


def test_move_aside_never_replaces_an_earlier_corrupt_file(tmp_path, monkeypatch):
    monkeypatch.setattr(files.time, "time", lambda: 1_767_225_600.0)
    path = tmp_path / "w.json"
    for content in ("one", "two", "three"):
        path.write_text(content)
        notice = files.move_aside(path, "bad", "Watchlist")
        one_line_naming(notice, path)
    assert not path.exists()
    assert [p.read_text() for p in asides(path)] == ["one", "two", "three"]


def test_move_aside_does_not_overwrite_a_name_taken_after_it_was_chosen(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    path.write_text("mine")
    taken = tmp_path / "w.json.corrupt-taken"
    chosen = iter([taken, tmp_path / "w.json.corrupt-free"])

    def racing_name(p, now_s=None):
        target = next(chosen)
        if target == taken:
            taken.write_text("someone else's")  # created between the check and the rename
        return target

    monkeypatch.setattr(files, "aside_name", racing_name)
    notice = files.move_aside(path, "bad")
    assert notice.endswith("moved to w.json.corrupt-free")
    assert taken.read_text() == "someone else's"
    assert (tmp_path / "w.json.corrupt-free").read_text() == "mine"


def test_move_aside_moves_a_folder_and_a_link_itself(tmp_path):
    folder = tmp_path / "d.json"
    folder.mkdir()
    (folder / "inside").write_text("kept")
    files.move_aside(folder, "not a regular file")
    assert (asides(folder)[0] / "inside").read_text() == "kept"
    target = tmp_path / "target"
    target.write_text("pointed at")
    link = tmp_path / "l.json"
    link.symlink_to(target)
    files.move_aside(link, "bad")
    assert os.readlink(asides(link)[0]) == str(target) and target.read_text() == "pointed at"


def test_move_aside_that_cannot_rename_leaves_the_file_and_says_so(tmp_path, monkeypatch):
    path = tmp_path / "w.json"
    path.write_bytes(b"\xff")

    def refuse(*a, **k):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.os, "replace", refuse)
    monkeypatch.setattr(files.os, "link", refuse)
    notice = files.move_aside(path, "not UTF-8", "Watchlist")
    one_line_naming(notice, path)
    assert "could not be moved aside (Read-only file system)" in notice
    assert path.read_bytes() == b"\xff" and not asides(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root renames in a read-only folder")
def test_move_aside_in_a_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "w.json"
    path.write_bytes(b"\xff")
    folder.chmod(0o500)
    try:
        notice = files.move_aside(path, "bad")
    finally:
        folder.chmod(0o700)
    assert "could not be moved aside" in notice and path.read_bytes() == b"\xff"


def test_notice_spells_out_control_characters_in_the_name_and_reason(tmp_path):
    path = tmp_path / "w\x1b]0;PWNED\x07.json"
    path.write_text("x")
    notice = files.move_aside(path, "bad\nline\x1b[2J")
    assert "\x1b" not in notice and "\x07" not in notice and "\n" not in notice
    assert "\\x1b]0;PWNED\\x07" in notice


# --------------------------------------------------------------------------- load_json


def test_load_json_missing_and_good(tmp_path):
    path = tmp_path / "f.json"
    assert files.load_json(path, parse_list) == (None, None)
    path.write_text("[1, 2]")
    assert files.load_json(path, parse_list) == ([1, 2], None)
    assert files.load_json(path, lambda d: None) == (None, None)  # fine, not ours: kept
    assert path.exists()


class Boom(Exception):
    pass


def explode(_data):
    raise Boom("parse failed")


@pytest.mark.parametrize(
    "content,parse,reason",
    [
        (b"[1, 2", parse_list, "JSONDecodeError"),
        (b"\xff\xfe[]", parse_list, "not UTF-8"),
        (b"{}", parse_list, "expected a list"),
        (b"[]", explode, "Boom: parse failed"),  # any exception parse raises
        (b"[" * 200_000 + b"]" * 200_000, parse_list, "RecursionError"),
        (b"[1" + b"0" * 5000 + b"]", parse_list, "ValueError"),  # past int digits limit
        (b"", parse_list, "JSONDecodeError"),
    ],
)
def test_load_json_moves_unusable_content_aside(tmp_path, content, parse, reason):
    path = tmp_path / "f.json"
    path.write_bytes(content)
    value, notice = files.load_json(path, parse, "Thing")
    assert value is None
    one_line_naming(notice, path)
    assert notice.startswith("Thing ") and reason in notice and "moved to f.json.corrupt-" in notice
    assert not path.exists()
    assert asides(path)[0].read_bytes() == content


def test_load_json_parse_raising_a_base_exception_is_not_swallowed(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("[]")

    def interrupted(_data):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        files.load_json(path, interrupted)
    assert path.exists()


def test_load_json_too_large(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("[" + "1," * 100 + "1]")
    value, notice = files.load_json(path, parse_list, limit=100)
    assert value is None and "more than the 100 allowed" in notice
    assert len(json.loads(asides(path)[0].read_text())) == 101


def test_load_json_symlink_loop_and_dangling_link_are_moved_aside(tmp_path):
    loop = tmp_path / "loop.json"
    loop.symlink_to(tmp_path / "loop.json")
    value, notice = files.load_json(loop, parse_list)
    assert value is None and "moved to loop.json.corrupt-" in notice
    assert os.readlink(asides(loop)[0]) == str(loop)
    dangling = tmp_path / "d.json"
    dangling.symlink_to(tmp_path / "nowhere")
    value, notice = files.load_json(dangling, parse_list)
    assert value is None and "symbolic link to nothing" in notice
    assert not os.path.lexists(dangling) and asides(dangling)


def deny(path):
    """Make os.open refuse ``path`` as chmod 000 would for a user who is not root."""
    real_open = os.open

    def fake(p, *a, **k):
        if os.fspath(p) == os.fspath(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(p))
        return real_open(p, *a, **k)

    return fake


def test_load_json_a_file_we_may_not_read_is_moved_aside(tmp_path, monkeypatch):
    path = tmp_path / "f.json"
    path.write_text("[1]")
    if os.geteuid() == 0:
        monkeypatch.setattr(files.os, "open", deny(path))
    else:
        path.chmod(0)
    value, notice = files.load_json(path, parse_list)
    assert value is None and "Permission denied" in notice and "moved to" in notice
    aside = asides(path)[0]
    aside.chmod(0o600)
    assert aside.read_text() == "[1]"


def test_load_json_a_passing_open_error_leaves_the_file(tmp_path, monkeypatch):
    path = tmp_path / "f.json"
    path.write_text("[1]")

    def too_many(*a, **k):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(files.os, "open", too_many)
    value, notice = files.load_json(path, parse_list)
    assert value is None and "Too many open files" in notice and "left as it is" in notice
    assert path.read_text() == "[1]" and files.still_there(path) and not asides(path)


def test_load_json_of_a_fifo_neither_blocks_nor_reads_it(tmp_path):
    path = tmp_path / "f.json"
    os.mkfifo(path)
    result = []
    t = threading.Thread(target=lambda: result.append(files.load_json(path, parse_list)))
    t.start()
    t.join(2)
    assert not t.is_alive()
    assert result[0][0] is None and "not a regular file" in result[0][1]
    assert stat.S_ISFIFO(os.lstat(asides(path)[0]).st_mode)


# --------------------------------------------------------------------------- private files


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_private_dir_creates_every_missing_folder_0700(tmp_path, umask_022):
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    deep = existing / "a" / "b"
    assert files.private_dir(deep) == deep
    assert mode(existing / "a") == 0o700 and mode(deep) == 0o700
    assert mode(existing) == 0o755  # the user's own folder is left as it is
    files.private_dir(deep)  # already there: fine


def test_open_private_append_creates_0600_and_appends(tmp_path, umask_022):
    path = tmp_path / "new" / "log"
    for text in (b"a\n", b"b\n"):
        fd = files.open_private_append(path)
        os.write(fd, text)
        os.close(fd)
    assert path.read_bytes() == b"a\nb\n"
    assert mode(path) == 0o600 and mode(path.parent) == 0o700


@pytest.mark.parametrize("kind", ["fifo", "link_to_dev_null", "dir"])
def test_open_private_append_refuses_what_is_not_a_regular_file(tmp_path, kind):
    path = tmp_path / "log"
    if kind == "fifo":
        os.mkfifo(path)  # no reader: must not block
    elif kind == "dir":
        path.mkdir()
    else:
        path.symlink_to("/dev/null")
    with pytest.raises(OSError):
        files.open_private_append(path)

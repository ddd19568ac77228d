"""The one writer (rnnviz.core.files): a file is whole or untouched whatever fails, links are
written through, devices and pipes stay what they are, the mode is open()'s, temporaries of
killed saves go on the next save; and no file in rnnviz is written any other way."""

import ast
import errno
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from rnnviz.core import files
from rnnviz.core.errors import RnnvizError
from rnnviz.core.files import WriteError, refuse_overlaps, write_bytes, writing

ROOT = Path(__file__).resolve().parents[2]
OLD = b"old, good contents\n"


def temporaries(*folders: Path) -> list[str]:
    return [p.name for folder in folders for p in folder.iterdir() if ".rnnviz-tmp-" in p.name]


def make_target(kind: str, tmp_path: Path) -> tuple[Path, Path]:
    """(the path given to the writer, the file that must end up holding the contents)."""
    real = tmp_path / "real.bin"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if kind == "new file":
        return real, real
    if kind == "existing file":
        real.write_bytes(OLD)
        return real, real
    link = tmp_path / "link.bin"
    if kind == "link":
        real.write_bytes(OLD)
        link.symlink_to(real)
    elif kind == "dangling link":
        link.symlink_to(real)
    elif kind == "link to a link":
        real.write_bytes(OLD)
        (tmp_path / "middle.bin").symlink_to(real)
        link.symlink_to("middle.bin")
    elif kind == "relative link into another folder":
        real = elsewhere / "real.bin"
        real.write_bytes(OLD)
        link.symlink_to(Path("elsewhere") / "real.bin")
    return link, real


KINDS = [
    "new file",
    "existing file",
    "link",
    "dangling link",
    "link to a link",
    "relative link into another folder",
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_write_replaces_the_file_whole_and_keeps_links(kind, tmp_path):
    given, real = make_target(kind, tmp_path)
    was_link = given.is_symlink()
    with writing(given) as out:
        out.write(b"new contents")
    assert real.read_bytes() == b"new contents"
    assert given.is_symlink() == was_link  # a link is written through, never replaced
    assert temporaries(tmp_path, tmp_path / "elsewhere") == []


def enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


FAILURES = {  # how a write fails -> (what the test does, the exception the caller sees)
    "disk full at fsync": ("full_disk", WriteError),
    "disk full mid-write": ("body", WriteError),
    "rename refused": ("replace", WriteError),
    "interrupted (Ctrl-C)": ("interrupt", KeyboardInterrupt),
    "a bug in the caller": ("bug", ValueError),
}


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("kind", ["existing file", "link", "relative link into another folder"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    failure, kind, tmp_path, full_disk, monkeypatch
):
    given, real = make_target(kind, tmp_path)
    how, raised = FAILURES[failure]
    if how == "full_disk":
        full_disk(real.parent)
    if how == "replace":
        monkeypatch.setattr(os, "replace", enospc)
    with pytest.raises(raised) as caught, writing(given) as out:
        out.write(b"half of the new")
        if how == "body":
            enospc()
        if how == "interrupt":
            raise KeyboardInterrupt
        if how == "bug":
            raise ValueError("a bug")
        out.write(b" contents")
    if raised is WriteError:
        assert str(caught.value) == f"cannot write {given}: No space left on device"
    assert real.read_bytes() == OLD
    assert temporaries(tmp_path, tmp_path / "elsewhere") == []


def test_a_device_stays_a_device_and_is_written_in_place(tmp_path):
    link = tmp_path / "null.csv"
    link.symlink_to(os.devnull)
    for path in (Path(os.devnull), link):
        with writing(path, text=True) as out:
            out.write("a line\n" * 1000)
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert link.is_symlink() and temporaries(tmp_path) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_a_device_that_is_full_says_so():
    """/dev/full: every write fails with ENOSPC, a real full disk without root."""
    full = "^cannot write /dev/full: No space left on device$"
    with pytest.raises(WriteError, match=full), writing("/dev/full") as out:
        out.write(b"x" * 100_000)


def test_a_pipe_stays_a_pipe_and_its_reader_gets_everything(tmp_path):
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_bytes(pipe, b"through the pipe" * 10_000)
    reader.join()
    assert received == [b"through the pipe" * 10_000] and stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: p.mkdir() or p, "it is a folder"),
        (lambda p: p / "missing" / "m.npz", "folder .*missing does not exist"),
        (lambda p: (p / "link").symlink_to(p.mkdir() or p) or p / "link", "it is a folder"),
    ],
    ids=["a folder", "a missing folder", "a link to a folder"],
)
def test_what_cannot_be_a_file_is_refused_naming_it(make, message, tmp_path):
    path = make(tmp_path / "out")
    with pytest.raises(WriteError, match=f"^cannot write {re.escape(str(path))}: {message}$"):
        write_bytes(path, b"x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_file_is_not_replaced(tmp_path):
    path = tmp_path / "kept.csv"
    path.write_bytes(OLD)
    path.chmod(0o444)
    with pytest.raises(WriteError, match="permission denied"):
        write_bytes(path, b"new")
    assert path.read_bytes() == OLD


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002, 0o027])
def test_a_new_file_gets_the_umask_mode(umask, tmp_path):
    previous = os.umask(umask)
    try:
        path = write_bytes(tmp_path / "new.csv", b"x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_a_replaced_file_keeps_its_mode_and_a_link_its_targets(mode, tmp_path):
    real = tmp_path / "real.npz"
    real.write_bytes(OLD)
    real.chmod(mode)
    (tmp_path / "link.npz").symlink_to(real)
    for path in (real, tmp_path / "link.npz"):
        write_bytes(path, b"new")
        assert stat.S_IMODE(real.stat().st_mode) == mode


def test_a_temporary_is_named_after_its_target_and_kept_while_its_save_runs(tmp_path):
    target = tmp_path / "m.npz"
    with writing(target) as out:
        out.write(b"x")
        (running,) = temporaries(tmp_path)
        assert running.startswith(".m.npz.rnnviz-tmp-")
        files.remove_dead_temporaries(target)  # another save of m.npz starting meanwhile
        assert temporaries(tmp_path) == [running]
    assert temporaries(tmp_path) == [] and target.read_bytes() == b"x"


CHILD = """
import sys
from rnnviz.core.files import writing
with writing(sys.argv[1]) as out:
    out.write(b"x" * 1_000_000)
    out.flush()
    print("writing", flush=True)
    sys.stdin.read()  # until the test kills it, or closes stdin to let it finish
"""


def start_save(target: Path) -> subprocess.Popen:
    """A save of `target` in another process, caught in the middle of writing."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.stdout.readline() == b"writing\n"
    return child


def test_the_next_save_removes_the_temporaries_of_killed_saves_and_keeps_a_running_ones(tmp_path):
    """kill -9 runs no cleanup: what the killed saves left is removed by the next save of the
    same file, however young; the temporary of a save still running (in another process) stays
    and becomes the file when that save ends."""
    target = tmp_path / "m.npz"
    killed = [start_save(target) for _ in range(4)]
    running = start_save(target)
    for child in killed:
        child.send_signal(signal.SIGKILL)
        child.wait()
    other = tmp_path / ".other.npz.rnnviz-tmp-abcd1234"  # a dead temporary of another file
    other.write_bytes(b"z")
    assert len(temporaries(tmp_path)) == 6
    write_bytes(target, b"the next save")
    assert sorted(temporaries(tmp_path)) == sorted([other.name, *temporaries_of(running)])
    running.stdin.close()
    assert running.wait() == 0 and target.read_bytes() == b"x" * 1_000_000
    assert temporaries(tmp_path) == [other.name]


def temporaries_of(child: subprocess.Popen) -> list[str]:
    """The temporaries `child` holds open (from /proc, where it is)."""
    fds = Path(f"/proc/{child.pid}/fd")
    return [Path(os.readlink(fd)).name for fd in fds.iterdir() if "rnnviz-tmp" in os.readlink(fd)]


def test_leftovers_that_cannot_be_locked_go_by_age_and_odd_ones_stay(tmp_path):
    """Earlier versions' unlocked temporaries (.NAME.XXXX.tmp) go once over a minute old; a pipe
    or a link named like a temporary is neither waited on nor followed, and stays."""
    old, young = tmp_path / ".m.npz.abc123.tmp", tmp_path / ".m.npz.def456.tmp"
    for path in (old, young):
        path.write_bytes(b"x")
    os.utime(old, (1, 1))
    pipe = tmp_path / ".m.npz.rnnviz-tmp-pipe"
    os.mkfifo(pipe)
    link = tmp_path / ".m.npz.rnnviz-tmp-link"
    link.symlink_to(tmp_path / "precious")
    (tmp_path / "precious").write_bytes(OLD)
    write_bytes(tmp_path / "m.npz", b"new")
    assert not old.exists() and young.exists() and pipe.exists() and link.is_symlink()
    assert (tmp_path / "precious").read_bytes() == OLD


def test_a_long_name_still_gets_a_temporary(tmp_path):
    target = tmp_path / ("n" * 250 + ".csv")
    assert write_bytes(target, b"x").read_bytes() == b"x"


OVERLAPS = {  # case -> (make the output and input paths in tmp_path, what the refusal says)
    "the same name": (lambda d: (d / "data.tsv", d / "data.tsv"), "would overwrite"),
    "./ and a bare name": (
        lambda d: (d / "." / "data.tsv", d / "sub" / ".." / "data.tsv"),
        "would overwrite",
    ),
    "a link to the input": (
        lambda d: ((d / "link.tsv").symlink_to(d / "data.tsv") or d / "link.tsv", d / "data.tsv"),
        "would overwrite",
    ),
    "a hard link to the input": (
        lambda d: (os.link(d / "data.tsv", d / "hard.tsv") or d / "hard.tsv", d / "data.tsv"),
        "would overwrite",
    ),
    "the input is a link to the output": (
        lambda d: (d / "data.tsv", (d / "in.tsv").symlink_to(d / "data.tsv") or d / "in.tsv"),
        "would overwrite",
    ),
    "inside the input folder": (lambda d: (d / "sub" / "m.npz", d / "sub"), "inside the"),
    "inside a link to the input folder": (
        lambda d: ((d / "ln").symlink_to(d / "sub") or d / "ln" / "x.csv", d / "sub"),
        "inside the",
    ),
}


@pytest.mark.parametrize("case", list(OVERLAPS))
def test_an_output_that_is_an_input_is_refused(case, tmp_path):
    (tmp_path / "data.tsv").write_text("great\tpos\n")
    (tmp_path / "sub").mkdir()
    make, message = OVERLAPS[case]
    output, source = make(tmp_path)
    with pytest.raises(RnnvizError, match=message):
        refuse_overlaps([("--save", output)], [("--data", source)])


@pytest.mark.parametrize(
    "a,b",
    [("m.npz", "m.npz"), ("m.npz", "./m.npz"), ("out.json", "sub/../out.json")],
)
def test_two_outputs_naming_one_file_are_refused_even_before_it_exists(a, b, tmp_path):
    (tmp_path / "sub").mkdir()
    with pytest.raises(RnnvizError, match=r"^--save and --metrics would both be .*: refused$"):
        refuse_overlaps([("--save", tmp_path / a), ("--metrics", tmp_path / b)], [])


def test_distinct_files_and_sibling_folders_pass(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data2").mkdir()
    (tmp_path / "data.tsv").write_text("x")
    refuse_overlaps(
        [("--save", tmp_path / "data2" / "m.npz"), ("--metrics", tmp_path / "data.csv")],
        [("--data", tmp_path / "data"), ("--test", tmp_path / "data.tsv")],
    )


# Libraries' calls that write to a file they are given (by name, or a stream of their own).
LIBRARY_WRITERS = {
    ("np", "savez"),
    ("np", "savez_compressed"),
    ("np", "save"),
    ("onnx", "save_model"),
    ("onnx", "save"),
    ("torch", "save"),
    ("", "save_file"),  # safetensors
}
WRITE_MODES = set("wax+")


def bypasses(call: ast.Call, streams: set[str]) -> bool:
    """Whether `call` writes a file other than through core.files: open() for writing, Path's
    write_text/write_bytes, a library's save by file name, an os-level rename."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    on_path = isinstance(func, ast.Attribute) and getattr(func.value, "id", "") not in ("os", "io")
    mode_at = 0 if on_path else 1  # Path.open(mode) but open(file, mode), os.fdopen(fd, mode)
    mode = call.args[mode_at] if len(call.args) > mode_at else None
    mode = next((k.value for k in call.keywords if k.arg == "mode"), mode)
    if name in ("open", "fdopen") and isinstance(mode, ast.Constant):
        return bool(WRITE_MODES & set(str(mode.value)))
    if name in ("replace", "rename") and isinstance(func, ast.Attribute):
        return getattr(func.value, "id", "") == "os"
    if name in ("write_text", "write_bytes"):
        return isinstance(func, ast.Attribute)  # Path's; files.write_text is called by name
    first = call.args[0] if call.args else None
    owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
    if (owner, name) in LIBRARY_WRITERS:
        return not (isinstance(first, ast.Name) and first.id in streams)
    if name == "save" and first is not None:  # QPixmap.save(str(path)) and the like
        return isinstance(first, ast.Constant | ast.JoinedStr) or (
            isinstance(first, ast.Call) and getattr(first.func, "id", "") == "str"
        )
    return False


def test_every_file_rnnviz_writes_goes_through_the_one_writer():
    offenders = []
    for path in sorted((ROOT / "rnnviz").rglob("*.py")):
        if path == ROOT / "rnnviz" / "core" / "files.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        streams = {  # the names `with writing(...) as NAME` binds
            item.optional_vars.id
            for node in ast.walk(tree)
            if isinstance(node, ast.With)
            for item in node.items
            if isinstance(item.optional_vars, ast.Name)
            and getattr(getattr(item.context_expr, "func", None), "id", "") == "writing"
        }
        offenders += [
            f"{path.relative_to(ROOT)}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and bypasses(node, streams)
        ]
    assert offenders == []


def test_the_rule_above_catches_each_way_of_bypassing_the_writer():
    for line in [
        "open(p, 'w')",
        "open(p, mode='ab')",
        "path.open('w', newline='')",
        "os.fdopen(fd, 'wb')",
        "path.write_text('x')",
        "path.write_bytes(b'x')",
        "np.savez(str(path), a=a)",
        "np.savez(path, a=a)",
        "save_file(tensors, str(out))",
        "onnx.save_model(model, str(out))",
        "torch.save(state, path)",
        "pixmap.save(str(path))",
        "pixmap.save(f'{folder}/x.png')",
        "os.replace(a, b)",
    ]:
        assert bypasses(ast.parse(line).body[0].value, set()), line
    for line in [
        "open(p)",
        "open(p, 'rb')",
        "np.savez(out, a=a)",
        "pixmap.save(buffer, 'PNG')",
        "write_text(path, 'x')",
        "checkpoint.save(path, ckpt)",
        "save_model(path, experiment, out)",
        "self.stored.save(colour_scheme=scheme)",
        "text.replace('a', 'b')",
    ]:
        assert not bypasses(ast.parse(line).body[0].value, {"out"}), line

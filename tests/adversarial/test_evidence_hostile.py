"""Hostile evidence: names that try to escape or disguise, content that lies about its type, files
too big, links, unreadable files. Each is refused with exit 2 naming the file and why, in Chinese,
and leaves nothing behind: no row, no stored file (the files are all judged before any is written).

A path typed on the command line names the file the clerk means to add, wherever it is (an
absolute path, ../): what is read is judged by its content, and its name is kept as a label only,
never as a path into the store."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import LEDGERS
from tests.evidence_samples import DOCX_TYPE, SAMPLES, office, stored_files, write, zipped

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
WHERE = ("1", "2", "清丰县政府")
PDF = SAMPLES["评审意见.pdf"]
BOMB = zipped({"[Content_Types].xml": b"<x/>", "word/document.xml": bytes(20 * 1024 * 1024)})


def _nothing_stored(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("evidence", "list", "1", "--json").json()["files"] == []
    assert stored_files(tmp_path / "data") == []


def _refused(cli, tmp_path: Path, source: object, *why: str) -> str:  # type: ignore[no-untyped-def]
    result = cli("evidence", "add", *WHERE, source)
    assert result.code == 2, (result.out, result.err)
    assert result.err.count("\n") == 1, result.err  # one line: a hostile name cannot break it
    for part in why:
        assert part in result.err, result.err
    _nothing_stored(cli, tmp_path)
    return str(result.err)


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("说明.pdf", b"MZ\x90\x00\x03" + bytes(100), "看起来是可执行程序"),
        ("说明.pdf", b"\x7fELF\x02\x01" + bytes(100), "看起来是可执行程序"),
        ("说明.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "看起来是网页（HTML）"),
        ("说明.pdf", b"  <html><body>hi</body></html>", "看起来是网页（HTML）"),
        ("说明.pdf", BOMB, "疑似压缩炸弹"),
        ("说明.docx", BOMB, "疑似压缩炸弹"),
        ("说明.pdf", zipped({"a.txt": b"hello"}), "内容不是允许的佐证材料类型"),
        ("说明.docx", office("word/document.xml", DOCX_TYPE, {"word/vbaProject.bin": b"\0"}), "含有宏"),
        ("说明.docx", office("word/document.xml", "ms-word.document.macroEnabled.main"), "含有宏"),
        ("说明.xlsx", SAMPLES["整改报告.docx"], "内容是 DOCX"),
        ("说明.pdf", SAMPLES["截图.png"], "内容是 PNG"),
        ("说明", PDF, "后缀为“（无）”"),
        ("说明.exe", PDF, "后缀为“.exe”"),
        ("说明.pdf", b"", "文件为空"),
        ("说明.pdf", b"PK\x03\x04 not really a zip", "内容不是允许的佐证材料类型"),
    ],
)
def test_content_that_lies_about_its_type(cli, tmp_path: Path, name: str, data: bytes, why: str) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    source = write(tmp_path / "in", name, data)
    _refused(cli, tmp_path, source, str(source), why)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("报告\n.pdf", "报告\\n.pdf"),
        ("报告\r.pdf", "报告\\r.pdf"),
        ("照片\u202egpj.pdf", "照片\\u202egpj.pdf"),  # RTL override: shows as 照片fdp.jpg
        ("报\u200b告.pdf", "报\\u200b告.pdf"),  # zero-width space
        ("报告\ufeff.pdf", "报告\\ufeff.pdf"),
        ("报告\x1b[31m.pdf", "报告\\x1b[31m.pdf"),  # a terminal escape
    ],
)
def test_names_with_control_or_invisible_characters(cli, tmp_path: Path, name: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    source = write(tmp_path / "in", name, PDF)
    err = _refused(cli, tmp_path, source, "文件名含有控制字符或不可见字符", shown)
    assert name not in err


def test_a_nul_in_a_name_and_a_name_not_in_utf8(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    _refused(cli, tmp_path, f"{tmp_path}/a\x00b.pdf", "U+0000", "a\\x00b.pdf")
    raw = os.path.join(os.fsencode(tmp_path), b"\xff\xfe.pdf")
    with open(raw, "wb") as stream:
        stream.write(PDF)
    _refused(cli, tmp_path, os.fsdecode(raw), "文件名含有控制字符或不可见字符")


def test_a_very_long_name(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    _refused(cli, tmp_path, tmp_path / ("长" * 996 + ".pdf"), "1000 个字符", "最多 200 个")
    _refused(cli, tmp_path, tmp_path / "in" / ("a" * 300), "300 个字符")


def test_traversal_names_are_labels_never_paths(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    monkeypatch.chdir(tmp_path)
    _refused(cli, tmp_path, "../" * 20 + "etc/passwd", "etc/passwd", "内容不是允许的佐证材料类型")
    _refused(cli, tmp_path, "/etc/passwd", "/etc/passwd：", "内容不是允许的佐证材料类型")
    write(tmp_path, "..\\x", PDF)
    _refused(cli, tmp_path, "..\\x", "..\\x：", "后缀为“（无）”")
    # Acceptable content under such names is stored under its last part, in the store only.
    write(tmp_path / "in", "..\\..\\评审.pdf", PDF)
    (tmp_path / "in" / "sub").mkdir()
    write(tmp_path, "照片.png", SAMPLES["截图.png"])
    sources = ("in/..\\..\\评审.pdf", "in/sub/../../照片.png", tmp_path / "照片.png")
    added = cli("evidence", "add", *WHERE, *sources, "--json")
    assert added.code == 0, added.err
    assert [a["name"] for a in added.json()] == ["评审.pdf", "照片.png", "照片.png"]
    assert all(p.is_relative_to(tmp_path / "data" / "tracker" / "evidence") for p in stored_files(tmp_path / "data"))


def test_oversize_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    big = write(tmp_path / "in", "大.pdf", PDF)
    with big.open("r+b") as stream:
        stream.truncate(20 * 1024 * 1024 + 1)  # sparse: nothing is written to the disk
    _refused(cli, tmp_path, big, "20,971,521 字节", "超过上限 20,971,520 字节（20 MiB")
    exact = write(tmp_path / "in", "刚好.pdf", PDF)
    with exact.open("r+b") as stream:
        stream.truncate(20 * 1024 * 1024)
    assert cli("evidence", "add", *WHERE, exact).code == 0


def test_links_folders_pipes_and_missing_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    real = write(tmp_path / "in", "真.pdf", PDF)
    link = tmp_path / "in" / "链接.pdf"
    link.symlink_to(real)
    _refused(cli, tmp_path, link, str(link), "是符号链接")
    dangling = tmp_path / "in" / "悬空.pdf"
    dangling.symlink_to(tmp_path / "nowhere.pdf")
    _refused(cli, tmp_path, dangling, "是符号链接")
    folder = tmp_path / "in" / "目录.pdf"
    folder.mkdir()
    _refused(cli, tmp_path, folder, "不是普通文件")
    fifo = tmp_path / "in" / "管道.pdf"
    os.mkfifo(fifo)
    _refused(cli, tmp_path, fifo, "不是普通文件")
    _refused(cli, tmp_path, tmp_path / "in" / "没有.pdf", "文件不存在")
    _refused(cli, tmp_path, "/dev/null", "不是普通文件")


def test_an_unreadable_file(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    locked = write(tmp_path / "in", "加密.pdf", PDF)
    locked.chmod(0o000)
    if os.geteuid() != 0:  # root reads it anyway; then the refusal of the system is simulated
        _refused(cli, tmp_path, locked, "无法读取", "Permission denied")
    real_open: Callable[..., int] = os.open

    def refusing_open(path: object, *args: object, **kwargs: object) -> int:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    _refused(cli, tmp_path, locked, str(locked), "无法读取（Permission denied）")


def test_one_bad_file_among_good_ones_stores_none(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    good = [write(tmp_path / "in", name, data) for name, data in SAMPLES.items()]
    bad = write(tmp_path / "in", "坏.pdf", b"<html></html>")
    result = cli("evidence", "add", *WHERE, *good[:3], bad, *good[3:])
    assert result.code == 2 and "坏.pdf" in result.err
    _nothing_stored(cli, tmp_path)
    # Nor does a ledger, task or unit that is not there leave a stored file.
    missing = cli("evidence", "add", "1", "99", "清丰县政府", good[0])
    assert missing.code == 2 and "99" in missing.err
    _nothing_stored(cli, tmp_path)


def test_a_store_that_cannot_be_written_stores_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the store's folder should be")
    config = tmp_path / "tracker.toml"
    config.write_text(f'[evidence]\nfolder = "{blocked}/store"\n', encoding="utf-8")
    result = cli("--config", config, "evidence", "add", *WHERE, write(tmp_path / "in", "一.pdf", PDF))
    assert result.code == 2 and "佐证材料存储目录" in result.err and "未保存任何材料" in result.err
    assert cli("evidence", "list", "1", "--json").json()["files"] == []


def test_the_refusals_in_english(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    source = write(tmp_path / "in", "x.pdf", b"MZ")
    result = cli("--lang", "en", "evidence", "add", *WHERE, source)
    assert result.code == 2 and "not an accepted type of evidence" in result.err

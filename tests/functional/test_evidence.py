"""Evidence stored, not just named: `tracker evidence add|list|get` and `progress --evidence FILE`."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import LEDGERS
from tests.evidence_samples import SAMPLES, stored_files, write

PUYANG = LEDGERS / "puyang-2017-digital-city.toml"
WHERE = ("1", "2", "清丰县政府")


def _audited(db_url: str, action: str) -> list[str]:
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            query = sa.text("SELECT after FROM audit WHERE action = :a")
            return list(connection.execute(query, {"a": action}).scalars())
    finally:
        engine.dispose()


def test_each_kind_is_stored_by_content_listed_and_copied_out(cli, tmp_path: Path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", PUYANG).code == 0
    files = [write(tmp_path / "in", name, data) for name, data in SAMPLES.items()]
    added = cli("evidence", "add", *WHERE, *files, "--json")
    assert added.code == 0, added.err
    rows = added.json()
    assert [r["name"] for r in rows] == list(SAMPLES)
    assert {r["media_type"] for r in rows} >= {"application/pdf", "image/png", "image/jpeg", "application/ofd"}
    # In the store: named by the SHA-256 only (no suffix, nothing from the name), read-only, private.
    stored = stored_files(tmp_path / "data")
    hashes = sorted(hashlib.sha256(d).hexdigest() for d in SAMPLES.values())
    assert sorted(p.parent.name + p.name for p in stored) == hashes
    assert all(stat.S_IMODE(p.stat().st_mode) & 0o137 == 0 for p in stored)  # never executable nor world-readable
    assert stat.S_IMODE((tmp_path / "data" / "tracker" / "evidence").stat().st_mode) == 0o700
    listed = cli("evidence", "list", "1", "--json").json()
    assert [(f["task"], f["unit"], f["name"], f["size"]) for f in listed["files"]] == [
        ("2", "清丰县政府", name, len(data)) for name, data in SAMPLES.items()
    ]
    assert cli("evidence", "list", "1", "1", "濮阳县", "--json").json()["files"] == []
    assert "评审意见.pdf" in cli("evidence", "list", "1").out
    # Copied out whole, to a file or into a folder under its name.
    out = tmp_path / "out"
    out.mkdir()
    first = rows[0]
    got = cli("evidence", "get", first["id"], "-o", out / "copy.pdf", "--json")
    assert got.code == 0, got.err
    assert (out / "copy.pdf").read_bytes() == SAMPLES[first["name"]]
    assert cli("evidence", "get", first["id"], "-o", out).code == 0
    assert (out / first["name"]).read_bytes() == SAMPLES[first["name"]]
    assert len(_audited(db_url, "evidence")) == len(SAMPLES)


def test_the_same_content_is_stored_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    data = SAMPLES["评审意见.pdf"]
    one, two = write(tmp_path / "a", "一.pdf", data), write(tmp_path / "b", "二.pdf", data)
    assert cli("evidence", "add", *WHERE, one).code == 0
    assert cli("evidence", "add", "1", "3", "范县", two).code == 0
    files = cli("evidence", "list", "1", "--json").json()["files"]
    assert [f["name"] for f in files] == ["一.pdf", "二.pdf"]
    assert files[0]["sha256"] == files[1]["sha256"]
    assert len(stored_files(tmp_path / "data")) == 1


def test_get_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    cli("evidence", "add", *WHERE, write(tmp_path / "in", "照片.png", SAMPLES["截图.png"]))
    target = tmp_path / "mine.png"
    target.write_bytes(b"keep me")
    refused = cli("evidence", "get", "1", "-o", target)
    assert refused.code == 2 and "已存在" in refused.err and "--force" in refused.err and str(target) in refused.err
    assert target.read_bytes() == b"keep me"
    assert cli("evidence", "get", "1", "-o", target, "--force").code == 0
    assert target.read_bytes() == SAMPLES["截图.png"]
    missing = cli("evidence", "get", "99", "-o", tmp_path / "x.png")
    assert missing.code == 2 and "没有编号为 99 的佐证材料" in missing.err


def test_an_altered_stored_file_is_not_copied_out(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    cli("evidence", "add", *WHERE, write(tmp_path / "in", "报告.pdf", SAMPLES["评审意见.pdf"]))
    (blob,) = stored_files(tmp_path / "data")
    blob.chmod(0o600)
    blob.write_bytes(b"%PDF-1.4 something else")
    refused = cli("evidence", "get", "1", "-o", tmp_path / "out.pdf")
    assert refused.code == 2 and "SHA-256" in refused.err and not (tmp_path / "out.pdf").exists()
    # Adding the original again mends the store.
    assert cli("evidence", "add", *WHERE, write(tmp_path / "in", "报告.pdf", SAMPLES["评审意见.pdf"])).code == 0
    assert cli("evidence", "get", "1", "-o", tmp_path / "out.pdf").code == 0


def test_progress_evidence_naming_a_file_stores_it_and_a_text_stays_a_reference(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    photo = write(tmp_path / "in", "现场.jpg", SAMPLES["现场照片.jpg"])
    done = cli("progress", *WHERE, "--status", "doing", "--evidence", photo, "--evidence", "见附件1", "--json")
    assert done.code == 0, done.err
    listed = cli("evidence", "list", *WHERE, "--json").json()
    assert [f["name"] for f in listed["files"]] == ["现场.jpg"]
    assert [r["reference"] for r in listed["references"]] == [str(photo), "见附件1"]  # as typed, as before
    # A file that is not acceptable evidence refuses the whole progress report.
    bad = write(tmp_path / "in", "说明.pdf", b"MZ\x90\x00 not a pdf")
    refused = cli("progress", *WHERE, "--status", "done", "--evidence", bad)
    assert refused.code == 2 and "说明.pdf" in refused.err
    assert cli("evidence", "list", *WHERE, "--json").json()["files"] == listed["files"]
    shown = cli("show", "1", "--json", "--as-of", "2017-06-01").json()["rows"]
    assert next(r for r in shown if r["seq"] == "2" and r["unit"] == "清丰县政府")["status"] == "doing"


def test_the_configured_folder_and_size_limit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    folder = tmp_path / "档案" / "佐证"
    config = tmp_path / "tracker.toml"
    config.write_text(f'[evidence]\nfolder = "{folder}"\nmax_mib = 1\n', encoding="utf-8")
    small = write(tmp_path / "in", "小.pdf", SAMPLES["评审意见.pdf"])
    folder.mkdir(parents=True)
    folder.chmod(0o2770)  # shared by the desks' group: what the store creates in it is too
    assert cli("--config", config, "evidence", "add", *WHERE, small).code == 0
    (blob,) = [p for p in folder.rglob("*") if p.is_file()]
    assert stat.S_IMODE(blob.parent.stat().st_mode) == 0o2770 and stat.S_IMODE(blob.stat().st_mode) == 0o440
    assert stored_files(tmp_path / "data") == []
    big = write(tmp_path / "in", "大.pdf", b"%PDF-1.4\n" + bytes(1024 * 1024))
    refused = cli("--config", config, "evidence", "add", *WHERE, big)
    assert refused.code == 2 and "大.pdf" in refused.err and "1 MiB" in refused.err
    wrong = tmp_path / "wrong.toml"
    wrong.write_text("[evidence]\nmax_mib = 0\nfoldr = 'x'\n", encoding="utf-8")
    bad = cli("--config", wrong, "evidence", "list", "1")
    assert bad.code == 2 and "evidence.max_mib" in bad.err and "evidence.foldr: unknown key" in bad.err


def test_a_task_with_evidence_leaves_a_reimported_file_only_when_allowed(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("import", PUYANG)
    pdf = write(tmp_path / "in", "验收.pdf", SAMPLES["评审意见.pdf"])
    assert cli("evidence", "add", "1", "9", "范县", pdf).code == 0
    changed = PUYANG.read_text(encoding="utf-8")
    changed = changed.replace('  [[phases.tasks]]\n  text = "系统正式验收。"\n  deadline = "2018年10月底完成"\n', "")
    path = tmp_path / "puyang.toml"
    path.write_text(changed, encoding="utf-8")
    refused = cli("import", path)  # task 9 left the file with 范县's evidence on it
    assert refused.code == 2 and "task 9" in refused.err and "--allow-removals" in refused.err
    assert len(cli("evidence", "list", "1", "--json").json()["files"]) == 1
    assert cli("import", path, "--allow-removals").code == 0
    assert cli("evidence", "list", "1", "--json").json()["files"] == []
    assert len(stored_files(tmp_path / "data")) == 1  # unreferenced now, harmless (see tracker/evidence.py)


def test_a_folder_made_by_another_writer_meanwhile_is_used(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The portal stores uploads from many threads at once: a folder another one made between
    this writer's look and its making is used, not refused (the load test met this: a 400)."""
    from tracker.evidence_files import Store, check_upload

    store = Store(tmp_path / "evidence")
    first = check_upload("评审意见.pdf", SAMPLES["评审意见.pdf"], 1024 * 1024)
    store.put(first)
    second = check_upload("另一份.pdf", SAMPLES["评审意见.pdf"] + b"\n% 2", 1024 * 1024)
    (tmp_path / "evidence" / second.sha256[:2]).mkdir(exist_ok=True)
    monkeypatch.setattr(Path, "is_dir", lambda self: False)  # every look misses the folders just made
    store.put(second)
    monkeypatch.undo()
    assert store.read(second.sha256) == second.data and store.read(first.sha256) == first.data

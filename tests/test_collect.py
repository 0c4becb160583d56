"""autograder.collect (and autograder.names): an LMS zip → nbgrader's submitted/ layout and a manifest of every entry."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from lms_zip import add, copy_course, files_under, make_zip

from autograder.course.collect import JST, SubmissionNameCollector, collect_zip, load_times, parse_time, read_manifest
from autograder.course.coursedir import open_course
from autograder.errors import CollectError
from autograder.read.names import parse_file_name, parse_student_folder, parse_submission_name
from autograder.testing import samples as s

DEADLINE = datetime(2026, 11, 23, 23, 59, tzinfo=JST)
NB = {k: s.dumps(s.submission("mlp", seed=k)) for k in range(1, 8)}
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture
def course(tmp_path):
    return open_course(copy_course(tmp_path / "course", gradebook=False))


def webclass_zip(path: Path) -> Path:
    """A realistic download: cp932 names without the UTF-8 flag (as Windows writes them; ソ has the 0x5C byte),
    UTF-8 names, full-width digits and spaces, a per-student folder, resubmissions, late, wrong number,
    non-notebooks, broken notebooks, folders and macOS leftovers."""
    return make_zip(path, [
        ("2412001_青木陽菜_2.ipynb", NB[1], (2026, 11, 23, 20, 0, 0), "cp932"),
        ("2412002_宗像ソラ_2.ipynb", NB[2], (2026, 11, 23, 20, 0, 0), "cp932"),
        ("2412002_宗像ソラ_2 (1).ipynb", NB[3], (2026, 11, 23, 21, 0, 0), "cp932"),
        ("２４１２００３ ＿ 上田結衣 ＿ ２.ipynb", NB[4], (2026, 11, 23, 22, 0, 0)),
        ("2412004_江藤蓮_2.ipynb", NB[5], (2026, 11, 24, 0, 30, 0)),
        ("2412005_太田陸_3.ipynb", s.dumps(s.submission("history", seed=5))),
        ("2412006_加藤芽依_2.py", "import tensorflow as tf\nprint(tf.__version__)\n"),
        ("2412007_木村大翔_2.pdf", PDF),
        ("2412008_佐藤花子_2.ipynb", PDF),
        ("2412009_鈴木一郎_2.ipynb", NB[6][:200]),
        ("課題2/", b"", (2026, 11, 25, 9, 0, 0), "cp932"),
        ("課題2/2412010_高橋健/", b"", (2026, 11, 25, 9, 0, 0), "cp932"),
        ("課題2/2412010_高橋健/mlp.ipynb", NB[7], (2026, 11, 23, 19, 0, 0), "cp932"),
        ("課題2/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        ("__MACOSX/._2412001_青木陽菜_2.ipynb", b"\x00\x05\x16\x07"),
        ("Untitled0.ipynb", NB[1]),
        ("2412011_中村_2.ipynb", NB[2], (2026, 11, 23, 23, 0, 0)),
        ("2412011_中村_2 (1).ipynb", NB[3], (2026, 11, 24, 0, 10, 0)),
    ])


EXPECTED = [  # entry, code, student id, placed
    ("2412001_青木陽菜_2.ipynb", "accepted", "2412001", "submitted/2412001/mlp/mlp.ipynb"),
    ("2412002_宗像ソラ_2.ipynb", "superseded", "2412002", None),
    ("2412002_宗像ソラ_2 (1).ipynb", "accepted", "2412002", "submitted/2412002/mlp/mlp.ipynb"),
    ("２４１２００３ ＿ 上田結衣 ＿ ２.ipynb", "accepted", "2412003", "submitted/2412003/mlp/mlp.ipynb"),
    ("2412004_江藤蓮_2.ipynb", "late", "2412004", None),
    ("2412005_太田陸_3.ipynb", "wrong_assignment", "2412005", None),
    ("2412006_加藤芽依_2.py", "not_notebook", "2412006", None),
    ("2412007_木村大翔_2.pdf", "not_notebook", "2412007", None),
    ("2412008_佐藤花子_2.ipynb", "unreadable", "2412008", None),
    ("2412009_鈴木一郎_2.ipynb", "unreadable", "2412009", None),
    ("課題2/", "directory", None, None),
    ("課題2/2412010_高橋健/", "directory", None, None),
    ("課題2/2412010_高橋健/mlp.ipynb", "accepted", "2412010", "submitted/2412010/mlp/mlp.ipynb"),
    ("課題2/.DS_Store", "system_file", None, None),
    ("__MACOSX/._2412001_青木陽菜_2.ipynb", "system_file", None, None),
    ("Untitled0.ipynb", "bad_name", None, None),
    ("2412011_中村_2.ipynb", "accepted", "2412011", "submitted/2412011/mlp/mlp.ipynb"),
    ("2412011_中村_2 (1).ipynb", "late", "2412011", None),
]


def test_the_test_zip_really_has_cp932_names_without_the_utf8_flag(tmp_path):
    path = webclass_zip(tmp_path / "kadai2.zip")
    infos = zipfile.ZipFile(path).infolist()
    raw = infos[1].orig_filename.encode("cp437")
    assert raw == "2412002_宗像ソラ_2.ipynb".encode("cp932") and b"\x83\x5c" in raw  # ソ: 0x83 0x5C
    assert infos[1].flag_bits & 0x800 == 0
    assert infos[3].flag_bits & 0x800  # the UTF-8 name has the flag
    assert "宗像".encode("cp932") in path.read_bytes()


def test_collect_manifest_and_placed_files_exactly(tmp_path, course):
    zip_path = webclass_zip(tmp_path / "kadai2.zip")
    before = zip_path.read_bytes()
    result = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE)
    entries = result.manifest.entries
    assert [(e.entry, e.code, e.student_id, e.placed) for e in entries] == EXPECTED
    assert zip_path.read_bytes() == before  # the original is never modified

    by_entry = {e.entry: e for e in entries}
    assert [e.name_encoding for e in entries[:4]] == ["cp932", "cp932", "cp932", "utf-8"]
    assert by_entry["２４１２００３ ＿ 上田結衣 ＿ ２.ipynb"].name == "上田結衣"
    assert by_entry["2412002_宗像ソラ_2 (1).ipynb"].name == "宗像ソラ"
    assert by_entry["2412002_宗像ソラ_2 (1).ipynb"].submitted_at == "2026-11-23T21:00:00+09:00"
    assert "2412002_宗像ソラ_2 (1).ipynb" in by_entry["2412002_宗像ソラ_2.ipynb"].message
    assert "締切（2026-11-23 23:59）より後" in by_entry["2412004_江藤蓮_2.ipynb"].message
    assert "31 分遅れ" in by_entry["2412004_江藤蓮_2.ipynb"].message
    assert "--keep-late" in by_entry["2412004_江藤蓮_2.ipynb"].message
    assert "課題番号が 3" in by_entry["2412005_太田陸_3.ipynb"].message
    assert "Python スクリプト" in by_entry["2412006_加藤芽依_2.py"].message
    assert "PDF ファイル" in by_entry["2412007_木村大翔_2.pdf"].message
    assert "PDF ファイル" in by_entry["2412008_佐藤花子_2.ipynb"].message
    assert "途中で切れて" in by_entry["2412009_鈴木一郎_2.ipynb"].message
    assert "学籍番号_名前_2.ipynb" in by_entry["Untitled0.ipynb"].message
    assert "フォルダ名から" in by_entry["課題2/2412010_高橋健/mlp.ipynb"].message
    assert by_entry["課題2/2412010_高橋健/mlp.ipynb"].name == "高橋健"
    assert all(e.message and e.message_en for e in entries)

    placed = files_under(course.root / "submitted")
    assert sorted(placed) == [
        "2412001/mlp/mlp.ipynb", "2412001/mlp/timestamp.txt", "2412002/mlp/mlp.ipynb", "2412002/mlp/timestamp.txt",
        "2412003/mlp/mlp.ipynb", "2412003/mlp/timestamp.txt", "2412010/mlp/mlp.ipynb", "2412010/mlp/timestamp.txt",
        "2412011/mlp/mlp.ipynb", "2412011/mlp/timestamp.txt", "mlp_manifest.csv", "mlp_manifest.json"]
    assert placed["2412001/mlp/mlp.ipynb"] == NB[1].encode()
    assert placed["2412002/mlp/mlp.ipynb"] == NB[3].encode()  # the resubmission, byte for byte
    assert placed["2412011/mlp/mlp.ipynb"] == NB[2].encode()  # the on-time one, not the late resubmission
    assert placed["2412002/mlp/timestamp.txt"] == b"2026-11-23 21:00:00+09:00"
    assert placed["2412010/mlp/timestamp.txt"] == b"2026-11-23 19:00:00+09:00"
    assert result.written == tuple(f"submitted/{sid}/mlp/mlp.ipynb" for sid in ("2412001", "2412002", "2412003", "2412010", "2412011"))


def test_manifest_csv_and_json_agree_and_open_in_excel(tmp_path, course):
    result = collect_zip(webclass_zip(tmp_path / "kadai2.zip"), course, "mlp", 2, deadline=DEADLINE)
    csv_path, json_path = course.manifest_paths("mlp")
    assert csv_path == course.root / "submitted" / "mlp_manifest.csv" and json_path.name == "mlp_manifest.json"
    data = csv_path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Japanese Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["entry"] for r in rows] == [e[0] for e in EXPECTED]
    assert [r["code"] for r in rows] == [e[1] for e in EXPECTED]
    assert rows[1]["reason"].startswith("同じ学生のより新しい提出") and rows[1]["reason_en"].startswith("the same student's")
    doc = json.loads(json_path.read_text(encoding="utf-8"))
    assert doc["assignment"] == "mlp" and doc["notebook"] == "mlp.ipynb" and doc["number"] == 2
    assert doc["deadline"] == "2026-11-23T23:59:00+09:00" and doc["zip"] == "kadai2.zip"
    assert read_manifest(json_path) == result.manifest


def test_running_twice_gives_the_same_files_and_manifest(tmp_path, course):
    zip_path = webclass_zip(tmp_path / "kadai2.zip")
    first = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE)
    snapshot = files_under(course.root)
    mtimes = {p: p.stat().st_mtime_ns for p in (course.root / "submitted").rglob("*.ipynb")}
    second = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE)
    assert files_under(course.root) == snapshot
    assert second.manifest == first.manifest
    assert len(first.written) == 5 and second.written == () and second.removed == ()
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes  # nothing rewritten


def test_keep_late_accepts_the_latest_and_a_stricter_run_removes_it_again(tmp_path, course):
    zip_path = webclass_zip(tmp_path / "kadai2.zip")
    kept = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE, keep_late=True)
    codes = {e.entry: e.code for e in kept.manifest.entries}
    assert codes["2412004_江藤蓮_2.ipynb"] == "accepted_late"
    assert codes["2412011_中村_2 (1).ipynb"] == "accepted_late"  # the latest wins, marked late
    assert codes["2412011_中村_2.ipynb"] == "superseded"
    assert (course.root / "submitted/2412011/mlp/mlp.ipynb").read_bytes() == NB[3].encode()
    assert (course.root / "submitted/2412004/mlp/timestamp.txt").read_text() == "2026-11-24 00:30:00+09:00"

    strict = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE)
    assert strict.removed == ("submitted/2412004/mlp/mlp.ipynb",)
    assert not (course.root / "submitted/2412004").exists()
    assert (course.root / "submitted/2412011/mlp/mlp.ipynb").read_bytes() == NB[2].encode()
    assert strict.written == ("submitted/2412011/mlp/mlp.ipynb",)
    assert (course.root / "submitted/2412011/mlp/timestamp.txt").read_text() == "2026-11-23 23:00:00+09:00"


def test_without_a_deadline_the_latest_wins_and_nothing_is_late(tmp_path, course):
    result = collect_zip(webclass_zip(tmp_path / "kadai2.zip"), course, "mlp", 2)
    codes = {e.entry: e.code for e in result.manifest.entries}
    assert codes["2412004_江藤蓮_2.ipynb"] == "accepted" and codes["2412011_中村_2 (1).ipynb"] == "accepted"
    assert result.manifest.deadline is None


def test_times_csv_overrides_zip_times(tmp_path, course):
    # the zip's entry times are the download time (after the deadline); the LMS's CSV has the real times
    download = (2026, 11, 25, 9, 0, 0)
    zip_path = make_zip(tmp_path / "dl.zip", [
        ("2412001_青木陽菜_2.ipynb", NB[1], download, "cp932"),
        ("2412002_宗像ソラ_2.ipynb", NB[2], download, "cp932"),
        ("2412003_上田結衣_2.ipynb", NB[3], download),
    ])
    without = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE)
    assert [e.code for e in without.manifest.entries] == ["late"] * 3
    assert any("--times" in ja for ja, _ in without.warnings)

    times = tmp_path / "times.csv"
    times.write_bytes("学籍番号,ファイル名,提出日時\r\n"
                      "2412001,2412001_青木陽菜_2.ipynb,2026/11/23 20:15\r\n"
                      "2412002,2412002_宗像ソラ_2.ipynb,2026/11/24 0:05:00\r\n".encode("cp932"))  # Excel's CSV
    result = collect_zip(zip_path, course, "mlp", 2, deadline=DEADLINE, times=times)
    got = [(e.code, e.submitted_at, e.time_source) for e in result.manifest.entries]
    assert got == [("accepted", "2026-11-23T20:15:00+09:00", "csv"), ("late", "2026-11-24T00:05:00+09:00", "csv"),
                   ("late", "2026-11-25T09:00:00+09:00", "zip")]
    assert any("CSV にないファイル 1 件" in ja for ja, _ in result.warnings)
    assert result.manifest.times_file == "times.csv"
    assert (course.root / "submitted/2412001/mlp/timestamp.txt").read_text() == "2026-11-23 20:15:00+09:00"


def test_load_times_rejects_a_csv_without_the_columns(tmp_path):
    bad = tmp_path / "t.csv"
    bad.write_text("name,when\nx,2026-11-23 10:00\n", encoding="utf-8")
    with pytest.raises(CollectError) as info:
        load_times(bad)
    assert "ファイル名の列" in info.value.message("ja") and "file column" in info.value.message("en")
    bad.write_text("file,submitted_at\nx.ipynb,tomorrow\n", encoding="utf-8")
    with pytest.raises(CollectError) as info:
        load_times(bad)
    assert "2 行目" in info.value.message("ja")


def test_utf8_names_without_the_flag_and_undecodable_names(tmp_path, course):
    zip_path = make_zip(tmp_path / "mac.zip", [
        ("2412001_青木陽菜_2.ipynb".encode(), NB[1]),  # macOS: UTF-8 bytes, no flag
        (b"2412002_\x85\x40_2.ipynb", NB[2]),  # neither UTF-8 nor cp932
    ])
    entries = collect_zip(zip_path, course, "mlp", 2).manifest.entries
    assert (entries[0].entry, entries[0].name_encoding, entries[0].code) == ("2412001_青木陽菜_2.ipynb", "utf-8-noflag", "accepted")
    assert (entries[1].name_encoding, entries[1].code, entries[1].student_id) == ("cp437-fallback", "accepted", "2412002")
    assert "cp437" in entries[1].message


def test_encrypted_and_damaged_entries_are_unreadable_rows_not_a_stopped_batch(tmp_path, course):
    zip_path = make_zip(tmp_path / "k.zip", [("2412001_青木陽菜_2.ipynb", NB[1]), ("2412002_宗像ソラ_2.ipynb", NB[2]),
                                              ("2412003_上田結衣_2.ipynb", NB[3])])
    data = bytearray(zip_path.read_bytes())
    start = data.index("2412002_宗像ソラ_2.ipynb".encode()) + len("2412002_宗像ソラ_2.ipynb".encode())
    data[start + 100] ^= 0xFF  # a flipped bit in the second entry's compressed data
    locked = "2412003_上田結衣_2.ipynb".encode()
    for signature, flags_at, name_length_at, name_at in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        i = data.find(signature)
        while i != -1:  # the third entry's headers say "encrypted" (zipfile cannot write encrypted entries)
            n = int.from_bytes(data[i + name_length_at:i + name_length_at + 2], "little")
            if data[i + name_at:i + name_at + n] == locked:
                data[i + flags_at] |= 0x1
            i = data.find(signature, i + 1)
    zip_path.write_bytes(bytes(data))
    entries = collect_zip(zip_path, course, "mlp", 2).manifest.entries
    assert [e.code for e in entries] == ["accepted", "unreadable", "unreadable"]
    assert "壊れていて読めません" in entries[1].message and "パスワード付き" in entries[2].message
    assert sorted(files_under(course.root / "submitted")) == [
        "2412001/mlp/mlp.ipynb", "2412001/mlp/timestamp.txt", "mlp_manifest.csv", "mlp_manifest.json"]


@pytest.mark.parametrize("bad", [
    ("/etc/2412001_x_2.ipynb", "絶対パス"),
    ("C:/Users/2412001_x_2.ipynb", "絶対パス"),
    ("../2412001_x_2.ipynb", "'..'"),
    ("課題2/../../2412001_x_2.ipynb", "'..'"),
    ("link.ipynb", "シンボリックリンク"),
    ("big.ipynb", "展開すると"),
])
def test_unsafe_archives_are_refused_and_nothing_is_written(tmp_path, course, bad):
    name, why = bad
    zip_path = tmp_path / "bad.zip"
    with zipfile.ZipFile(zip_path, "w") as zf:
        add(zf, "2412009_山田太郎_2.ipynb", NB[1])
        if name == "link.ipynb":
            add(zf, name, "/etc/passwd", mode=0o120777)
        elif name == "big.ipynb":
            add(zf, name, "x" * 5000)  # compresses to a few bytes, expands beyond the limit below
        else:
            add(zf, name, NB[2])
    before = files_under(course.root)
    with pytest.raises(CollectError) as info:
        collect_zip(zip_path, course, "mlp", 2, max_entry_bytes=4096 if name == "big.ipynb" else 200 * 1024 ** 2)
    assert "安全でない ZIP なので何も書き出していません" in info.value.message("ja") and why in info.value.message("ja")
    assert "nothing was written" in info.value.message("en")
    assert files_under(course.root) == before
    assert not (course.root / "submitted").exists()


def test_too_many_entries_and_too_much_in_total_are_refused(tmp_path, course):
    zip_path = make_zip(tmp_path / "many.zip", [(f"24120{i:02d}_x_2.ipynb", NB[1]) for i in range(5)])
    with pytest.raises(CollectError) as info:
        collect_zip(zip_path, course, "mlp", 2, max_entries=4)
    assert "エントリが多すぎます（5 個、上限 4）" in info.value.message("ja")
    with pytest.raises(CollectError) as info:
        collect_zip(zip_path, course, "mlp", 2, max_total_bytes=len(NB[1]) * 4)
    assert "全体を展開すると" in info.value.message("ja")
    assert not (course.root / "submitted").exists()


def test_not_a_zip_and_a_missing_zip(tmp_path, course):
    fake = tmp_path / "kadai.zip"
    fake.write_bytes(PDF)
    with pytest.raises(CollectError) as info:
        collect_zip(fake, course, "mlp", 2)
    assert "ZIP ファイルではありません" in info.value.message("ja")
    with pytest.raises(CollectError) as info:
        collect_zip(tmp_path / "none.zip", course, "mlp", 2)
    assert "読めません" in info.value.message("ja")


def test_a_file_placed_by_hand_is_not_overwritten_without_force(tmp_path, course):
    mine = course.root / "submitted/2412001/mlp/mlp.ipynb"
    mine.parent.mkdir(parents=True)
    mine.write_text(NB[5], encoding="utf-8")
    zip_path = make_zip(tmp_path / "k.zip", [("2412001_青木陽菜_2.ipynb", NB[1])])
    entry = collect_zip(zip_path, course, "mlp", 2).manifest.entries[0]
    assert entry.code == "conflict" and "--force" in entry.message and entry.placed is None
    assert mine.read_text(encoding="utf-8") == NB[5]
    entry = collect_zip(zip_path, course, "mlp", 2, force=True).manifest.entries[0]
    assert entry.code == "accepted" and mine.read_text(encoding="utf-8") == NB[1]


def test_a_newer_zip_replaces_what_an_earlier_zip_placed(tmp_path, course):
    collect_zip(make_zip(tmp_path / "a.zip", [("2412001_青木陽菜_2.ipynb", NB[1])]), course, "mlp", 2)
    later = make_zip(tmp_path / "b.zip", [("2412001_青木陽菜_2.ipynb", NB[1]),
                                          ("2412001_青木陽菜_2 (1).ipynb", NB[2], (2026, 11, 23, 22, 0, 0))])
    result = collect_zip(later, course, "mlp", 2)
    assert [e.code for e in result.manifest.entries] == ["superseded", "accepted"]
    assert result.written == ("submitted/2412001/mlp/mlp.ipynb",)
    assert (course.root / "submitted/2412001/mlp/mlp.ipynb").read_text(encoding="utf-8") == NB[2]


def test_nbgrader_sees_the_collected_submissions(tmp_path, course):
    from nbgrader.apps import NbGraderAPI

    collect_zip(webclass_zip(tmp_path / "kadai2.zip"), course, "mlp", 2, deadline=DEADLINE)
    api = NbGraderAPI(coursedir=course.coursedir)
    assert api.get_submitted_students("mlp") == {"2412001", "2412002", "2412003", "2412010", "2412011"}
    # nbgrader keeps UTC: 21:00 JST is 12:00 UTC
    assert api.get_submitted_timestamp("mlp", "2412002") == datetime(2026, 11, 23, 12, 0)
    assert course.submitted_notebooks("mlp")[0] == course.root / "submitted/2412001/mlp/mlp.ipynb"


def test_the_collector_plugin_follows_nbgraders_contract():
    plugin = SubmissionNameCollector(notebook="mlp.ipynb", number=2)
    assert plugin.collect("/c/downloaded/mlp/extracted/2412001_山田太郎_2.ipynb") == {
        "student_id": "2412001", "file_id": "mlp.ipynb", "first_name": "", "last_name": "山田太郎"}
    assert plugin.collect("/c/extracted/2412001_山田太郎_3.ipynb") is None  # another assignment
    assert plugin.collect("/c/extracted/2412001_山田太郎_2.pdf") is None
    assert plugin.collect("/c/extracted/Untitled.ipynb") is None
    assert plugin.collect("/c/extracted/2412001 山田太郎/提出.ipynb")["student_id"] == "2412001"


# ------------------------------------------------------------------ names and times

@pytest.mark.parametrize("name, expected", [
    ("2412001_山田太郎_2.ipynb", ("2412001", "山田太郎", 2, None)),
    ("２４１２００１＿山田太郎＿２.ipynb", ("2412001", "山田太郎", 2, None)),
    ("2412001 _ 山田 太郎 _ 2.ipynb", ("2412001", "山田 太郎", 2, None)),
    ("2412001_山田太郎_2 (1).ipynb", ("2412001", "山田太郎", 2, 1)),
    ("2412001_山田_太郎_2.ipynb", ("2412001", "山田_太郎", 2, None)),
    ("2412001_山田太郎_課題2.ipynb", ("2412001", "山田太郎", 2, None)),
    ("B2412001_Yamada Taro_04.IPYNB", ("B2412001", "Yamada Taro", 4, None)),
    ("Copy_of_mlp_2.ipynb", None),
    ("Untitled0.ipynb", None),
    ("2412001_山田太郎.ipynb", None),
])
def test_parse_submission_name(name, expected):
    got = parse_submission_name(name)
    assert (got and (got.student_id, got.name, got.number, got.copy)) == expected


def test_parse_file_name_and_student_folders():
    assert parse_file_name("2412001_山田太郎_2.pdf")[1] == ".pdf"
    assert parse_file_name("2412001_山田太郎_2.ipynb.pdf")[0].number == 2
    assert parse_file_name("README")[1] == ""
    assert parse_student_folder("2412001_山田太郎") == ("2412001", "山田太郎")
    assert parse_student_folder("２４１２００１　山田太郎") == ("2412001", "山田太郎")
    assert parse_student_folder("2412001") == ("2412001", "")
    assert parse_student_folder("課題2") is None and parse_student_folder("kadai2") is None


def test_parse_time():
    assert parse_time("2026-11-23T23:59+09:00") == DEADLINE
    assert parse_time("2026-11-23 23:59") == DEADLINE  # no offset: Japan time
    assert parse_time("2026/11/23 23:59:00") == DEADLINE
    assert parse_time("2026-11-23T14:59:00Z") == DEADLINE
    assert parse_time("２０２６-11-23 14:59+0000") == DEADLINE
    assert parse_time("2026-11-23T23:59+09:00").utcoffset() == timedelta(hours=9)
    assert parse_time("2026-11-23 15:00-08:00").astimezone(timezone.utc).hour == 23
    for bad in ("2026-11-23", "tomorrow", "2026-13-01 10:00"):
        with pytest.raises(ValueError):
            parse_time(bad)

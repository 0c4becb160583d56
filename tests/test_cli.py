"""The command line: check (student), grade (instructor batch), inspect; through autograder.cli.main."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest

from autograder.cli import COMMANDS, build_parser, main
from autograder.testing import samples as s


def _write(tmp_path, name, nb):
    path = tmp_path / name
    path.write_text(s.dumps(nb), encoding="utf-8")
    return path


def test_every_command_has_help(capsys):
    for name in COMMANDS:
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0
        out = capsys.readouterr().out
        assert f"usage: autograder {name}" in out
        assert build_parser()._subparsers._group_actions[0].choices[name].description, name
    assert set(COMMANDS) >= {"check", "grade", "inspect"}
    assert build_parser().format_help()


def test_check_full_marks_exits_zero_in_japanese(tmp_path, capsys):
    path = _write(tmp_path, "2412345_山田太郎_2.ipynb", s.submission("mlp", seed=1))
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("課題2: MLP を作る")
    assert out.count("✓") == 7 and "✗" not in out
    assert "合計: 100/100 点" in out


def test_static_commands_start_numpy_with_one_blas_thread_unless_told(tmp_path, capsys, monkeypatch):
    """numpy's OpenBLAS threads cost ≈ 0.08 s of CPU at every start and the static path never uses them: check and
    grade ask for one, before numpy is imported; a number the user set is kept."""
    path = _write(tmp_path, "2412345_山田太郎_2.ipynb", s.submission("mlp", seed=1))
    for argv in (["check", str(path)], ["grade", "-a", "mlp", str(path)]):
        monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
        main(argv)
        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        monkeypatch.setenv("OPENBLAS_NUM_THREADS", "4")
        main(argv)
        assert os.environ["OPENBLAS_NUM_THREADS"] == "4"
    capsys.readouterr()


def test_check_failure_exits_one_with_hints_and_english(tmp_path, capsys):
    path = _write(tmp_path, "2412345_山田太郎_2.ipynb", s.submission("mlp", seed=1, gpu=False, accuracy=0.9))
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "✗ 0/20  テストデータの正解率が 0.95 以上" in out
    assert "T4 GPU" in out
    assert main(["check", str(path), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "Total: 70/100" in out and "test accuracy 0.9000 is below the threshold 0.95" in out


def test_check_takes_the_assignment_from_the_number_in_the_file_name(tmp_path, capsys):
    path = _write(tmp_path, "2412345_山田太郎_3.ipynb", s.submission("history", seed=1))
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().out.startswith("課題3")


def test_check_takes_the_assignment_from_metadata_then_fails_clearly(tmp_path, capsys):
    nb = s.submission("dropout", seed=1)
    nb["metadata"]["autograder"] = {"assignment": "dropout"}
    assert main(["check", str(_write(tmp_path, "kadai.ipynb", nb))]) == 0
    assert capsys.readouterr().out.startswith("課題4")
    plain = _write(tmp_path, "untitled.ipynb", s.submission("dropout", seed=1))
    assert main(["check", str(plain)]) == 2
    err = capsys.readouterr().err
    assert "どの課題か分かりません" in err and "perceptron" in err and "dropout" in err


def test_check_assignment_from_nbgrader_grade_id(tmp_path, capsys):
    nb = s.submission("perceptron", seed=1)
    nb["cells"][1]["metadata"]["nbgrader"] = {"grade_id": "perceptron_functions", "solution": True}
    assert main(["check", str(_write(tmp_path, "Untitled.ipynb", nb))]) == 0
    assert capsys.readouterr().out.startswith("課題1")


def test_check_hides_hidden_checks_and_says_more_exist(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('id = "t"\nnumber = 7\ntitle = "テスト"\ntotal_points = 30\n'
                    '[[checks]]\nid = "acc"\nkind = "test_accuracy"\ncategory = "accuracy"\npoints = 10\nmin = 0.9\n'
                    '[[checks]]\nid = "secret"\nkind = "test_accuracy"\ncategory = "accuracy"\npoints = 20\nmin = 0.999\n'
                    'hidden = true\ndescription = "ひみつ"\n', encoding="utf-8")
    path = _write(tmp_path, "a.ipynb", s.submission("mlp", seed=1))
    assert main(["check", str(path), "--assignment", str(spec)]) == 0  # the hidden check fails but is not shown
    out = capsys.readouterr().out
    assert "ひみつ" not in out and "0.999" not in out and "secret" not in out
    assert "提出後の採点で行うチェックが 1 個" in out
    assert main(["grade", str(path), "--assignment", str(spec), "--json", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [c["id"] for c in report["submissions"][0]["checks"]] == ["acc", "secret"]
    assert report["submissions"][0]["score"] == 10


def test_check_bad_file_exits_one(tmp_path, capsys):
    path = tmp_path / "2412345_山田_2.ipynb"
    path.write_bytes(b"")
    assert main(["check", str(path)]) == 1
    assert "ファイルが空です" in capsys.readouterr().out


def test_bad_spec_exits_two(tmp_path, capsys):
    spec = tmp_path / "bad.toml"
    spec.write_text('id = "t"\nnumber = 1\ntitle = "t"\ntotal_points = 5\n[[checks]]\nid = "a"\nkind = "nope"\n'
                    'category = "code"\npoints = 5\n', encoding="utf-8")
    assert main(["grade", "x.ipynb", "--assignment", str(spec)]) == 2
    assert "unknown kind 'nope'" in capsys.readouterr().err


def test_grade_batch_json_contract_csv_and_bad_files(tmp_path, capsys):
    good = _write(tmp_path, "2412001_青木_2.ipynb", s.submission("mlp", seed=1))
    cpu = _write(tmp_path, "2412002_石川_2.ipynb", s.submission("mlp", seed=2, gpu=False))
    (tmp_path / "2412003_上田_2.ipynb").write_bytes(b"%PDF-1.4")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub", "2412004_江藤_2.ipynb", s.submission("mlp", seed=4, keras3=False))
    out_json, out_csv = tmp_path / "r.json", tmp_path / "r.csv"
    code = main(["grade", "--assignment", "mlp", str(good), str(cpu), str(tmp_path / "2412003_上田_2.ipynb"),
                 str(tmp_path / "sub"), str(tmp_path / "missing_*.ipynb"), "--json", str(out_json), "--csv", str(out_csv)])
    assert code == 0
    table = capsys.readouterr().out
    assert "5 件: 採点 3、エラー 2" in table
    report = json.loads(out_json.read_text(encoding="utf-8"))
    assert report["assignment"] == "mlp"
    subs = report["submissions"]
    assert [x["file"] for x in subs] == [str(good), str(cpu), str(tmp_path / "2412003_上田_2.ipynb"),
                                         str(tmp_path / "sub" / "2412004_江藤_2.ipynb"), str(tmp_path / "missing_*.ipynb")]
    assert [x["status"] for x in subs] == ["graded", "graded", "error", "graded", "error"]
    assert [x["score"] for x in subs] == [100, 90, 0, 100, 0]
    assert [x["student_id"] for x in subs] == ["2412001", "2412002", "2412003", "2412004", None]
    first = subs[0]
    assert set(first) == {"file", "student_id", "status", "error", "score", "max_score", "checks", "gpu", "flags"}
    assert set(first["checks"][0]) == {"id", "category", "status", "points", "max_points", "message", "cell"}
    assert first["gpu"]["verdict"] == "gpu" and {"kind", "cell", "text"} == set(first["gpu"]["signals"][0])
    assert subs[1]["gpu"]["verdict"] == "cpu"
    assert "PDF" in subs[2]["error"] and subs[2]["checks"] == []
    raw = out_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:5] == ["file", "student_id", "status", "score", "max_score"]
    assert rows[0][5:-2] == ["summary_total_params", "compile_args", "fit_args", "history", "learning_curve",
                             "test_accuracy", "gpu"]
    assert rows[2][3] == "90" and rows[2][rows[0].index("gpu")] == "0"
    assert rows[3][2] == "error" and "PDF" in rows[3][-1]


def test_grade_english_messages(tmp_path, capsys):
    path = _write(tmp_path, "2412001_a_2.ipynb", s.submission("mlp", seed=1, accuracy=0.5))
    assert main(["grade", "-a", "mlp", str(path), "--json", "-", "--lang", "en"]) == 0
    report = json.loads(capsys.readouterr().out)
    msgs = {c["id"]: c["message"] for c in report["submissions"][0]["checks"]}
    assert msgs["test_accuracy"].startswith("test accuracy 0.5000 is below")


def test_not_executed_and_error_flags(tmp_path, capsys):
    nb = s.submission("mlp", seed=1)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    crashed = s.submission("mlp", seed=2)
    crashed["cells"].append(s.code("model.predict(x)", [s.error("KeyboardInterrupt", "")], count=40))
    paths = [_write(tmp_path, "2412001_a_2.ipynb", nb), _write(tmp_path, "2412002_b_2.ipynb", crashed)]
    assert main(["grade", "-a", "mlp", *map(str, paths), "--json", "-"]) == 0
    subs = json.loads(capsys.readouterr().out)["submissions"]
    assert [f["kind"] for f in subs[0]["flags"]] == ["not_executed"]
    assert "ランタイムを再起動" in subs[0]["flags"][0]["message"]
    assert subs[0]["score"] == 20  # only the two code checks: nothing that was not run earns output points
    assert [f["kind"] for f in subs[1]["flags"]] == ["error_output"]
    assert subs[1]["flags"][0]["cells"] == [len(crashed["cells"]) - 1]


def test_python_dash_m_and_console_script(tmp_path):
    path = _write(tmp_path, "2412345_山田太郎_2.ipynb", s.submission("mlp", seed=1))
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and "合計: 100/100 点" in done.stdout


def test_inspect_survives_a_cp932_file_name_on_strict_utf8_stdout(tmp_path):
    raw = "2412345_山田_2.ipynb".encode("cp932")
    path = bytes(tmp_path) + b"/" + raw
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(s.dumps(s.submission("mlp", seed=1)))
    env = {"PYTHONIOENCODING": "utf-8:strict", "PATH": "/usr/bin:/bin"}
    for extra in ([], ["--json"]):
        done = subprocess.run([sys.executable, "-m", "autograder", "inspect", *extra, str(tmp_path)],
                              capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert "2412345_山田_2.ipynb" in done.stdout

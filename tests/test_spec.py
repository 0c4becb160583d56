"""Specs: the four course specs load; instructor mistakes fail at load time with a clear message."""
from __future__ import annotations

import pytest

from autograder.errors import SpecError
from autograder.judge.spec import available, load_spec, parse_spec


def test_four_course_specs_load_and_add_up():
    assert set(available()) == {"perceptron", "mlp", "history", "dropout"}
    numbers = {}
    for sid in available():
        spec = load_spec(sid)
        assert sum(c.points for c in spec.checks) == spec.total_points == 100
        numbers[spec.number] = sid
    assert numbers == {1: "perceptron", 2: "mlp", 3: "history", 4: "dropout"}


def test_course_numbers_are_the_slides_numbers():
    assert load_spec("mlp").check("summary_total_params").params["total"] == 25450
    assert load_spec("mlp").check("summary_total_params").params["layer_params"] == [25120, 330]
    assert load_spec("history").check("summary_total_params").params["total"] == 101770
    assert load_spec("dropout").check("summary_total_params").params["total"] == 111146
    assert load_spec("mlp").check("test_accuracy").params["min"] == 0.95
    assert load_spec("history").check("test_accuracy").params["min"] == 0.86
    assert load_spec("dropout").check("test_accuracy").params["min"] == 0.87


def _spec(**check):
    base = {"id": "c1", "kind": "test_accuracy", "category": "accuracy", "points": 10, "min": 0.9}
    base.update(check)
    return {"id": "x", "number": 9, "title": "t", "total_points": 10, "checks": [base]}


@pytest.mark.parametrize("change, words", [
    ({"kind": "nope"}, "unknown kind 'nope'"),
    ({"category": "misc"}, "unknown category 'misc'"),
    ({"min": "high"}, "wrong type"),
    ({"min": -1}, "must not be negative"),
    ({"limit": 3}, "unknown parameter 'limit'"),
    ({"points": -2}, "bad points"),
])
def test_bad_specs_are_refused(change, words):
    with pytest.raises(SpecError) as info:
        parse_spec(_spec(**change), "my.toml")
    assert "my.toml" in str(info.value) and "c1" in str(info.value)
    assert words in str(info.value)


def test_points_must_add_up_to_the_total():
    with pytest.raises(SpecError) as info:
        parse_spec(_spec(points=5), "my.toml")
    assert "my.toml" in str(info.value) and "add up to 5, not total_points 10" in str(info.value)


def test_missing_required_parameter():
    raw = _spec()
    del raw["checks"][0]["min"]
    with pytest.raises(SpecError, match="'min' is required"):
        parse_spec(raw)


def test_fit_args_needs_at_least_one_argument():
    with pytest.raises(SpecError, match="one of epochs"):
        parse_spec({"id": "x", "number": 1, "title": "t", "total_points": 1,
                    "checks": [{"id": "f", "kind": "fit_args", "category": "code", "points": 1}]})


def test_duplicate_ids_and_unknown_top_level_key():
    raw = _spec()
    raw["checks"].append(dict(raw["checks"][0]))
    raw["total_points"] = 20
    with pytest.raises(SpecError, match="duplicate check id"):
        parse_spec(raw)
    with pytest.raises(SpecError, match="unknown key 'deadline'"):
        parse_spec(_spec() | {"deadline": "x"})


def test_unknown_assignment_lists_choices(tmp_path):
    with pytest.raises(SpecError, match="mlp"):
        load_spec("kadai9")
    bad = tmp_path / "bad.toml"
    bad.write_text("id = [", encoding="utf-8")
    with pytest.raises(SpecError, match="TOML"):
        load_spec(bad)

"""Read one cell's test-set results (evaluate progress lines, labelled prints, displayed values); standard library only.

Three sources, returned in order of appearance:

* ``progress``: an evaluate progress record (``313/313 [====] - 1s 4ms/step - loss: 0.1152 - accuracy: 0.9804``,
  Keras 3 ``━`` and verbose=2 forms, Keras 2.0 ``10000/10000 [====] - 5s`` without metrics) that is complete,
  ends its line, belongs to no training run, is no dataset download, and only when the cell's code calls
  ``.evaluate(``. Records without metrics are skipped when the code also calls ``.predict``. When the
  records and the ``.evaluate(`` calls are equally many they are paired in order and those evaluating
  training or validation data (first argument naming ``train``/``val``) are dropped; when they cannot be
  paired and some call evaluates such data, none is taken.
* ``print``: one Evaluation per printed line that carries a test label (``Test accuracy: 0.98``,
  ``test_loss: 0.129, test_acc: 0.962``, ``Test score:`` = a loss, ``テスト正解率 95.2%``, ``正解率:``,
  ``테스트 정확도:``, ``Accuracy Train: 99.58% , Test: 98.15%``), also with up to four words after a
  preposition between the label and a separator (``Test accuracy by model0: 0.7734``, ``… of the CNN = 0.98``).
  A "Test loss" line and the following
  "Test accuracy" line are two Evaluations; a line naming the same kind twice gives one per mention.
  Labels qualified by train/validation words, by comparisons (``vs``, ``gap``, ``std``, ``target``…) or
  other metrics (AUC, F1, …) are not test results. Prints of a cell whose every ``.evaluate(`` call
  evaluates training or validation data are not test results either, whatever their label says.
* ``value``: the displayed value of the cell's last statement when that is an ``.evaluate(`` call, a name
  assigned from one (in this cell or an earlier one: ``read.code.shown``), an index of it (``score[1]``,
  ``results['accuracy']``), ``accuracy_score(y_test, …)`` or a name bound to it, or ``print`` of these:
  ``[loss, accuracy]``, a dict with ``loss``, a bare loss, or the indexed element (``score[1]`` → accuracy);
  also ``print("accuracy:", {acc})`` (constant words, then the value, maybe in a one-item set/list/tuple) in its
  Python 3 form and Python 2's ``('test_acc:', 0.9817)``, and a displayed tuple of evaluate calls
  (``model.evaluate(…), loaded.evaluate(…)``) when every element shows the same numbers. A line the labelled-print
  reader already took is not taken again as a value.

An accuracy must lie in [0, 1] after a ``%`` is divided out; a number without ``%`` above 1 is never read
as a percentage. A value that cannot be an accuracy gives no Evaluation rather than a wrong number.
"""
from __future__ import annotations

import ast
import math
import re
from decimal import Decimal
from typing import NamedTuple

from autograder.model.evidence import Evaluation
from autograder.read.code import ParsedCell, parse_cell
from autograder.read.code.shown import Results, _is_evaluate, _shown, bound_names, result_names
from autograder.read.outputs.fitlog import COUNTER, HEADER, NUMBER, Record, scan_records
from autograder.read.outputs.fitlog import ERROR_LINE as _ERROR_LINE

__all__ = ["parse_evaluations", "result_names"]

MAX_LINE = 2000  # longer lines are data dumps, not labelled prints
_ACC_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")

# ---------------------------------------------------------------- labels of printed results

_TEST = r"(?:test(?:ing)?(?![a-z])|テスト|테스트)"
_SET = r"(?:[ _]?(?:set|data(?:set)?|images?|samples?)(?![a-z])|\s?データ(?:セット)?|\s?데이터(?:셋)?)?"
_OF = r"(?:\s?(?:の|に対する|での|에\s?대한|의))?"
_ACC_WORDS = r"acc(?:uracy)?(?![a-z])|正解率|精度|正答率|認識率|識別率|정확도"
_LOSS_WORDS = r"loss(?![a-z])|損失|손실"
_CJK_ACC = r"正解率|精度|正答率|認識率|識別率|정확도"
_LABEL = re.compile(
    rf"(?P<f1>{_TEST}{_SET}{_OF}[ _-]?(?P<m1>{_ACC_WORDS}|{_LOSS_WORDS}|score(?![a-z])))"
    rf"|(?P<f2>(?P<m2>{_ACC_WORDS}|{_LOSS_WORDS})\s(?:on|for|of|with|in)\s(?:the\s)?{_TEST}{_SET})"
    rf"|(?P<f3>{_CJK_ACC})"
    rf"|(?P<f4>(?<!\w)test(?:ing)?(?!\w))",
    re.IGNORECASE,
)
_AFTER = re.compile(
    r"(?:\s+(?P<words>(?:by|of|for|with|using|from|on|in)\s+[^\s:=：]{1,30}(?:\s+[^\s:=：]{1,30}){0,3}))?"
    r"\s*(?:[(（](?P<paren>[^)）]{0,12})[)）])?\s*(?P<sep>[:=：]|\bis\b|は|는|은)?\s*"
    rf"(?P<num>{NUMBER})(?P<pct>\s*[%％])?",
    re.IGNORECASE,
)
_ACC_RE = re.compile(_ACC_WORDS, re.IGNORECASE)
_LOSS_RE = re.compile(_LOSS_WORDS, re.IGNORECASE)
_SEGMENT_BREAK = re.compile(r"[,;|]")
_DENY = re.compile(
    r"\b(?:vs|versus|train\w*|val|valid\w*|dev|correlation|corr|gap|diff\w*|change|improv\w*|delta|error|std|"
    r"auc|roc|f1|precision|recall|top|ratio|target|goal|expected|required|min(?:imum)?|"
    r"threshold|reference)\b",
    re.IGNORECASE,
)
_DENY_CJK = re.compile(r"訓練|学習|検証|훈련|학습|검증|트레이닝|train|val", re.IGNORECASE)
_TARGET_CJK = re.compile(r"目標|基準|閾値|しきい値|목표|기준")
_VALUE_END = re.compile(r"[\s,;(|/)、。）]|[^\x00-\x7f0-9０-９]")
_QUICK = re.compile(r"test|テスト|테스트|正解率|精度|正答率|認識率|識別率|정확도", re.IGNORECASE)
_QUICK_WORDS = ("test", "テスト", "테스트", "正解率", "精度", "正答率", "認識率", "識別率", "정확도")


def _may_have_label(text: str) -> bool:
    """False only when ``_QUICK`` cannot match; a case-insensitive regex scan of a long log is slow, ``lower()``
    and ``in`` are not. "ſ" (U+017F) is the one character that IGNORECASE matches to t, e or s besides T, E, S."""
    if "\u017f" in text:
        return True
    low = text.lower()
    return any(w in low for w in _QUICK_WORDS)


def _pairs(line: str) -> list[tuple[str, str, bool]]:
    """(kind, number as printed, percent) for every test label followed by a number in ``line``."""
    out: list[tuple[str, str, bool]] = []
    seg_start = 0
    for m in _LABEL.finditer(line):
        breaks = [b.end() for b in _SEGMENT_BREAK.finditer(line, seg_start, m.start())]
        if breaks:
            seg_start = breaks[-1]
        prefix = line[seg_start:m.start()]
        kind = _kind(m, line, prefix)
        if kind is None:
            continue
        after = _AFTER.match(line, m.end())
        if after is None or not _value_ends(line, after):
            continue
        if after.group("words") and (not after.group("sep") or _DENY.search(after.group("words"))):
            continue  # "Test accuracy by model0: 0.77" needs its separator; "… of the train set: …" is no test
        if m.group("f4") and not after.group("sep"):
            continue
        percent = bool(after.group("pct")) or "%" in (after.group("paren") or "")
        out.append((kind, after.group("num"), percent))
        seg_start = after.end()
    return out


def _kind(m: re.Match[str], line: str, prefix: str) -> str | None:
    """"accuracy" or "loss" for an acceptable label, None for one that is not a test result."""
    if _DENY.search(prefix) or _TARGET_CJK.search(prefix) or len(prefix.split()) > 4:
        return None
    if m.group("f1") or m.group("f2"):
        word = (m.group("m1") or m.group("m2")).lower()
        return "loss" if _LOSS_RE.fullmatch(word) or word == "score" else "accuracy"
    if m.group("f3"):
        return None if _DENY_CJK.search(prefix) else "accuracy"
    if prefix.strip():  # a bare "Test:" must start its segment
        return None
    has_acc, has_loss = bool(_ACC_RE.search(line)), bool(_LOSS_RE.search(line))
    if has_acc != has_loss:
        return "accuracy" if has_acc else "loss"
    return None


def _value_ends(line: str, after: re.Match[str]) -> bool:
    """The number ends the value: end of line, a separator or Japanese/Korean text (``0.9812 です``);
    never ``1 : 0.9`` read as 1, nor ``0.98s``."""
    rest = line[after.end():]
    if rest and not _VALUE_END.match(rest):
        return False
    return bool(after.group("sep")) or not rest.lstrip().startswith((":", "=", "："))


def _accuracy(number: str, percent: bool) -> float | None:
    value = float(Decimal(number) / 100) if percent else float(number)  # "97.85%" → 0.9785 exactly
    return value if 0.0 <= value <= 1.0 else None


def _loss(number: str, percent: bool) -> float | None:
    value = float(number)
    return None if percent or not math.isfinite(value) or value < 0 else value


def _print_evaluations(text: str) -> list[tuple[int, Evaluation]]:
    found: list[tuple[int, Evaluation]] = []
    if not _may_have_label(text) or not _QUICK.search(text):
        return found
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if len(line) > MAX_LINE or not _QUICK.search(line) or COUNTER.search(line) or HEADER.search(line):
            continue
        group: dict[str, float] = {}
        groups: list[dict[str, float]] = []
        for kind, value, percent in _pairs(line):
            number = _accuracy(value, percent) if kind == "accuracy" else _loss(value, percent)
            if number is None:
                continue
            if kind in group:
                groups.append(group)
                group = {}
            group[kind] = number
        if group:
            groups.append(group)
        for g in groups:
            found.append((start, Evaluation(source="print", text=line.strip(),
                                            accuracy=g.get("accuracy"), loss=g.get("loss"))))
    return found


# ---------------------------------------------------------------- the cell's code

_DATA_NOT_TEST = re.compile(r"train|(?<![a-z])val(?:id\w*)?(?![a-z])", re.IGNORECASE)


class _Code:
    """The cell's code, parsed only when a candidate needs it, or the ``ParsedCell`` the code analysis parsed."""

    def __init__(self, source: str, parsed: ParsedCell | None = None):
        self.source = source
        self._cell = parsed
        self._tree: ast.Module | None = None
        self._parsed = False

    @property
    def tree(self) -> ast.Module | None:
        if self._cell is not None:
            return self._cell.tree
        if not self._parsed:
            self._tree, self._parsed = parse_cell(self.source), True
        return self._tree

    def evaluate_calls(self) -> tuple[ast.Call, ...] | list[ast.Call]:
        """The cell's ``.evaluate(`` calls in source order (kept on the ``ParsedCell``); none when it cannot be parsed."""
        if self._cell is not None:
            return self._cell.evaluate_calls(_is_evaluate)
        return _evaluate_calls(self.tree) if self.tree is not None else []


def _not_test_data(call: ast.Call) -> bool:
    """The call evaluates training or validation data (``evaluate(x_train, …)``, ``evaluate(x=X_val)``)."""
    arg = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "x"), None)
    if arg is None:
        return False
    try:
        name = ast.unparse(arg)
    except Exception:  # pragma: no cover - unparse of a parsed node does not fail in practice
        return False
    return "test" not in name.lower() and bool(_DATA_NOT_TEST.search(name))


def _only_non_test_data(code: _Code) -> bool:
    """Every ``.evaluate(`` call of the cell evaluates training or validation data."""
    calls = code.evaluate_calls()
    return bool(calls) and all(_not_test_data(c) for c in calls)


def _evaluate_calls(tree: ast.Module) -> list[ast.Call]:
    calls = [n for n in ast.walk(tree) if _is_evaluate(n)]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


class _Target(NamedTuple):
    """What a cell's last statement shows of evaluate results: the call and item (None: the whole result), the
    words printed before it (``print("accuracy:", {acc})`` → ``accuracy:``), or, for a displayed tuple of
    evaluate calls (``model.evaluate(…), loaded.evaluate(…)``), all of them."""

    call: ast.Call
    item: int | None
    label: str | None = None
    calls: tuple[ast.Call, ...] = ()


def _labelled(expr: ast.AST) -> tuple[str, ast.AST] | None:
    """``print("label", x)`` (the words constant, one value last, maybe in a one-item ``{x}``/``(x,)``/``[x]``):
    the words and ``x``."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "print"
            and len(expr.args) >= 2 and not expr.keywords):
        return None
    *words, value = expr.args
    if not all(isinstance(w, ast.Constant) and isinstance(w.value, str) for w in words):
        return None
    if isinstance(value, (ast.Set, ast.Tuple, ast.List)) and len(value.elts) == 1:
        value = value.elts[0]
    return " ".join(str(w.value) for w in words if isinstance(w, ast.Constant)), value


def _display_target(tree: ast.Module, earlier: Results | None = None) -> _Target | None:
    """What the cell's last statement shows of an evaluate result: of this cell, or of a name bound earlier."""
    if not tree.body or not isinstance(tree.body[-1], ast.Expr):
        return None
    expr, names = tree.body[-1].value, bound_names(tree, earlier, last=False)
    if isinstance(expr, ast.Tuple) and len(expr.elts) > 1 and all(_is_evaluate(e) for e in expr.elts):
        calls = tuple(e for e in expr.elts if isinstance(e, ast.Call))
        return _Target(calls[0], None, None, calls)
    labelled = _labelled(expr)
    shown = _shown(labelled[1] if labelled else expr, names)
    if shown is None:
        return None
    return _Target(shown[0], shown[1], labelled[0] if labelled else None)


# ---------------------------------------------------------------- displayed values

_WRAPPED = re.compile(r"(?:np|numpy)\.float(?:16|32|64)\(\s*(" + NUMBER + r")\s*\)")
_SCALAR_LINE = re.compile(rf"\s*({NUMBER})\s*")
_LIST_LINE = re.compile(rf"\s*\[\s*({NUMBER})\s*,\s*({NUMBER})\s*\]\s*")
_DICT_ITEM = re.compile(rf"['\"](\w+)['\"]\s*:\s*({NUMBER})")
_FLOAT = re.compile(r"[.eE]|nan|inf")
_VALUE_SHAPE = re.compile(r"\s*(?:\[[^\[\]]*\]|\{[^{}]*\}|[-+]?\d[\d.e+-]*|(?:np|numpy)\.float\d+\([^()]*\))\s*")


def _unwrap(line: str) -> str:
    return _WRAPPED.sub(r"\1", line) if "float" in line else line


def _value_numbers(line: str, index: int | None) -> tuple[float | None, float | None] | None:
    """(loss, accuracy) shown on ``line`` for the whole result (index None) or its item ``index``."""
    plain = _unwrap(line)
    scalar = _SCALAR_LINE.fullmatch(plain)
    if scalar and not _FLOAT.search(scalar.group(1)):
        scalar = None  # evaluate returns floats; "10000" is something else
    if index is not None:
        if not scalar:
            return None
        value = float(scalar.group(1))
        return (value, None) if index == 0 else (None, value)
    pair = _LIST_LINE.fullmatch(plain)
    if pair:
        return float(pair.group(1)), float(pair.group(2))
    if scalar:
        return float(scalar.group(1)), None
    stripped = plain.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        items = {k: float(v) for k, v in _DICT_ITEM.findall(stripped)}
        if "loss" in items:
            acc = next((items[k] for k in _ACC_KEYS if k in items), None)
            return items["loss"], acc
    return None


def _value_lines(text: str) -> list[tuple[int, str]]:
    """(offset, line) of lines that could be a displayed evaluate result, last first."""
    out: list[tuple[int, str]] = []
    pos = 0
    for line in text.split("\n"):
        if len(line) <= MAX_LINE and _VALUE_SHAPE.fullmatch(line):
            out.append((pos, line))
        pos += len(line) + 1
    out.reverse()
    return out


_ONE_ITEM = re.compile(rf"\s*[{{(\[]\s*({NUMBER})\s*,?\s*[}})\]]\s*")
_ELEMENT = re.compile(r"\[[^\[\]]*\]|\{[^{}]*\}")


def _labelled_lines(text: str, label: str) -> list[tuple[int, str, str]]:
    """(offset, value, line) of the lines a ``print(label, x)`` wrote, last first: ``accuracy: {0.312}`` (the value in a
    one-item set/tuple/list unwrapped) and Python 2's tuple ``('test_acc:', 0.9817)``."""
    out: list[tuple[int, str, str]] = []
    py2 = re.compile(r"\(\s*(['\"])" + re.escape(label) + r"\1\s*,\s*(.*)\)\s*")
    pos = 0
    for line in text.split("\n"):
        if len(line) <= MAX_LINE:
            rest = None
            if line.startswith(label + " "):
                rest = line[len(label) + 1:]
            else:
                m = py2.fullmatch(line)
                rest = m.group(2) if m else None
            if rest is not None:
                one = _ONE_ITEM.fullmatch(rest)
                out.append((pos, one.group(1) if one else rest, line))
        pos += len(line) + 1
    out.reverse()
    return out


def _tuple_evaluations(text: str, count: int) -> list[tuple[int, Evaluation]]:
    """A displayed tuple of ``count`` evaluate results (``({'loss': …, 'acc': 0.9795}, {…})`` or lists): one
    result, only when every element shows the same numbers (the same model saved and loaded again); else none."""
    start = text.rfind("(")
    if start < 0 or not text.rstrip().endswith(")"):
        return []
    elements = _ELEMENT.findall(text[start:])
    if len(elements) != count:
        return []
    numbers = {_value_numbers(e, None) for e in elements}
    if len(numbers) != 1:
        return []
    found = numbers.pop()
    if found is None:
        return []
    loss, acc = found
    if (acc is not None and not 0.0 <= acc <= 1.0) or (loss is not None and (not math.isfinite(loss) or loss < 0)):
        return []
    return [(start, Evaluation(source="value", text=" ".join(text[start:].split()), accuracy=acc, loss=loss))]


def _value_evaluations(text: str, code: _Code, earlier: Results | None = None) -> list[tuple[int, Evaluation]]:
    if _ERROR_LINE.search(text):
        return []  # a cell that failed displays no value
    target = _display_target(code.tree, earlier) if code.tree is not None else None
    if target is None or any(_not_test_data(c) for c in (target.calls or (target.call,))):
        return []
    if target.calls:
        return _tuple_evaluations(text, len(target.calls))
    candidates = _labelled_lines(text, target.label) if target.label is not None else \
        [(offset, line, line) for offset, line in _value_lines(text)]
    for offset, value, line in candidates:
        numbers = _value_numbers(value, target.item)
        if numbers is None:
            continue
        loss, acc = numbers
        if acc is not None and not 0.0 <= acc <= 1.0:
            return []
        if loss is not None and (not math.isfinite(loss) or loss < 0):
            loss = None
        if loss is None and acc is None:
            return []
        return [(offset, Evaluation(source="value", text=line.strip(), accuracy=acc, loss=loss))]
    return []


# ---------------------------------------------------------------- progress lines

def _is_download(rec: Record) -> bool:
    return rec.after_download or (rec.total is not None and rec.total >= 1_000_000)


def _progress_candidates(text: str, source: str) -> list[Record]:
    records = [r for r in scan_records(text)
               if not r.in_fit and r.done is not None and r.complete and r.line_end and not _is_download(r)]
    if ".predict" in source:
        records = [r for r in records if r.metrics]
    return records


def _progress_evaluations(text: str, code: _Code) -> list[tuple[int, Evaluation]]:
    if "/" not in text:
        return []
    records = _progress_candidates(text, code.source)
    if not records:
        return []
    if code.tree is not None:
        excluded = [_not_test_data(c) for c in code.evaluate_calls()]
        if len(excluded) == len(records):
            records = [r for r, skip in zip(records, excluded, strict=True) if not skip]
        elif any(excluded):
            return []
    found: list[tuple[int, Evaluation]] = []
    for rec in records:
        acc = next((rec.metrics[k] for k in _ACC_KEYS if k in rec.metrics), None)
        if acc is not None and not 0.0 <= acc <= 1.0:
            continue
        found.append((rec.start, Evaluation(source="progress", text=rec.text, accuracy=acc,
                                            loss=rec.metrics.get("loss"))))
    return found


def parse_evaluations(text: str, source: str, earlier: Results | None = None,
                      parsed: ParsedCell | None = None) -> list[Evaluation]:
    """Test-set results shown in one cell (``text`` = ``Cell.text``, ``source`` = ``Cell.source``), in order;
    ``earlier``: the names bound to evaluate results by the cells before (``result_names``), for a result shown
    later from a variable (``score`` or ``print(score)`` in a later cell). ``parsed``: the cell's ``ParsedCell``
    (of this ``source``), whose tree and evaluate calls the code analysis already made."""
    if not text:
        return []
    code = _Code(source or "", parsed if parsed is not None and parsed.source == (source or "") else None)
    found = _print_evaluations(text)
    if ".evaluate(" in code.source:
        if found and _only_non_test_data(code):
            found = []  # ``evaluate(x_train, …)`` then ``print("Test accuracy:", …)``: mislabelled
        found += _progress_evaluations(text, code) + _value_evaluations(text, code, earlier)
    elif earlier or "accuracy_score" in code.source:
        found += _value_evaluations(text, code, earlier)
    printed = {offset for offset, e in found if e.source == "print"}
    found = [(offset, e) for offset, e in found if e.source != "value" or offset not in printed]  # read once
    found.sort(key=lambda f: f[0])
    return [e for _, e in found]

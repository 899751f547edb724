"""The admin pages' forms as data: each field of a vehicle or a facility is one `Field`
(its column, label, kind and limits), read and checked by `read_form`, which returns the
values by column and every problem beside its field, in Chinese. The templates draw the
same list, so a new column (a vehicle's insurance date) is one more `Field` here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

REQUIRED = "请填写{label}。"
CHOOSE = "请选择{label}。"
TOO_LONG = "{label}最多{n}个字。"
NUMBER = "{label}请填写{low}到{high}之间的整数。"
BAD_CHOICE = "{label}不在可选范围内，请重新选择。"
BAD_TIME = "{label}请按“时:分”填写，例如 08:00。"
BAD_DATE = "{label}请按“年-月-日”填写，例如 2027-03-31。"
BAD_PATTERN = "{label}格式不对：{hint}"
MONEY = "{label}请填写0或以上的金额，最多两位小数，例如 6800 或 450.50。"
MONEY_HIGH = "{label}最多{high:,}元，请核对。"
LIST_ITEMS = "{label}最多{n}项，每项最多{m}个字，用顿号或逗号分开。"

_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_SPLIT = re.compile(r"[、，,;；\n]+")


@dataclass(frozen=True, slots=True)
class Field:
    """One form field and the column it fills. `kind`: text, int, bool (a checkbox),
    choice (a select of `choices[name]`), time (HH:MM), date (YYYY-MM-DD), money (yuan,
    0 to `high`, two decimals: a Decimal) or list (text split at 、，,; into items). `fixed`: set when adding, shown read-only after."""

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    max_length: int = 64
    low: int = 1
    high: int = 99
    pattern: str = ""
    hint: str = ""
    fixed: bool = False
    max_items: int = 20

    @property
    def input_type(self) -> str:
        return {"int": "number", "time": "time", "date": "date"}.get(self.kind, "text")

    @property
    def input_mode(self) -> str:
        return {"int": "numeric", "money": "decimal"}.get(self.kind, "")


def show(field: Field, value: Any) -> str:
    """A column's value as the form shows it."""
    if value is None:
        return ""
    if field.kind == "bool":
        return "on" if value else ""
    if field.kind == "list":
        return "、".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_values(fields: Sequence[Field], row: Any) -> dict[str, str]:
    """A row's values as the form fields show them (`row.driver` etc. already userids)."""
    return {f.name: show(f, getattr(row, f.name, None)) for f in fields}


def read_form(fields: Sequence[Field], form: Mapping[str, str],
              choices: Mapping[str, Sequence[tuple[str, str]]], *,
              adding: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """(values by column, problems by field). A `fixed` field is read only when adding."""
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for f in fields:
        if f.fixed and not adding:
            continue
        raw = form.get(f.name, "").strip()
        try:
            values[f.name] = _read(f, raw, choices)
        except ValueError as e:
            problems[f.name] = str(e)
    return values, problems


def _read(f: Field, raw: str, choices: Mapping[str, Sequence[tuple[str, str]]]) -> Any:
    label = f.label
    if f.kind == "bool":
        return raw not in ("", "0", "off")
    if not raw:
        if f.required:
            raise ValueError((CHOOSE if f.kind == "choice" else REQUIRED).format(label=label))
        return [] if f.kind == "list" else (None if f.kind in ("choice", "int", "date", "money")
                                            else "")
    if f.kind == "int":
        if not re.fullmatch(r"-?\d{1,9}", raw) or not f.low <= int(raw) <= f.high:
            raise ValueError(NUMBER.format(label=label, low=f.low, high=f.high))
        return int(raw)
    if f.kind == "money":
        raw = raw.replace(",", "").replace("，", "").removesuffix("元").strip()
        if not re.fullmatch(r"\d{1,12}(\.\d{1,2})?", raw):
            raise ValueError(MONEY.format(label=label))
        if Decimal(raw) > f.high:
            raise ValueError(MONEY_HIGH.format(label=label, high=f.high))
        return Decimal(raw).quantize(Decimal("0.01"))
    if f.kind == "choice":
        if raw not in {v for v, _ in choices.get(f.name, ())}:
            raise ValueError(BAD_CHOICE.format(label=label))
        return raw
    if f.kind == "time":
        m = _TIME.match(raw)
        if m is None or int(m[1]) > 24 or int(m[2]) > 59 or (int(m[1]) == 24 and m[2] != "00"):
            raise ValueError(BAD_TIME.format(label=label))
        return f"{int(m[1]):02}:{m[2]}"
    if f.kind == "date":
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError(BAD_DATE.format(label=label)) from None
    if f.kind == "list":
        items = [i.strip() for i in _SPLIT.split(raw) if i.strip()]
        if len(items) > f.max_items or any(len(i) > f.max_length for i in items):
            raise ValueError(LIST_ITEMS.format(label=label, n=f.max_items, m=f.max_length))
        return list(dict.fromkeys(items))
    if len(raw) > f.max_length:
        raise ValueError(TOO_LONG.format(label=label, n=f.max_length))
    if f.pattern and not re.fullmatch(f.pattern, raw):
        raise ValueError(BAD_PATTERN.format(label=label, hint=f.hint))
    return raw

"""The NLU's whole output on every sentence we have, to prove a speed change changes nothing.

Run from the repository root:

    .venv/bin/python bench/nlu_golden.py --write /tmp/nlu-golden.txt   # before a change
    .venv/bin/python bench/nlu_golden.py --check /tmp/nlu-golden.txt   # after it: exit 1 on any change

The sentences: every labelled set (`../shared/nlu/dev.jsonl`, `tests/nlp/*.jsonl`), every
string literal with a letter in it under `tests/` (the sentences the unit tests parse) and
the bench's messages. Each is read at two fixed moments by `parse`, by `parse_as` for the
services a dialogue asks about, and again by an Nlu that knows the demo organisation's
names (`add_words`). What is written is everything a Parse holds (the §6 `to_dict` and the
rest: confidence, day_said, words, extra, parts, context, typed values with their zones), one
line per reading. The file goes outside the repository.

`tests/nlp/unseen2.jsonl` stays unseen (CONTRACT of the held-out set): its readings are
written as hashes only, and `--check` reports how many of them changed, never which.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import hashlib
import json
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp import Nlu  # noqa: E402
from nlp.types import Intent, Parse  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOWS = (datetime(2026, 11, 27, 10, 0, tzinfo=TZ), datetime(2026, 12, 31, 22, 45, tzinfo=TZ))
AS_INTENTS = (Intent.VEHICLE_BOOKING, Intent.FACILITY_RESERVATION, Intent.REPAIR_REQUEST,
              Intent.ASSET_REQUEST, Intent.SERVICE_BUNDLE)
HIDDEN = "unseen2.jsonl"


def _value(v: Any) -> Any:
    if isinstance(v, Parse):
        return dump(v)
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: _value(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, Enum):
        return str(v.value)
    if isinstance(v, dict):
        return {str(k): _value(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_value(x) for x in v]
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return repr(v)  # datetimes with their zone, dates, timedeltas


def dump(p: Parse) -> dict[str, Any]:
    """Everything a Parse holds, plus its contract rendering."""
    out = {f.name: _value(getattr(p, f.name)) for f in dataclasses.fields(p)}
    out["to_dict"] = p.to_dict()
    return out


def _literals() -> list[str]:
    """String literals with a letter in them from the tests: the sentences they parse."""
    found: list[str] = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                s = node.value
                if 0 < len(s) <= 600 and any(c.isalpha() for c in s):
                    found.append(s)
    return found


def corpora() -> Iterator[tuple[str, list[str]]]:
    sets = [ROOT.parent / "shared" / "nlu" / "dev.jsonl", *sorted((ROOT / "tests" / "nlp").glob("*.jsonl"))]
    for path in sets:
        texts = [str(json.loads(line).get("text", "")) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        yield path.name, texts
    yield "test-literals", sorted(set(_literals()))
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_nlu import MESSAGES  # noqa: PLC0415 - the bench's own list
    yield "bench", list(MESSAGES)


def org_words() -> list[tuple[str, str]]:
    data = yaml.safe_load((ROOT / "bot" / "demo" / "organisation.yaml").read_text(encoding="utf-8"))
    words = {(str(f["name"]), "facility") for f in data.get("facilities", [])}
    words |= {(str(f["building"]), "building") for f in data.get("facilities", []) if f.get("building")}
    words |= {(str(v["plate"]), "plate") for v in data.get("vehicles", [])}
    return sorted(words)


def readings() -> Iterator[tuple[str, str]]:
    """(corpus name, one JSON line) for every reading, in a fixed order."""
    cache = tempfile.mkdtemp(prefix="nlu-golden-")
    plain = Nlu(cache_dir=cache)
    plain.warm()
    org = Nlu(cache_dir=cache)
    org.add_words(org_words())
    org.warm()
    for name, texts in corpora():
        for i, text in enumerate(texts):
            for k, now in enumerate(NOWS):
                rows: list[Any] = [dump(plain.parse(text, now))]
                if k == 0:
                    rows += [dump(plain.parse_as(text, now, intent)) for intent in AS_INTENTS]
                    rows.append(dump(org.parse(text, now)))
                line = json.dumps({"set": name, "i": i, "now": k, "text": text, "out": rows},
                                  ensure_ascii=False, sort_keys=True)
                if name == HIDDEN:
                    line = json.dumps({"set": name, "i": i, "now": k,
                                       "sha": hashlib.sha256(line.encode()).hexdigest()})
                yield name, line


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", metavar="FILE")
    g.add_argument("--check", metavar="FILE")
    args = ap.parse_args()
    lines = list(readings())
    if args.write:
        Path(args.write).write_text("".join(line + "\n" for _, line in lines), encoding="utf-8")
        print(f"wrote {len(lines)} readings to {args.write}")
        return 0
    old = Path(args.check).read_text(encoding="utf-8").splitlines()
    if len(old) != len(lines):
        print(f"{len(old)} readings in {args.check}, {len(lines)} now: the sentences changed")
        return 1
    changed: dict[str, list[int]] = {}
    for (name, new), was in zip(lines, old, strict=True):
        if new != was:
            changed.setdefault(name, []).append(json.loads(new)["i"])
    if not changed:
        print(f"identical: {len(lines)} readings")
        return 0
    for name, idx in changed.items():
        shown = "" if name == HIDDEN else f" (items {sorted(set(idx))[:10]})"
        print(f"{name}: {len(idx)} readings changed{shown}")
    return 1


if __name__ == "__main__":
    sys.exit(main())

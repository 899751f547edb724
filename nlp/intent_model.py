"""A small statistical intent model: the second opinion where the rules found nothing.

Multinomial naive Bayes over character n-grams (1–3 characters of the normalised
text, digits folded to 0, text edges marked) and Latin words, trained by
`make intent-model` (`main` below) from the labelled corpora the project keeps
(`TRAIN_FILES`) and written to `intent_model.json` beside this file, which is
committed; nothing is downloaded or trained at run time. The rules stay the first
pass (`nlp.intents.classify`); `nlp.nlu` asks the model only when they matched
nothing in the whole message (`Verdict.confidence` ≤ `UNSURE`) and takes its answer
when its tempered posterior reaches the threshold that leave-one-corpus-out
cross-validation on the training corpora chose (`choose_threshold`; both stored in
the model file). The slots still come from the extractors of the intent chosen.

Why naive Bayes by hand: see `nlp/README.md` (scikit-learn measured).
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

MODEL_PATH = Path(__file__).with_name("intent_model.json")
ROOT = Path(__file__).resolve().parent.parent
# The labelled corpora the model learns from (all in the repo, all seen by the rules).
# Never a glob: the held-out sets the coordinator scores must stay out of training.
TRAIN_FILES = (
    "tests/nlp/heldout.jsonl",
    "tests/nlp/fresh.jsonl",
    "tests/nlp/fresh_tail.jsonl",
    "tests/nlp/dev_families2.jsonl",
    "tests/nlp/dev_families3.jsonl",
    "tests/nlp/unseen.jsonl",
    "tests/nlp/assets_heldout.jsonl",
)
UNSURE = 0.4
"""Verdicts at or below this confidence are the rules' "nothing matched": the model is asked."""
ALPHA = 0.3
MIN_COUNT = 2

MIN_CHARS = 4
"""A message must say this much besides times and numbers for the model to read it: a
fragment (后天出发, 换成305, 行政楼2201) is a flow's follow-up, not a request."""
_NOT_CONTENT = re.compile(r"[\W\d_\x00]+")  # \x00: the times blanked out (nlp.slots.MASK)
_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[a-z][a-z']+")
_SPACE = re.compile(r"\s+")


def features(norm: str) -> list[str]:
    """The n-grams of normalised text `norm`: characters 1–3 (digits folded, edges
    marked with ^ and $) and its Latin words (w:…)."""
    t = "^" + _SPACE.sub(" ", _DIGITS.sub("0", norm)).strip() + "$"
    n = len(t)
    out = [t[i] for i in range(1, n - 1)]
    out += [t[i:i + 2] for i in range(n - 1)]
    out += [t[i:i + 3] for i in range(n - 2)]
    out += ["w:" + w for w in _LATIN.findall(norm)]
    return out


class IntentModel:
    """The trained model: per class a prior and a smoothed base, per feature the classes
    it was seen with (sparse), and the threshold chosen for it."""

    __slots__ = ("classes", "prior", "base", "table", "threshold", "temperature")

    def __init__(self, classes: Sequence[str], prior: Sequence[float], base: Sequence[float],
                 table: dict[str, list[tuple[int, float]]], threshold: float = 1.0,
                 temperature: float = 1.0) -> None:
        self.classes = tuple(classes)
        self.prior = tuple(prior)
        self.base = tuple(base)
        self.table = table
        self.threshold = threshold
        self.temperature = temperature

    def predict(self, norm: str) -> tuple[str, float]:
        """The most likely intent of normalised text `norm` and its posterior, tempered
        (naive Bayes counts every overlapping n-gram as independent evidence, so its raw
        posteriors are nearly always 0 or 1; dividing the log-scores by `temperature`
        makes the threshold mean something)."""
        table = self.table
        scores = list(self.prior)
        k = 0
        for f in features(norm):
            row = table.get(f)
            if row is None:
                continue
            k += 1
            for c, w in row:
                scores[c] += w
        for c, b in enumerate(self.base):
            scores[c] += k * b
        top = max(scores)
        temp = self.temperature
        exps = [math.exp((s - top) / temp) for s in scores]
        best = exps.index(1.0)
        return self.classes[best], 1.0 / sum(exps)

    def second_opinion(self, norm: str, masked: str) -> tuple[str, float] | None:
        """The intent the model reads in a message the rules matched nothing in (normalised
        text `norm`, `masked` with its times blanked) and its posterior, when it is one of
        ours and reaches the threshold; None for fragments and for its own "unknown"."""
        if len(_NOT_CONTENT.sub("", masked)) < MIN_CHARS:
            return None
        name, p = self.predict(norm)
        return (name, p) if name != "unknown" and p >= self.threshold else None

    def to_json(self) -> dict[str, object]:
        return {"classes": self.classes, "prior": self.prior, "base": self.base, "threshold": self.threshold,
                "temperature": self.temperature,
                "table": {f: [[c, round(w, 4)] for c, w in row] for f, row in sorted(self.table.items())}}


def train(samples: Iterable[tuple[str, str]]) -> IntentModel:
    """Naive Bayes from (normalised text, intent) pairs: Laplace smoothing ALPHA, features
    seen fewer than MIN_COUNT times dropped. A feature's weight for a class is
    log((n + α) / α), the rest of its smoothed log-probability is the class's `base`."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    docs: Counter[str] = Counter()
    for norm, intent in samples:
        docs[intent] += 1
        for f in features(norm):
            counts[f][intent] += 1
    kept = {f: c for f, c in counts.items() if sum(c.values()) >= MIN_COUNT}
    classes = sorted(docs)
    vocab = len(kept)
    totals = {c: sum(cnt[c] for cnt in kept.values()) for c in classes}
    n_docs = sum(docs.values())
    prior = [math.log(docs[c] / n_docs) for c in classes]
    base = [math.log(ALPHA / (totals[c] + ALPHA * vocab)) for c in classes]
    index = {c: i for i, c in enumerate(classes)}
    table = {f: [(index[c], math.log((n + ALPHA) / ALPHA)) for c, n in sorted(cnt.items())]
             for f, cnt in kept.items()}
    return IntentModel(classes, prior, base, table)


def load(path: Path = MODEL_PATH) -> IntentModel | None:
    """The committed model, or None when the file is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        table = {f: [(int(c), float(w)) for c, w in row] for f, row in data["table"].items()}
        return IntentModel(data["classes"], data["prior"], data["base"], table, float(data["threshold"]),
                           float(data["temperature"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


# -- training and the threshold (run at build time) ---------------------------------


def read_corpus(rel: str) -> list[tuple[str, str]]:
    """(normalised text, intent) of one JSON-lines corpus of the repo."""
    from nlp.normalize import normalize

    out = []
    for line in (ROOT / rel).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out.append((normalize(row["text"]).norm, row["intent"]))
    return out


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
TEMPERATURES = (1.0, 2.0, 3.0, 5.0, 8.0)
COST_FLIP = 2.0
"""A real unknown given an intent costs twice a missed request: the first starts a wrong
dialogue, the second only makes the user say it again (the rules' "没太明白" reply)."""


def fallback_score(model: IntentModel, held: Sequence[tuple[str, str]], t: float) -> tuple[float, float]:
    """How the model does as the fallback of unsure rules on `held`, at threshold `t`:
    every sentence is treated as one the rules found nothing in; the model's answer is
    taken when it is not unknown and its posterior ≥ t. Returns (recall of the known
    intents, share of the real unknowns wrongly given an intent)."""
    known_ok = known_n = unk_flipped = unk_n = 0
    for norm, gold in held:
        pred, p = model.predict(norm)
        take = pred != "unknown" and p >= t
        if gold == "unknown":
            unk_n += 1
            unk_flipped += take
        else:
            known_n += 1
            known_ok += take and pred == gold
    return (known_ok / known_n if known_n else 0.0), (unk_flipped / unk_n if unk_n else 0.0)


def choose_threshold(corpora: dict[str, list[tuple[str, str]]], out: TextIO = sys.stdout) -> tuple[float, float]:
    """Leave one corpus out: train on the others, score the fallback on the corpus left
    out at each (temperature, threshold); the pair with the best mean of recall −
    COST_FLIP × flipped wins (the stricter one on a tie)."""
    models = {name: train([s for other, rows in corpora.items() if other != name for s in rows])
              for name in corpora}
    best, best_gain = (TEMPERATURES[-1], THRESHOLDS[-1]), -1e9
    print("temperature  threshold  known-recall  unknown-flipped  gain", file=out)
    for temp in TEMPERATURES:
        for t in THRESHOLDS:
            rows = []
            for name, held in corpora.items():
                models[name].temperature = temp
                rows.append(fallback_score(models[name], held, t))
            rec = sum(r[0] for r in rows) / len(rows)
            flip = sum(r[1] for r in rows) / len(rows)
            gain = rec - COST_FLIP * flip
            print(f"{temp:11.1f}  {t:9.2f}  {rec:12.3f}  {flip:15.3f}  {gain:.3f}", file=out)
            if gain > best_gain + 1e-9:
                best, best_gain = (temp, t), gain
    return best


def main() -> None:
    corpora = {rel: read_corpus(rel) for rel in TRAIN_FILES}
    model = train([s for rows in corpora.values() for s in rows])
    model.temperature, model.threshold = choose_threshold(corpora)
    MODEL_PATH.write_text(json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":")) + "\n",
                          encoding="utf-8")
    print(f"temperature {model.temperature}, threshold {model.threshold}; {len(model.table)} features, {len(model.classes)} intents → {MODEL_PATH.name}")


if __name__ == "__main__":
    main()

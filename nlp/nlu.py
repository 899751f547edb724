"""The NLU pipeline: normalise → time → tokens → intent → slots (CONTRACT §6).

`Nlu.parse(text, now)` is pure CPU work on one message (about a hundred
microseconds once warm), never raises and never reads the clock. The jieba
tokenizer is private to this object (never the global `jieba.dt`) and carries
the bureau's dictionary (`domain_dict.txt`) plus the organisation's names
given to `add_words`.
"""

from __future__ import annotations

import logging
import marshal
import os
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jieba

from nlp import corrections, crewreport, faults, freetext, homophones, intent_model, multipart
from nlp import slots as sl
from nlp.assets import command as asset_command
from nlp.assets import mask_tags
from nlp.assets import slots as asset_slots
from nlp.intents import (
    CANCEL_RE,
    FAULT_RE,
    REJECT_RE,
    REJECT_WEAK_RE,
    Verdict,
    classify,
    crew_intent,
    has_fault,
    request_words,
)
from nlp.normalize import normalize
from nlp.people import corrected_count
from nlp.timeparse import PART_RE, TimeSlots, parse_time
from nlp.types import Intent, Parse
from nlp.words import Words, read_words

log = logging.getLogger(__name__)

DOMAIN_DICT = Path(__file__).with_name("domain_dict.txt")
MIN_FREQ = 10
CACHE_NAME = f"jieba.nlp.min{MIN_FREQ}.v1.cache"
WORD_KINDS = ("facility", "building", "plate", "place")
_WARM_TEXTS = (
    "明天下午两点到四点用车去虹桥机场，3个人",
    "下周三上午9点半301会议室，12人",
    "3号楼502室空调不制冷",
    "驳回#1024，理由：时间冲突",
    "need a car tomorrow 9am to Hongqiao Airport, 2 ppl",
)


def _dict_places() -> set[str]:
    """Place names of the shipped dictionary (tag ns): destinations said without 去/到."""
    out: set[str] = set()
    for line in DOMAIN_DICT.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "ns":
            out.add(parts[0].lower())
    return out


class Nlu:
    """Reads one message: its intent and slots. One instance per process, warmed at start-up."""

    def __init__(self, cache_dir: str | None = None) -> None:
        self._cache_dir = cache_dir
        self._tk = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False
        self._words: dict[str, set[str]] = {k: set() for k in WORD_KINDS}
        self._words["place"].update(_dict_places())
        self._lex = sl.build_lexicon((), (), self._words["place"], ())
        self._last: tuple[str, datetime, _Reading] | None = None  # see `_read`
        self._model: intent_model.IntentModel | None = None

    # -- start-up ---------------------------------------------------------------------

    def _cache_path(self) -> str:
        base = self._cache_dir or tempfile.gettempdir()
        return os.path.abspath(os.path.join(base, CACHE_NAME))

    def _build_freq(self, path: str) -> tuple[dict[str, int], int]:
        """jieba's general dictionary without its rarest words, written to our cache file.

        Words seen fewer than MIN_FREQ times in jieba's corpus never matter to a
        one-line request and make up four fifths of the entries: dropping them
        makes the cache load three times faster (cold start goal: 1.5 s).
        """
        freq: dict[str, int] = {}
        total = 0
        with self._tk.get_dict_file() as f:
            for raw in f:
                parts = raw.decode("utf-8").split(" ")
                if len(parts) < 2 or not parts[1].strip().isdigit():
                    continue
                word, n = parts[0], int(parts[1])
                if n < MIN_FREQ:
                    continue
                freq[word] = n
                total += n
                for i in range(1, len(word)):
                    freq.setdefault(word[:i], 0)
        try:
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".jieba-")
            with os.fdopen(fd, "wb") as out:
                out.write(marshal.dumps((freq, total)))
            os.replace(tmp, path)  # atomic: a concurrent start-up never reads half a file
        except OSError:
            log.warning("cannot write the jieba cache %s; it is rebuilt at every start", path)
        return freq, total

    def _load(self) -> None:
        """Load the general dictionary (from our cache file when there is one) and ours."""
        with self._lock:
            if self._ready:
                return
            path = self._cache_path()
            tk = self._tk
            tk.cache_file = path
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
            except OSError:
                log.warning("cannot create the jieba cache directory for %s", path)
            loaded: tuple[dict[str, int], int] | None = None
            if os.path.isfile(path):
                # jieba's own loader calls marshal.load on the file object, about three
                # times slower here than reading the bytes first (FACTS.md).
                try:
                    with open(path, "rb") as f:
                        loaded = marshal.loads(f.read())  # noqa: S302 - the file we wrote ourselves
                except (OSError, ValueError, EOFError, TypeError):
                    log.warning("jieba cache %s unreadable; rebuilding it", path)
            if loaded is None:
                loaded = self._build_freq(path)
            homophones.warm()
            self._model = intent_model.load()
            if self._model is None:
                log.warning("intent model %s missing or unreadable; the rules decide alone", intent_model.MODEL_PATH)
            tk.FREQ, tk.total = loaded
            tk.initialized = True
            tk.load_userdict(str(DOMAIN_DICT))
            for kind, words in self._words.items():
                for w in words:
                    tk.add_word(w, freq=3000, tag=kind)
            self._ready = True

    def warm(self) -> None:
        """Load the dictionaries and run a few parses so the first real one is fast."""
        self._load()
        now = datetime.fromisoformat("2026-01-05T10:00:00+08:00")
        for text in _WARM_TEXTS:
            self.parse(text, now)

    def add_words(self, words: Iterable[tuple[str, str]]) -> None:
        """Teach the organisation's names: (word, kind), kind in facility/building/plate/place."""
        added: list[tuple[str, str]] = []
        for word, kind in words:
            if kind not in self._words or not word or not word.strip():
                continue
            w = normalize(word.strip()).norm
            if w not in self._words[kind]:
                self._words[kind].add(w)
                added.append((w, kind))
        if not added:
            return
        if self._ready:
            for w, kind in added:
                self._tk.add_word(w, freq=3000, tag=kind)
        # build the new lexicon aside, then swap it in one assignment
        self._lex = sl.build_lexicon(
            self._words["facility"], self._words["building"], self._words["place"], self._words["plate"]
        )
        self._last = None  # read with the old words

    # -- parsing ----------------------------------------------------------------------

    def parse(self, text: str, now: datetime) -> Parse:
        """The intent and slots of `text`, times relative to the aware datetime `now`."""
        try:
            if not isinstance(text, str):
                return self._parse(str(text), now)
            if multipart.may_be_multi(text) and corrections.split(normalize(text).norm) is None:
                bundle = multipart.read_parts(text, now, self._parse)
                if bundle is not None:
                    return bundle
            return self._second_opinion(text, now, self._parse(text, now))
        except Exception:  # the dispatcher must always get an answer
            log.exception("NLU failed on %r", text[:100] if isinstance(text, str) else text)
            return Parse(Intent.UNKNOWN, {}, 0.0)

    def parse_as(self, text: str, now: datetime, intent: Intent) -> Parse:
        """The slots `text` gives for `intent`: a follow-up inside a flow ("下午三点",
        "3个人", "改成四点") is read as part of that flow, whatever it looks like alone."""
        try:
            text = text if isinstance(text, str) else str(text)
            if intent is Intent.SERVICE_BUNDLE:
                return self._bundle_reading(text, now)
            return self._parse(text, now, intent)
        except Exception:
            log.exception("NLU failed on %r", text[:100] if isinstance(text, str) else text)
            return Parse(intent, {}, 0.0)

    def _bundle_reading(self, text: str, now: datetime) -> Parse:
        """A follow-up inside a several-service dialogue: the message read as each service
        (the dialogue takes the reading of the part it asked about); a message of several
        services again gives its parts."""
        bundle = multipart.read_parts(text, now, self._parse)
        if bundle is not None:
            return bundle
        readings = tuple(self._parse(text, now, i) for i in multipart.SERVICES)
        return Parse(Intent.SERVICE_BUNDLE, {}, 0.5, day_said=readings[0].day_said,
                     duration_minutes=readings[0].duration_minutes, parts=readings,
                     words=readings[0].words)

    def _read(self, text: str, now: datetime) -> _Reading:
        """What `_parse` reads whatever intent it is asked for: the dispatcher's follow-up
        (`parse_as` after `parse`) and a bundle's four readings read the same text at the
        same moment, so the last one is kept (keyed by both; forgotten when the lexicon
        changes) and the message is normalised, timed, classified and worded once."""
        last = self._last
        if last is not None and last[0] == text and last[1] == now:
            return last[2]
        t = normalize(text)
        n = t.norm
        corr = corrections.split(n)
        ts = parse_time(n, now)
        day = ts.date if ts.day_said else None  # the day the sentence names, before corrections
        m = _masked(n, ts.spans)
        req, booked_room = sl.numbers(mask_tags(m), *request_words(n))
        if corr is None:
            verdict = self._classify(n, m, ts, req, booked_room)
            wd = corrections.withdrawal(n) if verdict.intent in (*_SERVICES, Intent.CANCEL) else None
            if wd is not None:
                # "不订车了，帮我订个接待室": the new request stands when it names its service
                tail = n[wd.after:]
                tail_ts = parse_time(tail, now)
                v = self._classify(tail, _masked(tail, tail_ts.spans), tail_ts, None, False)
                if v.intent in _SERVICES and v.intent is not verdict.intent:
                    corr, verdict = wd, v
        else:
            verdict = self._classify_corrected(n, corr, now, req, booked_room)
        reading = _Reading(n, t.orig, corr, ts, m, req, verdict, read_words(text, now, norm=n, day=day))
        self._last = (text, now, reading)
        return reading

    def _parse(self, text: str, now: datetime, force: Intent | None = None) -> Parse:
        if not self._ready:
            self._load()
        r = self._read(text, now)
        n, orig, corr, ts, m, req, verdict = r.norm, r.orig, r.corr, r.ts, r.masked, r.req, r.verdict
        lex = self._lex
        intent = force or verdict.intent
        slots: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        if intent in (Intent.VEHICLE_BOOKING, Intent.FACILITY_RESERVATION):
            if corr is None:
                slots = _service_slots(intent, m, orig, lex)
                _put_time(slots, ts)
            else:
                # the correction's slots replace those of the part it corrects
                head_n, tail_n = n[: corr.before], n[corr.after:]
                head_ts, tail_ts = parse_time(head_n, now), parse_time(tail_n, now)
                slots = _service_slots(intent, _masked(head_n, head_ts.spans), orig[: corr.before], lex)
                slots.update(_service_slots(intent, _masked(tail_n, tail_ts.spans), orig[corr.after:], lex))
                count = corrected_count(_masked(head_n, head_ts.spans), _masked(tail_n, tail_ts.spans))
                if count is not None:
                    slots["passengers" if intent is Intent.VEHICLE_BOOKING else "attendees"] = count
                ts = _merge_time(head_ts, tail_ts, tail_n)
                _put_time(slots, ts)
        elif intent is Intent.REPAIR_REQUEST:
            loc = sl.location(m, orig, lex)
            rest = m
            if loc:
                slots["location"] = loc[0]
                rest = m[: loc[1]] + sl.MASK * (loc[2] - loc[1]) + m[loc[2]:]
            cat = faults.category(rest, FAULT_RE) or sl.repair_category(rest)
            if cat is None and has_fault(rest):
                cat = "other"  # a fault named on something outside the five trades
            if cat:
                slots["repair_category"] = cat
        elif intent is Intent.ASSET_REQUEST:
            slots, extra = asset_slots(m, orig)
            purpose = freetext.purpose(m, orig)  # CONTRACT §6: an asset's 用于… too
            if purpose:
                slots["purpose"] = purpose
        elif intent in (Intent.APPROVE, Intent.REJECT, Intent.CANCEL, Intent.APPROVAL_STATUS):
            if req is not None:
                slots["request_no"] = req
            if intent is Intent.REJECT:
                c = freetext.comment(n, orig, (REJECT_RE, REJECT_WEAK_RE))
                if c:
                    slots["comment"] = c
        minutes = int(ts.duration.total_seconds() // 60) if ts.duration is not None else None
        words = r.words
        plain = Parse(intent, slots, verdict.confidence, day_said=ts.day_said, duration_minutes=minutes or None,
                      extra=extra, words=words)
        if force is None and (office := asset_command(n)) is not None:
            return Parse(Intent(office[0]), office[1], 0.9, plain=plain)
        if force is None:
            rest, crew_slots = crewreport.crew_parts(n, orig)
            crew = crew_intent(rest, n)
            if crew is not None:
                if crew is Intent.CREW_TASKS and ts.day_said and ts.date is not None:
                    crew_slots["date"] = ts.date
                return Parse(crew, crew_slots, 0.9, day_said=ts.day_said, plain=plain, words=words)
        return plain

    def _classify(self, n: str, m: str, ts: TimeSlots, req: int | None, booked_room: bool) -> Verdict:
        tk, lex = self._tk, self._lex
        v = classify(n, lambda: tk.lcut(m, HMM=False), req is not None, ts.date is not None or bool(ts.spans),
                     lambda: sl.names_trip(m, lex), booked_room, lambda: sl.names_place(m, lex))
        return v

    def _second_opinion(self, text: str, now: datetime, p: Parse) -> Parse:
        """Where the rules found no keyword or shape in the whole message (never in a part
        or a clause of one), the statistical model's reading (`nlp.intent_model`) when its
        posterior reaches its threshold, with the slots of the intent it chose. Commands of
        the asset office and of the crew are read by their own rules (`p.plain` is set)."""
        model = self._model
        last = self._last
        if p.confidence > intent_model.UNSURE or p.plain is not None or model is None \
                or last is None or last[0] != text or last[1] != now:
            return p
        guess = model.second_opinion(last[2].norm, last[2].masked)
        if guess is None or guess[0] == p.intent.value:
            return p
        return replace(self._parse(text, now, Intent(guess[0])), confidence=round(guess[1] * 0.6, 3), guessed=True)

    def _classify_corrected(self, n: str, corr: corrections.Correction, now: datetime, req: int | None,
                            booked_room: bool) -> Verdict:
        """A corrected message: the correction's own service if it names one ("车不用了，改订一间
        接待室"), else the whole message without the marker and with the taken-back part's
        cancel words blanked ("不要小会议室了，换成…" is no cancel)."""
        tail = n[corr.after:]
        tail_ts = parse_time(tail, now)
        v = self._classify(tail, _masked(tail, tail_ts.spans), tail_ts, None, False)
        if v.intent in _SERVICES:
            return v
        head = CANCEL_RE.sub(lambda x: sl.MASK * len(x.group(0)), n[: corr.before])
        joined = head + "，" + tail
        ts = parse_time(joined, now)
        return self._classify(joined, _masked(joined, ts.spans), ts, req, booked_room)


@dataclass(frozen=True, slots=True)
class _Reading:
    """A message as read before its intent's slots (`Nlu._read`)."""

    norm: str
    orig: str
    corr: corrections.Correction | None
    ts: TimeSlots
    masked: str
    req: int | None
    verdict: Verdict
    words: Words


_SERVICES = (Intent.VEHICLE_BOOKING, Intent.FACILITY_RESERVATION, Intent.REPAIR_REQUEST,
             Intent.ASSET_REQUEST)
_EXPLICIT_HALF = re.compile(r"[:：]\d\d|1[3-9]\s*[点时:]|2[0-3]\s*[点时:]|\b(?:am|pm)\b|\d\s*(?:am|pm)")


def _service_slots(intent: Intent, m: str, orig: str, lex: sl.Lexicon) -> dict[str, Any]:
    """The slots of a booking but its times, from masked text `m` and the user's `orig`."""
    slots: dict[str, Any] = {}
    count = sl.people(m)
    if intent is Intent.VEHICLE_BOOKING:
        origin, dest = sl.places(m, orig, lex)
        if origin:
            slots["origin"] = origin
        if dest:
            slots["destination"] = dest
        if count is not None:
            slots["passengers"] = count
    else:
        ftype = sl.facility_type(m)
        if ftype:
            slots["facility_type"] = ftype
        name = sl.facility_name(m, orig, lex)
        if name:
            slots["facility"] = name
        if count is not None:
            slots["attendees"] = count
    purpose = freetext.purpose(m, orig)
    if purpose:
        slots["purpose"] = purpose
    return slots


def _masked(n: str, spans: Iterable[tuple[int, int]]) -> str:
    """`n` with the time expressions blanked out (the slot rules never see them)."""
    masked = list(n)
    for s, e in spans:
        for i in range(s, e):
            masked[i] = sl.MASK
    return "".join(masked)


def _put_time(slots: dict[str, Any], ts: TimeSlots) -> None:
    """The times as typed slots (nlp/types.py): the day, the aware start and end."""
    if ts.date is not None:
        slots["date"] = ts.date
    if ts.start is not None:
        slots["start"] = ts.start.replace(second=0, microsecond=0)
    if ts.end is not None:
        slots["end"] = ts.end.replace(second=0, microsecond=0)


def _merge_time(head: TimeSlots, tail: TimeSlots, tail_text: str) -> TimeSlots:
    """The times of a corrected message: what the correction says replaces what it corrects.

    A day alone keeps the first part's clock (周三9点，哦不，周四); a clock alone keeps its
    day and, unless its half of the day is written, the first part's half (明早7点，改成6点半).
    """
    if tail.start is None and not tail.day_said:
        return head
    if tail.start is None:  # a new day only
        if head.start is None:
            return replace(head, date=tail.date, day_said=True)
        shift = datetime.combine(tail.date, head.start.timetz()) - head.start if tail.date else timedelta(0)
        return replace(head, date=tail.date, start=head.start + shift,
                       end=head.end + shift if head.end is not None else None, day_said=True)
    if tail.day_said or head.start is None and not head.day_said:
        return tail
    # a new clock on the first part's day
    day = head.date or tail.start.date()
    start = datetime.combine(day, tail.start.timetz())
    end = tail.end
    if head.start is not None and not PART_RE.search(tail_text) and not _EXPLICIT_HALF.search(tail_text):
        diff = (start - head.start).total_seconds() / 3600
        if diff > 6 and start.hour >= 12:
            start -= timedelta(hours=12)
            end = end - timedelta(hours=12) if end is not None else None
    if end is not None:
        end = start + (end - tail.start)
    elif head.start is not None and head.end is not None:
        end = start + (head.end - head.start)
    return replace(tail, date=day, start=start, end=end, day_said=head.day_said)

"""The values a boot-path decision produces: ``BootPath``, ``Verdict`` and the running ``Trace``.

Concepts: a ``Verdict`` is the path one consumer takes with one image, the ``location`` it
cloned from (or failed on), the copy target ``store``, the ordered ``reasons`` (each citing
the upstream code it restates), a ``confidence`` and the ``notes`` that lowered it. A
``Trace`` accumulates those while the decision is replayed and ends in ``done``.

A trace made with ``slots=True`` writes the image's own values (its id, its sizes, each
location's URL and RBD image and snapshot names) as numbered slots instead of the values
themselves: its verdict is a template that ``fill`` completes for any image whose decision
takes the same branches (``audit.cow.classes``). ``slot_values`` lists an image's values in
slot order: the id, the two sizes, then URL, RBD image and snapshot of each location in the
order the consumer sees them.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Literal, NamedTuple

from imageyard.audit.cow.consumers import Consumer
from imageyard.model.finding import Confidence, Evidence
from imageyard.model.image import Image
from imageyard.model.location import Location, RbdLocation

GIB = 1 << 30
# brackets a slot number in a template; a decision whose texts hold it already (a value with a
# NUL character) is kept out of the templates (``holds_mark``)
MARK = "\x00"
FIRST_LOCATION_SLOT = 3  # slots 0-2: the image id, its size, its virtual size (as gib text)


class BootPath(enum.StrEnum):
    """What a consumer does with an image when it needs a disk from it.

    ``error``: the driver raises and the boot or volume creation fails (no fallback);
    ``refused``: the Nova or Cinder API refuses the request before any driver code runs.
    """

    CLONE = "clone"
    COPY_TO_STORE = "copy-to-store-then-clone"
    DOWNLOAD_CONVERT = "download-convert-import"
    DOWNLOAD = "download"
    ERROR = "error"
    REFUSED = "refused"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Form:
    """A verdict's fields; in a template, texts hold slots that a member's values fill."""

    consumer: str
    path: BootPath
    reasons: tuple[str, ...]
    confidence: Confidence
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    location: str | None = None
    store: str | None = None
    cause: str = ""

    @functools.cached_property
    def parts(self) -> tuple[tuple[Text, ...], tuple[Text, ...], tuple[Text, ...], Text | None]:
        """The reasons, notes, evidence texts and location, split at their slots."""
        loc = None if self.location is None else _parts(self.location)
        return (
            tuple(_parts(r) for r in self.reasons),
            tuple(_parts(n) for n in self.notes),
            tuple(_parts(e.text) for e in self.evidence),
            loc,
        )


class Verdict:
    """The boot path of one image on one consumer, with the reasons in decision order.

    ``location`` is the URL cloned from (clone) or the one the driver failed on (error);
    ``store`` the copy target (copy-to-store-then-clone); ``notes`` are the caveats that
    lowered ``confidence``; ``cause`` is a short slug of the decisive condition (``not-raw``,
    ``missing-pool`` ...) that reports group by.

    Immutable. A verdict shared by an image class (``filled``) keeps its class's ``Form``
    and the image's slot values, and writes its texts only when they are read; given how
    to get those values instead, it gets them on the first text read (a reader of the path
    alone never needs them).
    """

    __slots__ = ("_form", "_values", "image_id")
    image_id: str
    _form: Form
    _values: tuple[str, ...] | Callable[[], tuple[str, ...]]

    def __init__(
        self,
        image_id: str,
        consumer: str,
        path: BootPath,
        reasons: tuple[str, ...],
        confidence: Confidence,
        evidence: tuple[Evidence, ...] = (),
        notes: tuple[str, ...] = (),
        location: str | None = None,
        store: str | None = None,
        cause: str = "",
    ) -> None:
        form = Form(consumer, path, reasons, confidence, evidence, notes, location, store, cause)
        _set(self, image_id, form, ())

    @classmethod
    def filled(
        cls, image_id: str, form: Form, values: tuple[str, ...] | Callable[[], tuple[str, ...]]
    ) -> Verdict:
        """The verdict of image ``image_id`` whose slot values are ``values`` in ``form``
        (a callable: got from ``values()`` when a text is first read)."""
        verdict = object.__new__(cls)
        _set(verdict, image_id, form, values)
        return verdict

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Verdict is immutable: cannot set {name}")

    @property
    def form(self) -> Form:
        """The fields as decided (with slots, for a verdict shared by a class)."""
        return self._form

    @property
    def shared(self) -> bool:
        """True when the verdict is its class's form with this image's values."""
        return not isinstance(self._values, tuple) or bool(self._values)

    @property
    def values(self) -> tuple[str, ...]:
        """The image's own values filled into the form's slots (empty: the form has none)."""
        values = self._values
        if not isinstance(values, tuple):
            values = values()
            _SET_VALUES(self, values)
        return values

    @property
    def consumer(self) -> str:
        """The consumer's name."""
        return self._form.consumer

    @property
    def path(self) -> BootPath:
        """The boot path."""
        return self._form.path

    @property
    def confidence(self) -> Confidence:
        """How sure the verdict is."""
        return self._form.confidence

    @property
    def store(self) -> str | None:
        """The copy target store (copy-to-store-then-clone)."""
        return self._form.store

    @property
    def cause(self) -> str:
        """The slug of the decisive condition."""
        return self._form.cause

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons in decision order."""
        return self._texts(self._form.reasons, 0)

    @property
    def notes(self) -> tuple[str, ...]:
        """The caveats that lowered the confidence."""
        return self._texts(self._form.notes, 1)

    def _texts(self, plain: tuple[str, ...], part: Literal[0, 1]) -> tuple[str, ...]:
        """``plain`` (the form's own texts) when there are no values, else the form's
        ``part`` with this image's values filled in (one pass: read per finding)."""
        values = self.values
        if not values:
            return plain
        return tuple([t if isinstance(t, str) else t.fill(values) for t in self._form.parts[part]])

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The citations: the consumer's configuration, then Ceph and cephx facts."""
        values = self.values
        if not values:
            return self._form.evidence
        return tuple(
            e if isinstance(p, str) else Evidence(p.fill(values), e.path, e.line)
            for e, p in zip(self._form.evidence, self._form.parts[2], strict=True)
        )

    @property
    def location(self) -> str | None:
        """The URL cloned from (clone) or failed on (error)."""
        values = self.values
        loc = self._form.parts[3] if values else self._form.location
        return None if loc is None else _fill(loc, values)

    @property
    def first_reason(self) -> str:
        """The first reason (the decisive one for a non-clone path)."""
        return self._reason(0)

    @property
    def last_reason(self) -> str:
        """The last reason (what finally decided the path)."""
        return self._reason(-1)

    def _reason(self, index: int) -> str:
        """One reason, filled alone ("" when there is none)."""
        reasons = self._form.reasons
        if not reasons:
            return ""
        values = self.values
        return _fill(self._form.parts[0][index], values) if values else reasons[index]

    def _fields(self) -> tuple[object, ...]:
        return (
            self.image_id, self.consumer, self.path, self.reasons, self.confidence,
            self.evidence, self.notes, self.location, self.store, self.cause,
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verdict):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={v!r}" for n, v in zip(_FIELDS, self._fields(), strict=True))
        return f"Verdict({shown})"


_FIELDS = (
    *("image_id", "consumer", "path", "reasons", "confidence", "evidence", "notes"),
    *("location", "store", "cause"),
)


def _set(
    verdict: Verdict,
    image_id: str,
    form: Form,
    values: tuple[str, ...] | Callable[[], tuple[str, ...]],
) -> None:
    # NOTE: the slots' own setters (a verdict is made per image and consumer)
    _SET_IMAGE_ID(verdict, image_id)
    _SET_FORM(verdict, form)
    _SET_VALUES(verdict, values)


_SET_IMAGE_ID = Verdict.__dict__["image_id"].__set__
_SET_FORM = Verdict.__dict__["_form"].__set__
_SET_VALUES = Verdict.__dict__["_values"].__set__


@dataclass(frozen=True)
class Parts:
    """A template text as a %-format with one ``%s`` per slot, and the slot numbers
    (``picks`` them from an image's values, ``numbers`` names them)."""

    form: str
    picks: Callable[[tuple[str, ...]], Any]
    numbers: frozenset[int] = frozenset()

    def fill(self, values: tuple[str, ...]) -> str:
        """The text with ``values`` in its slots."""
        picked = self.picks(values)
        return self.form % (picked if isinstance(picked, tuple) else (picked,))


Text = Parts | str  # a text split at its slots, or the text itself when it has none


def _parts(text: str) -> Text:
    if MARK not in text:
        return text
    pieces = text.split(MARK)
    form = "%s".join(p.replace("%", "%%") for p in pieces[::2])
    numbers = [int(p) for p in pieces[1::2]]
    return Parts(form, itemgetter(*numbers), frozenset(numbers))


def holds_mark(form: Form) -> bool:
    """Whether a text of ``form`` holds ``MARK`` (said of a decision without slots: one of
    its values has a NUL character, so no template can be made of it)."""
    texts = (*form.reasons, *form.notes, *(e.text for e in form.evidence), form.location or "")
    return any(MARK in text for text in texts)


def split_slots(text: str) -> Text:
    """``text`` split at its slots (``text`` itself when it has none)."""
    return _parts(text)


_SLOT_NAMES = ("<image>", "<size>", "<virtual size>")
_LOCATION_SLOT_NAMES = ("<location>", "<rbd image>", "<snapshot>")


def slot_name(n: int) -> str:
    """What slot ``n`` stands for, as a placeholder in a text shared by many images."""
    if n < FIRST_LOCATION_SLOT:
        return _SLOT_NAMES[n]
    return _LOCATION_SLOT_NAMES[(n - FIRST_LOCATION_SLOT) % 3]


def general(text: str) -> str:
    """A template text with each slot written as the placeholder of what it stands for."""
    if MARK not in text:
        return text
    pieces = text.split(MARK)
    names = (slot_name(int(p)) for p in pieces[1::2])
    return "".join(p + next(names, "") for p in pieces[::2])


def _fill(text: Text, values: tuple[str, ...]) -> str:
    return text if isinstance(text, str) else text.fill(values)


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass
class Trace:
    """What one boot_path call accumulates on its way to a verdict."""

    image: Image
    consumer: Consumer
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: Confidence = Confidence.HIGH
    cause: str = ""
    slots: bool = False
    ordered: tuple[Location, ...] = ()
    unshareable: bool = False

    def image_id_text(self) -> str:
        """The image id (its slot in a template)."""
        return slot(0) if self.slots else self.image.id

    def size_text(self) -> str:
        """``gib(size)`` (its slot in a template)."""
        return slot(1) if self.slots else gib(self.image.size)

    def virtual_size_text(self) -> str:
        """``gib(virtual_size or size)`` (its slot in a template)."""
        return slot(2) if self.slots else gib(self.image.virtual_size or self.image.size)

    def loc_text(self, loc: Location) -> LocText:
        """The URL, RBD image and snapshot of ``loc`` (one of ``ordered``), or their slots."""
        if not self.slots:
            return location_values(loc)
        k = next((k for k, seen in enumerate(self.ordered) if seen is loc), None)
        if k is None:  # NOTE: not a location the consumer sees: its text cannot be shared
            self.unshareable = True
            return location_values(loc)
        first = FIRST_LOCATION_SLOT + 3 * k
        return LocText(slot(first), slot(first + 1), slot(first + 2))

    def add(self, reason: str, cause: str) -> None:
        """Append ``reason``; the first cause given is the verdict's (a short slug)."""
        self.reasons.append(reason)
        self.cause = self.cause or cause

    def lower(self, to: Confidence, note: str) -> None:
        """Add ``note`` and lower the confidence to ``to`` (never raise it)."""
        if note not in self.notes:
            self.notes.append(note)
        if _RANK[to] < _RANK[self.confidence]:
            self.confidence = to

    def done(self, path: BootPath, **extra: str | None) -> Verdict:
        """The verdict so far, ending in ``path``."""
        return Verdict(
            image_id=self.image.id,
            consumer=self.consumer.name,
            path=path,
            reasons=tuple(self.reasons),
            confidence=self.confidence,
            evidence=self._distinct_evidence(),
            notes=tuple(self.notes),
            location=extra.get("location"),
            store=extra.get("store"),
            cause=extra.get("cause") or self.cause or path.value,
        )

    def _distinct_evidence(self) -> tuple[Evidence, ...]:
        """The consumer's evidence, then this trace's own, each item once in first order."""
        base, mine = self.consumer.distinct_evidence, self.consumer.evidence_set
        if not self.evidence:
            return base
        return base + tuple(e for e in dict.fromkeys(self.evidence) if e not in mine)

    def unknown(self, reason: str, cause: str = "input-missing") -> Verdict:
        """An ``unknown`` verdict naming the missing input."""
        self.reasons.append(reason)
        return self.done(BootPath.UNKNOWN, cause=cause)

    def error(self, reason: str, location: str, cause: str) -> Verdict:
        """An ``error`` verdict: the driver raises at ``location``."""
        self.reasons.append(reason)
        return self.done(BootPath.ERROR, location=location, cause=cause)


class LocText(NamedTuple):
    """What a reason says about one location: its URL, RBD image and snapshot names."""

    url: str
    image: str
    snapshot: str


def location_values(loc: Location) -> LocText:
    """``loc``'s own URL, RBD image and snapshot names (empty when not an rbd location)."""
    # NOTE: a URL outside the rbd scheme is never parsed here (read per location of an
    # image on each consumer)
    parsed = loc.parsed if loc.rbd_scheme else None
    if isinstance(parsed, RbdLocation):
        return LocText(loc.url, parsed.image, parsed.snapshot)
    return LocText(loc.url, "", "")


def slot(n: int) -> str:
    """The text standing for slot ``n`` in a template."""
    return f"{MARK}{n}{MARK}"


@dataclass(frozen=True)
class Reads:
    """Which of an image's slot values texts read beyond its id and its locations' URLs:
    its sizes, its locations' RBD image and snapshot names (``of``: those of some slots)."""

    sizes: bool
    names: bool

    @classmethod
    def of(cls, numbers: Iterable[int]) -> Reads:
        """What texts that read slots ``numbers`` read (one object for each answer, so a
        reader of an image's values for one shape finds them made for another)."""
        kept = set(numbers)
        names = any(n >= FIRST_LOCATION_SLOT and (n - FIRST_LOCATION_SLOT) % 3 for n in kept)
        return _READS[bool(kept & {1, 2}), names]


_READS = {(s, n): Reads(s, n) for s in (False, True) for n in (False, True)}


def slot_values(
    image: Image, ordered: Sequence[Location], reads: Reads | None = None
) -> tuple[str, ...]:
    """``image``'s values in slot order (``ordered``: its locations as the consumer sees them);
    ``reads``: only what a reader reads is written, the other slots are empty."""
    if reads is not None and not (reads.sizes and reads.names):
        if len(ordered) == 1 and not reads.sizes and not reads.names:
            return (image.id, "", "", ordered[0].url, "", "")  # NOTE: most readers, most images
        return _read_values(image, ordered, reads)
    size = image.size
    virtual = image.virtual_size or size
    sized = gib(size)
    head = (image.id, sized, sized if virtual == size else gib(virtual))
    if len(ordered) == 1:  # NOTE: most images (a tuple each, read per image and consumer)
        loc = ordered[0]
        parsed = loc.parsed if loc.rbd_scheme else None
        if isinstance(parsed, RbdLocation):  # NOTE: ``location_values``, no LocText made
            return (*head, loc.url, parsed.image, parsed.snapshot)
        return (*head, loc.url, "", "")
    values = list(head)
    for loc in ordered:
        values += location_values(loc)
    return tuple(values)


def _read_values(image: Image, ordered: Sequence[Location], reads: Reads) -> tuple[str, ...]:
    """``slot_values`` with the sizes, or the RBD names, empty when ``reads`` says so."""
    if reads.sizes:
        size = image.size
        virtual = image.virtual_size or size
        sized = gib(size)
        values = [image.id, sized, sized if virtual == size else gib(virtual)]
    else:
        values = [image.id, "", ""]
    for loc in ordered:
        if reads.names:
            values += location_values(loc)
        else:
            values += (loc.url, "", "")
    return tuple(values)


def gib(size: int | None) -> str:
    """Bytes as ``1.50 GiB`` or ``6.0 MiB`` (``an unknown size`` when None)."""
    if size is None:
        return "an unknown size"
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / (1 << 20):.1f} MiB"

"""Boot-path verdicts shared by every image that takes the same branches.

Concepts: ``boot_path`` reads few things of an image: its status, disk_format and stores,
whether it has locations or a direct_url, the glance gap on its locations, and per location
its store, whether the URL is an rbd URL of the cloneable form, the cluster and pool it
names and whether that RBD image and snapshot exist (and the snapshot is protected). That
``key`` puts every image into a class. A class is decided once per consumer
(``verdict.template``: the decision with the image's own values as slots); each member's
verdict is that template's ``Form`` with the member's own values (id, sizes, location URLs
and RBD names), read and filled in only when its texts are read. Per image only its class
number is kept. A form proves itself on the image it was made from: when, filled with that
image's values, it is not exactly the verdict ``boot_path`` gives that image, the class is
decided image by image.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from imageyard.audit.cow.consumers import Consumer
from imageyard.audit.cow.trace import Form, Reads, Verdict, holds_mark, slot_values
from imageyard.audit.cow.verdict import boot_path, location_gap, sorted_locations, template
from imageyard.model.ceph import Pool
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation

_ID = operator.attrgetter("id")


def _seen(image: Image) -> tuple[Location, ...]:
    """The locations ``boot_path`` looks at, in recorded order (the direct_url alone when
    there are none)."""
    if not image.locations and image.direct_url:
        return (Location.from_url(image.direct_url),)
    return image.locations


@dataclass(frozen=True)
class Numbered:
    """Images in a given order, the class number of each (``numbers[i]`` is that of
    ``images[i]``) and the first of them in each class, classes in order of first sight."""

    images: tuple[Image, ...]
    numbers: list[int]
    firsts: dict[int, Image]


@dataclass
class Classes:
    """The class of each image of one inventory and the form of each class per consumer."""

    inv: Inventory
    # NOTE: per image only its class number (its values are read again when needed); per
    # consumer (by id) the form of each class number decided so far (None: the class is
    # decided image by image)
    _members: dict[str, int] = field(default_factory=dict)
    _forms: dict[int, dict[int, Form | None]] = field(default_factory=dict)
    _pools: dict[tuple[str, str], Pool | None] = field(default_factory=dict)
    _numbers: dict[Hashable, int] = field(default_factory=dict)
    # NOTE: the last image's values: a finding's texts (message, evidence, remediation)
    # are read one after the other, each asking for its image's values
    _last: tuple[Image, Reads | None, tuple[str, ...]] | None = None

    def verdict(self, image: Image, consumer: Consumer) -> Verdict:
        """``boot_path(image, consumer, inv)``, shared with the image's class: its texts
        are filled with the image's values when first read."""
        form, decided = self._decide(image, consumer)
        if form is not None:
            return Verdict.filled(image.id, form, functools.partial(self.values, image))
        return decided or boot_path(image, consumer, self.inv)

    def form(self, image: Image, consumer: Consumer) -> Form | None:
        """The form of ``image``'s class on ``consumer`` (None: decided image by image)."""
        return self._decide(image, consumer)[0]

    def values(self, image: Image, reads: Reads | None = None) -> tuple[str, ...]:
        """``image``'s values in slot order (``trace.slot_values``; ``reads``: only those)."""
        # NOTE: some of the values (a finding's own strings, read once per finding) of an
        # image with one location (most: in the consumer's order already) are read without
        # ordering its locations or remembering them as the last image's
        locations = image.locations
        if reads is not None and len(locations) == 1:
            return slot_values(image, locations, reads)
        last = self._last
        if last is not None and last[0] is image and last[1] is reads:
            return last[2]
        values = slot_values(image, sorted_locations(image, self.inv), reads)
        self._last = (image, reads, values)
        return values

    @property
    def forms(self) -> int:
        """How many class forms were decided, over every consumer."""
        return sum(len(forms) for forms in self._forms.values())

    def numbered(self, images: Iterable[Image]) -> Numbered:
        """``images`` with their class numbers, and each class's first image."""
        kept = tuple(images)
        # NOTE: each image's number found by its key and kept by its id in one step
        # (``_number``, one image at a time, costs a third more); unless an id repeats, or
        # an image was numbered before (rare): then ``_number`` numbers them
        ids = dict.fromkeys(map(_ID, kept))
        if len(ids) < len(kept) or not ids.keys().isdisjoint(self._members):
            numbers = list(map(self._number, kept))
        else:
            numbers = self._by_key(kept)
            self._members.update(zip(ids, numbers, strict=True))
        # NOTE: each class's first image (written last, going backwards), classes in
        # order of first sight
        first = dict(zip(reversed(numbers), reversed(kept), strict=True))
        firsts = {n: first[n] for n in dict.fromkeys(numbers)}
        return Numbered(kept, numbers, firsts)

    def _by_key(self, images: tuple[Image, ...]) -> list[int]:
        """The class number of each of ``images`` by its key (``_number``, not kept)."""
        key, numbers = self.key, self._numbers
        return [numbers.setdefault(key(image), len(numbers)) for image in images]

    def forms_of(
        self, images: Iterable[Image], consumer: Consumer
    ) -> Iterator[tuple[Image, Form | None]]:
        """Each of ``images`` with ``form(image, consumer)``, in one loop."""
        members, forms = self._members, self._consumer_forms(consumer)
        for image in images:
            number = members.get(image.id)
            if number is None or number not in forms:
                yield image, self._decide(image, consumer)[0]
            else:
                yield image, forms[number]

    def _consumer_forms(self, consumer: Consumer) -> dict[int, Form | None]:
        forms = self._forms.get(id(consumer))
        if forms is None:
            forms = self._forms[id(consumer)] = {}
        return forms

    def _decide(self, image: Image, consumer: Consumer) -> tuple[Form | None, Verdict | None]:
        """The form of ``image``'s class on ``consumer`` (None: decided image by image),
        and the verdict of ``image`` when it was the class's first member."""
        number, forms = self._members.get(image.id), self._forms.get(id(consumer))
        if number is None or forms is None:  # NOTE: the image's or the consumer's first
            number, forms = self._number(image), self._consumer_forms(consumer)
        if number in forms:
            return forms[number], None
        verdict = boot_path(image, consumer, self.inv)
        form = forms[number] = self._form(image, consumer, verdict)
        return form, verdict

    def _form(self, image: Image, consumer: Consumer, verdict: Verdict) -> Form | None:
        """The class's form made from ``image``; None when it does not reproduce
        ``verdict`` (then every member is decided on its own)."""
        if holds_mark(verdict.form):  # a value with a NUL character: no slots can be told
            return None
        made = template(image, consumer, self.inv)
        if made is None:
            return None
        proof = Verdict.filled(image.id, made.form, self.values(image))
        return made.form if proof == verdict else None

    def _number(self, image: Image) -> int:
        found = self._members.get(image.id)
        if found is None:
            found = self._numbers.setdefault(self.key(image), len(self._numbers))
            self._members[image.id] = found
        return found

    def key(self, image: Image) -> Hashable:
        """What ``boot_path`` reads of ``image`` beyond the slot values (see the module
        docstring): images with equal keys take the same branches on every consumer."""
        located = bool(image.locations)
        gap = None if located else location_gap(self.inv, image.id)
        direct = image.direct_url
        return (
            image.status,
            image.disk_format,
            image.stores,
            located,
            direct is None,
            direct is not None and direct.startswith("rbd://"),
            None if gap is None else gap.error,
            self._locations_key(image.locations if located else _seen(image)),
        )

    def _locations_key(self, seen: tuple[Location, ...]) -> Hashable:
        """Each location's key, and (for two or more) which of them repeat a URL."""
        if len(seen) == 1:
            return (self._location_key(seen[0]),)
        urls = [loc.url for loc in seen]
        return (tuple(map(self._location_key, seen)), tuple(map(urls.index, urls)))

    def _location_key(self, loc: Location) -> Hashable:
        store = loc.store
        if not loc.rbd_scheme:
            # NOTE: of a location outside the rbd scheme boot_path reads only its store
            # (and its URL, a slot value): the URL is never parsed for this key
            return (store,)
        parsed, lower = loc.parsed, loc.url.startswith("rbd://")
        if not isinstance(parsed, RbdLocation):
            return (store, lower, parsed.kind)
        fsid, pool, facts = parsed.fsid, parsed.pool, self._rbd_facts(parsed)
        return (store, lower, parsed.cloneable_form, parsed.legacy, fsid, pool, facts)

    def _rbd_facts(self, loc: RbdLocation) -> tuple[bool, bool, bool | None] | None:
        """Whether ``loc``'s RBD image and snapshot exist and the snapshot is protected
        (None: its pool's images were not read)."""
        try:
            pool = self._pools[loc.fsid, loc.pool]
        except KeyError:
            pool = self._pool(loc.fsid, loc.pool)
        if pool is None:
            return None
        rbd = pool.image(loc.image)
        snap = rbd.snapshot(loc.snapshot) if rbd is not None else None
        return (rbd is not None, snap is not None, None if snap is None else snap.protected)

    def _pool(self, fsid: str, name: str) -> Pool | None:
        cluster = self.inv.ceph_cluster(fsid)
        found = self._pools[fsid, name] = cluster.pool(name) if cluster is not None else None
        return found

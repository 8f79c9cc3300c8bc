"""delete-location: a Glance location whose data is missing, removed from the image.

Concepts: Glance 33 offers two ways to remove one location, both behind the
``delete_image_location`` policy (admin by default) and both only for an ``active`` image
that keeps another location (``glance/api/v2/images.py``). ``DELETE
/v2/stores/{store}/{image}`` removes the location of one store; a JSON-patch ``remove
/locations/N`` removes any location by position but needs ``show_multiple_locations =
True``. The newer locations API (``POST``/``GET /v2/images/{id}/locations``) only adds and
lists (and only for a ``service`` user); it has no delete. Either removal asks the store
driver to delete the data and treats data that is already gone as deleted
(``store_utils.safe_delete_from_backend``), so a location without data goes cleanly. The
location is found by its URL, compared without credentials (a Swift URL may carry them);
when it is the only location of a named store, the store-level delete is used (no position
that another change could shift), else the JSON-patch at the position just read. The action
is done when no location has that URL.
"""

from __future__ import annotations

from typing import Any

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.stores import settled
from imageyard.apply.glance import ImageDoc, StepError
from imageyard.model.location import strip_credentials
from imageyard.model.plan import Action


def _locations(live: ImageDoc) -> list[dict[str, Any]] | None:
    locs = live.get("locations")
    return [dict(x) for x in locs] if isinstance(locs, list) else None


def _position(locs: list[dict[str, Any]], url: str) -> int | None:
    return next(
        (n for n, x in enumerate(locs) if strip_credentials(str(x.get("url", ""))) == url),
        None,
    )


def _store(loc: dict[str, Any]) -> str:
    meta = loc.get("metadata")
    return str(meta.get("store") or "") if isinstance(meta, dict) else ""


class DeleteLocation:
    """Remove one location (by URL) from an image that keeps another."""

    def is_done(self, action: Action, live: ImageDoc, ctx: StepContext) -> bool:
        locs = _locations(live)
        url = action.param("url") or ""
        return locs is not None and _position(locs, url) is None and settled(live)

    def run(self, action: Action, live: ImageDoc, ctx: StepContext) -> None:
        locs = _locations(live)
        if locs is None:
            raise StepError(
                "Glance shows no locations for this image: removing one needs "
                "show_multiple_locations = True and the get_image_location policy"
            )
        if not settled(live):
            raise StepError("an import still holds the image; try again when it is done")
        pos = _position(locs, action.param("url") or "")
        if pos is None:
            return
        if len(locs) < 2:
            raise StepError("refused: it is the image's only location")
        store = _store(locs[pos])
        if store and [_store(x) for x in locs].count(store) == 1:
            try:
                ctx.glance.delete_from_store(action.image_id, store)
            except StepError as exc:
                if exc.status != 404:
                    raise
            return
        ctx.glance.patch_image(action.image_id, [{"op": "remove", "path": f"/locations/{pos}"}])

"""The HTML report: one self-contained file (styles, script, SVG charts and data inline).

Concepts: ``view.page`` computes everything shown; ``render(page)`` fills the jinja2
template, which holds only loops and conditionals, with autoescaping on. The script
(``report.js``) only pages, sorts and filters the embedded rows; nothing is fetched.
``render_chunks`` gives the same text as pieces: the page around the embedded rows, and
the rows' blocks (``Page.data``, one ``<script>`` element each, see ``embed``), so a large
report is written, and scrubbed, a piece at a time (``files.write_text``). No secret
pattern can span two pieces: each block starts with ``<script`` and ends with a newline
after ``</script>``, and the page before them ends with one too.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from importlib import resources

import jinja2

from imageyard.report.design_memo import Memo
from imageyard.report.html.view import Page, page
from imageyard.report.results import Results
from imageyard.report.simulation import Simulation

_HERE = resources.files(__package__)


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    return env.from_string(_HERE.joinpath("report.html.j2").read_text(encoding="utf-8"))


# NOTE: stands in the template for the embedded rows; the last occurrence is the slot
# (every text of the page comes before it; after it, only the script)
_SLOT = "\x00imageyard-report-data\x00"


def render_chunks(view: Page) -> Iterator[str]:
    """The HTML text of one view-model in pieces: the page up to the embedded rows, their
    JSON pieces, then the rest of the page."""
    script = _HERE.joinpath("report.js").read_text(encoding="utf-8")
    head, _, tail = _template().render(page=view, script=script, data=_SLOT).rpartition(_SLOT)
    yield head
    yield from view.data
    yield tail


def render_page(view: Page) -> str:
    """The HTML text of one view-model."""
    return "".join(render_chunks(view))


def render(
    results: Results,
    now: datetime.datetime,
    memo: Memo | str | None = None,
    simulation: tuple[Simulation, ...] = (),
) -> str:
    """The HTML report of ``results`` made at ``now``, with the design ``memo`` (design's
    result, or a Markdown memo's text) and the cache ``simulation``'s curves if any."""
    return render_page(page(results, now, memo, simulation))


def render_parts(
    results: Results,
    now: datetime.datetime,
    memo: Memo | str | None = None,
    simulation: tuple[Simulation, ...] = (),
) -> Iterator[str]:
    """``render``'s text in pieces (``render_chunks``)."""
    return render_chunks(page(results, now, memo, simulation))


__all__ = ["render", "render_chunks", "render_page", "render_parts"]

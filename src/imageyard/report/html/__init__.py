"""The HTML report: one self-contained file (styles, script, SVG charts and data inline).

Concepts: ``view.page`` computes everything shown; ``render(page)`` fills the jinja2
template, which holds only loops and conditionals, with autoescaping on. The script
(``report.js``) only pages, sorts and filters the embedded rows; nothing is fetched.
"""

from __future__ import annotations

import datetime
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


def render_page(view: Page) -> str:
    """The HTML text of one view-model."""
    script = _HERE.joinpath("report.js").read_text(encoding="utf-8")
    return _template().render(page=view, script=script)


def render(
    results: Results,
    now: datetime.datetime,
    memo: Memo | str | None = None,
    simulation: tuple[Simulation, ...] = (),
) -> str:
    """The HTML report of ``results`` made at ``now``, with the design ``memo`` (design's
    result, or a Markdown memo's text) and the cache ``simulation``'s curves if any."""
    return render_page(page(results, now, memo, simulation))


__all__ = ["render", "render_page"]

"""Write the real ``--help`` text of each documented command into README.md.

Run after changing a command's options: ``.venv/bin/python tools/update_readme_help.py``.
tests/unit/test_docs.py fails while the README is out of date.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from click.testing import CliRunner

from imageyard.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"<!-- help:(?P<name>[a-z-]+):start -->\n.*?<!-- help:(?P=name):end -->", re.S)


def help_text(name: str) -> str:
    result = CliRunner().invoke(cli, [name, "--help"], terminal_width=100)
    usage = result.output.replace("Usage: cli ", "Usage: imageyard ")
    return usage.rstrip() + "\n"


def render(readme: str) -> str:
    def block(match: re.Match[str]) -> str:
        name = match.group("name")
        body = help_text(name)
        return f"<!-- help:{name}:start -->\n```text\n{body}```\n<!-- help:{name}:end -->"

    return BLOCK.sub(block, readme)


def main() -> int:
    text = README.read_text()
    new = render(text)
    if new != text:
        README.write_text(new)
        print("README.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

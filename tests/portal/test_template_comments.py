"""Django's one-line comment ``{# #}`` ends at the end of its line: one that runs on is printed
on the page, as a note to developers. Longer comments use {% comment %}."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_has_a_one_line_comment_that_runs_onto_the_next_line():
    unclosed = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\{#(?!.*#\})", line)
    ]
    assert unclosed == []

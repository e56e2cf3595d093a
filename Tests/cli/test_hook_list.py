"""deployhook-cli reading hooks from standard input (`-`): a list as Windows editors save it."""

from __future__ import annotations

import json

from conftest import run_cli
from fake_cloudflare import SCENARIOS

HOOKS = [SCENARIOS["ok"], SCENARIOS["guide_shape"]]
BOM = "\ufeff"  # U+FEFF, written as the bytes EF BB BF at the start of a UTF-8 file


def triggered(stdin: str, fake) -> list[str]:
    """Triggers the hooks listed in `stdin`; returns the redacted hooks of the JSON lines (exit 0 required)."""
    run = run_cli("trigger", "--json", "-", stdin=stdin, base_url=fake.base_url, secrets=HOOKS)
    assert run.code == 0, run.err
    return [json.loads(line)["hook"] for line in run.out.splitlines()]


def test_a_leading_byte_order_mark_is_skipped(fake) -> None:
    assert triggered(BOM + "\r\n".join(HOOKS) + "\r\n", fake) == ["1111...", "2222..."]


def test_a_byte_order_mark_before_a_comment_or_blank_line_is_skipped(fake) -> None:
    assert triggered(BOM + "# release hooks\r\n" + HOOKS[0] + "\r\n", fake) == ["1111..."]
    assert triggered(BOM + "\n" + HOOKS[0] + "\n", fake) == ["1111..."]


def test_only_the_first_byte_order_mark_is_skipped(fake) -> None:
    """A second mark, or one that does not open the list, is part of a hook: invalid, and nothing is sent."""
    for stdin in (BOM + BOM + HOOKS[0] + "\n", HOOKS[0] + "\n" + BOM + HOOKS[1] + "\n"):
        fake.reset()
        run = run_cli("trigger", "-", stdin=stdin, base_url=fake.base_url, secrets=HOOKS)
        assert run.code == 2 and "nothing was sent" in run.err
        assert fake.requests() == []

"""deployhook-cli against a hostile server: whatever it sends, no value adds a key or a line to
GITHUB_OUTPUT, a row or a column or markup to the step summary, a control character to anything printed,
or a GitHub Actions workflow command to a printed line. A build_uuid that is not a UUID is never written:
the answer is a response error (exit 6)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ACCOUNT, TOKEN, Emulator, HookConfig, credentials, run_cli
from fake_cloudflare import BUILD_UUID, HOSTILE_BUILD_UUID, HOSTILE_SCENARIOS, HOSTILE_TEXT, SCENARIOS

BAD_UUID, FIELDS, ERROR = (HOSTILE_SCENARIOS[name] for name in ("hostile_build_uuid", "hostile_fields", "hostile_error"))
HOOKS = [SCENARIOS["ok"], *HOSTILE_SCENARIOS.values()]
HOSTILE_CF_RAY = "\x1b[2J\x1b]0;pwned\x07\u009b31m\x7f-SJC"  # as a client decodes the fake's header
LOG_HOOK = "0bad0000-0000-4000-8000-0000000000f1"
HOSTILE_LOG = ["\x1b[31mred\x1b[0m", "two\nlines", "::set-output name=deploy_approved::true", "  ::error::x",
               "\u200b::warning::behind an invisible space", "a ##[set-output name=x;]y", "#\u200b#[set-output name=x;]y",
               "c1 \u009b2J del \x7f tab\tend", "plain line"]
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")  # any control character but the line feed


def printed_lines(text: str) -> list[str]:
    """The lines of printed text, each checked: no control character, and no GitHub Actions workflow command
    (`::` opening the line after blanks, `##[` anywhere), even with invisible characters in between."""
    assert CONTROL.search(text) is None, repr(text)
    lines = text.splitlines()
    for line in lines:
        visible = "".join(c for c in line if unicodedata.category(c) != "Cf")
        assert not visible.lstrip().startswith("::") and "##[" not in visible, repr(line)
    return lines


def output_keys(path: Path) -> list[str]:
    return [line.split("=", 1)[0] for line in path.read_text().splitlines()]


def summary_rows(path: Path) -> list[list[str]]:
    """The step summary table's rows (header and separator included), split into cells at unescaped `|`."""
    lines = printed_lines(path.read_text())
    return [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines if line.startswith("|")]


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator({LOG_HOOK: HookConfig(phase_seconds=0.1, logs=HOSTILE_LOG)}, token=TOKEN, account_id=ACCOUNT) as running:
        yield running


# ---- build_uuid must be a UUID ----

def test_a_build_uuid_that_is_not_a_uuid_is_never_written(fake, tmp_path: Path) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    run = run_cli("trigger", SCENARIOS["ok"], BAD_UUID, base_url=fake.base_url, env=env, secrets=HOOKS)
    assert run.code == 6
    assert output_keys(output) == ["build_uuid", "status"]
    assert output.read_text() == f"build_uuid={BUILD_UUID} \nstatus=queued \n"
    assert len(summary_rows(summary)) == 4 and "deploy_approved" not in summary.read_text()
    errors = printed_lines(run.err)
    assert len(errors) == 1 and "build_uuid is not a UUID" in errors[0] and errors[0].startswith("deployhook-cli: ")
    assert "deploy_approved" not in run.out + run.err


def test_a_build_uuid_that_is_not_a_uuid_is_a_response_error_in_json(fake) -> None:
    run = run_cli("trigger", "--json", BAD_UUID, base_url=fake.base_url, secrets=HOOKS)
    assert run.code == 6
    answer = json.loads(run.out)
    assert answer["build_uuid"] is None and answer["status"] is None and answer["error"]["kind"] == "response"
    assert "deploy_approved" not in run.out + run.err


def test_a_bad_build_uuid_is_not_waited_for(fake) -> None:
    """It used to reach the wait, which refused it as an invalid argument: exit 2, as if nothing was sent."""
    run = run_cli("trigger", "--wait", BAD_UUID, base_url=fake.base_url, env=credentials(), secrets=HOOKS)
    assert run.code == 6 and "build_uuid is not a UUID" in run.err


# ---- free text: messages, created_on, cf-ray, status ----

@pytest.mark.parametrize("flags", [[], ["--verbose"], ["--json"], ["--json", "--verbose"]])
def test_hostile_text_reaches_no_printed_line_raw(fake, flags: list[str]) -> None:
    run = run_cli("trigger", "--retries", "0", *flags, FIELDS, ERROR, base_url=fake.base_url, secrets=HOOKS)
    assert run.code == 6
    out, err = printed_lines(run.out), printed_lines(run.err)
    assert len(out) == (2 if "--json" in flags else 1)
    assert len([line for line in err if "Cloudflare error 10000" in line]) == 1
    assert "\ufffd[2J\ufffd]0;pwned\ufffd\ufffd31m\ufffd-SJC" in run.err  # the cf-ray, each control replaced
    if "--verbose" in flags:
        assert len([line for line in err if " -> HTTP " in line]) == 2


def test_json_keeps_hostile_values_exact_and_escaped(fake) -> None:
    """JSON escapes what it carries (control characters, `[`) and so stays lossless: parsed, every value is
    what the server sent. `status` is an enum: an unknown value is `unknown`."""
    run = run_cli("trigger", "--json", FIELDS, ERROR, base_url=fake.base_url, secrets=HOOKS)
    fields, error = (json.loads(line) for line in printed_lines(run.out))
    assert fields["created_on"] == HOSTILE_TEXT and fields["status"] == "unknown"
    assert fields["cf_ray"] == HOSTILE_CF_RAY and error["cf_ray"] == HOSTILE_CF_RAY
    assert "\x1b[31mred" in error["error"]["message"] and "| injected | row |\n" in error["error"]["message"]


def test_hostile_message_adds_no_row_column_or_markup_to_the_summary(fake, tmp_path: Path) -> None:
    summary = tmp_path / "summary"
    run = run_cli("trigger", "--retries", "0", ERROR, SCENARIOS["ok"], base_url=fake.base_url,
                  env={"GITHUB_STEP_SUMMARY": str(summary)}, secrets=HOOKS)
    assert run.code == 6
    rows = summary_rows(summary)
    assert len(rows) == 4 and {len(row) for row in rows} == {4}
    result = rows[2][3]
    assert "injected" in result and re.search(r"(?<!\\)[<>\[\]()`*&|!#:]", result) is None, result


# ---- log lines ----

def test_hostile_log_lines_stay_one_line_each_and_inert(emulator) -> None:
    run = run_cli("trigger", "--logs", LOG_HOOK, base_url=emulator.base_url, env=credentials(), secrets=[LOG_HOOK])
    assert run.code == 0, run.err
    lines = printed_lines(run.err)
    start = lines.index("\ufffd[31mred\ufffd[0m")
    assert lines[start:start + len(HOSTILE_LOG)][-1] == "plain line"
    assert lines[start + 1] == "two\ufffdlines" and lines[start + 2] == "\ufffd:set-output name=deploy_approved::true"

"""deployhook-cli over real processes: every exit code, the output shapes, waiting, GitHub outputs, secrecy."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from conftest import (ACCOUNT, CANCELLED_HOOK, FAIL_HOOK, LOG_HOOK, LOG_LINES, OK_HOOK, SLOW_HOOK, STEADY_HOOK, TOKEN,
                      credentials, run_cli)
from fake_cloudflare import SCENARIOS, UNKNOWN_UUID, delayed_build_uuid, delayed_hook

JSON_KEYS = ["hook", "build_uuid", "status", "already_exists", "created_on", "cf_ray", "error"]
WAIT_JSON_KEYS = ["hook", "build_uuid", "status", "already_exists", "created_on", "cf_ray", "outcome", "preview_url",
                  "branch", "commit", "commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name",
                  "initializing_on", "running_on", "stopped_on", "modified_on", "cancelled_on_timeout", "error"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- help, version, usage ----

def test_version_and_help() -> None:
    version = run_cli("--version")
    assert version.code == 0 and version.out.startswith("deployhook-cli 0.")
    helped = run_cli("--help")
    assert helped.code == 0
    for text in ("USAGE", "EXIT STATUS", "EXAMPLES", "--wait-timeout", "GITHUB_OUTPUT", "CLOUDFLARE_DEPLOY_HOOK"):
        assert text in helped.out
    assert run_cli("trigger", "--help").code == 0


@pytest.mark.parametrize("args", [
    [], ["deploy"], ["trigger", "--bogus"], ["trigger", "--timeout"], ["trigger", "--timeout", "soon"],
    ["trigger", "--timeout", "0"], ["trigger", "--retries", "-1"], ["trigger", "--retries", "many"],
    ["trigger", "--base-url", "ftp://x"], ["trigger", "--ca-file", "/nonexistent"], ["trigger", "--account-id", "../x"],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert run.out == "" and "deployhook-cli:" in run.err


def test_invalid_hook_exits_2_and_sends_nothing(fake) -> None:
    fake.reset()
    run = run_cli("trigger", SCENARIOS["ok"], "not-a-hook", base_url=fake.base_url)
    assert run.code == 2
    assert "hook 2 of 2" in run.err and "nothing was sent" in run.err
    assert fake.requests() == []


def test_no_hook_exits_2() -> None:
    run = run_cli("trigger")
    assert run.code == 2 and "CLOUDFLARE_DEPLOY_HOOK" in run.err


def test_wait_without_credentials_exits_2_and_sends_nothing(fake) -> None:
    fake.reset()
    run = run_cli("trigger", "--wait", SCENARIOS["ok"], base_url=fake.base_url)
    assert run.code == 2 and "CLOUDFLARE_API_TOKEN" in run.err
    assert fake.requests() == []


def test_hook_looking_argument_is_not_echoed_in_usage_errors() -> None:
    run = run_cli("trigger", "--retries", OK_HOOK)
    assert run.code == 2  # run_cli already asserts the hook is not in the output


# ---- triggering ----

def test_success_human_output(emulator) -> None:
    run = run_cli("trigger", OK_HOOK, base_url=emulator.base_url)
    assert run.code == 0, run.err
    assert run.out.startswith("deploy hook a1b2...: build ") and run.out.rstrip().endswith(("queued", "(already queued: no new build started)"))
    assert run.err == ""


def test_hook_from_environment_and_trigger_url(emulator) -> None:
    run = run_cli("trigger", base_url=emulator.base_url, env={"CLOUDFLARE_DEPLOY_HOOK": OK_HOOK + "\n"})
    assert run.code == 0, run.err
    url = f"{emulator.base_url}/workers/builds/deploy_hooks/{OK_HOOK}"
    assert run_cli("trigger", url, base_url=emulator.base_url).code == 0


def test_hooks_from_stdin(emulator) -> None:
    stdin = f"# hooks for the release\n\n{OK_HOOK}\n  {FAIL_HOOK}  \n"
    run = run_cli("trigger", "--json", "-", base_url=emulator.base_url, stdin=stdin)
    assert run.code == 0, run.err
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert [line["hook"] for line in lines] == ["a1b2...", "b1b2..."]


def test_already_queued_is_said(emulator) -> None:
    run_cli("trigger", SLOW_HOOK, base_url=emulator.base_url)
    run = run_cli("trigger", SLOW_HOOK, base_url=emulator.base_url)
    assert run.code == 0 and "already queued" in run.out


def test_quiet_prints_nothing_on_success_but_errors_still(emulator) -> None:
    assert run_cli("trigger", "-q", OK_HOOK, base_url=emulator.base_url).out == ""
    failed = run_cli("trigger", "--quiet", UNKNOWN_UUID, base_url=emulator.base_url)
    assert failed.code == 3 and "not found" in failed.err


@pytest.mark.parametrize("scenario, code, kind", [
    ("unknown", 3, "not_found"),
    ("rate_limited", 4, "rate_limited"),
    ("drop", 5, "network"),
    ("slow", 5, "timeout"),
    ("api_error", 6, "api"),
    ("html_502", 6, "http"),
    ("redirect", 6, "http"),
    ("truncated", 6, "response"),
    ("huge", 6, "response"),
])
def test_error_exit_codes_and_json(fake, scenario: str, code: int, kind: str) -> None:
    hook = UNKNOWN_UUID if scenario == "unknown" else SCENARIOS[scenario]
    run = run_cli("trigger", "--json", "--retries", "0", "--timeout", "500ms", hook, base_url=fake.base_url,
                  secrets=[hook])
    assert run.code == code, run.err
    answer = json.loads(run.out)
    assert list(answer) == JSON_KEYS
    assert answer["error"]["kind"] == kind and answer["build_uuid"] is None
    assert set(answer["error"]) == {"kind", "api_code", "http_status", "message"}
    assert hook[:4] + "..." in run.err


def test_network_and_tls_failures_exit_5(fake) -> None:
    refused = run_cli("trigger", "--retries", "0", SCENARIOS["ok"], base_url=f"http://127.0.0.1:{closed_port()}/client/v4",
                      secrets=[SCENARIOS["ok"]])
    assert refused.code == 5
    tls = run_cli("trigger", "--json", SCENARIOS["ok"], base_url=fake.base_url.replace("http://", "https://"),
                  secrets=[SCENARIOS["ok"]])
    assert tls.code == 5 and json.loads(tls.out)["error"]["kind"] == "tls"


def test_json_success_shape(fake) -> None:
    run = run_cli("trigger", "--json", SCENARIOS["ok"], base_url=fake.base_url, secrets=[SCENARIOS["ok"]])
    assert run.code == 0
    answer = json.loads(run.out)
    assert answer == {"hook": "1111...", "build_uuid": "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", "status": "queued",
                      "already_exists": False, "created_on": "2019-12-27T18:11:19.117Z", "cf_ray": answer["cf_ray"],
                      "error": None}
    assert answer["cf_ray"].endswith("-SJC")


def test_several_hooks_worst_code_wins_and_order_is_kept(fake) -> None:
    hooks = [SCENARIOS["ok"], UNKNOWN_UUID, SCENARIOS["api_error"], SCENARIOS["guide_shape"]]
    run = run_cli("trigger", "--json", *hooks, base_url=fake.base_url, secrets=hooks)
    assert run.code == 6
    assert [json.loads(line)["hook"] for line in run.out.splitlines()] == ["1111...", "1234...", "8888...", "2222..."]


def test_fan_out_respects_concurrency_and_keeps_order(fake) -> None:
    """12 hooks read from stdin, 3 at a time: the later ones answer sooner, yet lines come in input order,
    and the server never sees more than 3 in flight, on 3 connections."""
    hooks = [delayed_hook(index, 360 - 20 * index) for index in range(12)]
    fake.reset()
    run = run_cli("trigger", "--json", "--concurrency", "3", "-", stdin="\n".join(hooks) + "\n",
                  base_url=fake.base_url, secrets=hooks)
    assert run.code == 0, run.err
    assert [json.loads(line)["build_uuid"] for line in run.out.splitlines()] == [delayed_build_uuid(h) for h in hooks]
    assert fake.stats() == {"connections": 3, "in_flight": 0, "max_in_flight": 3}


def test_verbose_shows_each_attempt_redacted(fake) -> None:
    hook = SCENARIOS["rate_limited"]
    run = run_cli("trigger", "--verbose", "--retries", "2", hook, base_url=fake.base_url, secrets=[hook])
    assert run.code == 4
    attempts = [line for line in run.err.splitlines() if " -> HTTP 429" in line]
    assert len(attempts) == 3
    assert attempts[0].startswith(f"deployhook-cli: POST {fake.base_url}/workers/builds/deploy_hooks/5555... -> HTTP 429 (cf-ray ")
    assert "retrying in" in attempts[0] and "retrying in" not in attempts[-1]


# ---- waiting ----

def test_wait_success_failure_and_cancelled(emulator) -> None:
    run = run_cli("trigger", "--wait", "--json", OK_HOOK, FAIL_HOOK, CANCELLED_HOOK, base_url=emulator.base_url,
                  env=credentials())
    assert run.code == 7, run.err
    answers = [json.loads(line) for line in run.out.splitlines()]
    assert [list(answer) for answer in answers] == [WAIT_JSON_KEYS] * 3
    assert [(a["status"], a["outcome"]) for a in answers] == [("stopped", "success"), ("stopped", "fail"),
                                                               ("stopped", "cancelled")]
    assert answers[0]["preview_url"].startswith("https://")


def test_wait_success_exits_0_with_outcome_line(emulator) -> None:
    run = run_cli("trigger", "--wait", STEADY_HOOK, base_url=emulator.base_url, env=credentials())
    assert run.code == 0, run.err
    assert "stopped: success" in run.out
    assert " queued" in run.err.splitlines()[0]  # progress on stderr, from the first poll
    assert "stopped" not in run.err  # the final line on stdout says it


def test_wait_failure_exits_7(emulator) -> None:
    run = run_cli("trigger", "--wait", FAIL_HOOK, base_url=emulator.base_url, env=credentials())
    assert run.code == 7 and "stopped: fail" in run.out


def test_wait_timeout_exits_8(emulator) -> None:
    run = run_cli("trigger", "--wait", "--wait-timeout", "1s", "--json", SLOW_HOOK, base_url=emulator.base_url,
                  env=credentials())
    assert run.code == 8
    answer = json.loads(run.out)
    assert answer["error"]["kind"] == "wait_timeout" and answer["build_uuid"] is not None


def test_logs_stream_in_order(emulator) -> None:
    run = run_cli("trigger", "--logs", LOG_HOOK, base_url=emulator.base_url, env=credentials())
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if line in LOG_LINES]
    assert lines == LOG_LINES


def test_wrong_token_exits_6_without_printing_it(emulator) -> None:
    wrong = "definitely-not-the-token-123"
    run = run_cli("trigger", "--wait", OK_HOOK, base_url=emulator.base_url,
                  env={"CLOUDFLARE_API_TOKEN": wrong, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT}, secrets=[wrong])
    assert run.code == 6 and "Cloudflare error" in run.err


def test_account_option_beats_environment(emulator) -> None:
    env = {"CLOUDFLARE_API_TOKEN": TOKEN, "CLOUDFLARE_ACCOUNT_ID": "ffffffffffffffffffffffffffffffff"}
    assert run_cli("trigger", "--wait", OK_HOOK, base_url=emulator.base_url, env=env).code == 3  # unknown account
    assert run_cli("trigger", "--wait", "--account-id", ACCOUNT, OK_HOOK, base_url=emulator.base_url, env=env).code == 0


# ---- GitHub Actions ----

def test_github_outputs_and_summary(emulator, tmp_path: Path) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.write_text("earlier=1\n")
    env = {**credentials(), "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
    run = run_cli("trigger", "--wait", OK_HOOK, FAIL_HOOK, base_url=emulator.base_url, env=env)
    assert run.code == 7
    lines = output.read_text().splitlines()
    assert lines[0] == "earlier=1"
    values = dict(line.split("=", 1) for line in lines[1:])
    assert set(values) == {"build_uuid", "status", "outcome", "branch", "commit"}
    assert values["status"] == "stopped stopped" and values["outcome"] == "success fail"
    assert values["branch"] == "main main" and all(len(commit) == 40 for commit in values["commit"].split())
    assert len(values["build_uuid"].split()) == 2
    table = summary.read_text()
    assert "| `a1b2...` |" in table and "| fail |" in table
    for text in (output.read_text(), table):
        for secret in (OK_HOOK, FAIL_HOOK, TOKEN):
            assert secret not in text and secret.upper() not in text


def test_github_outputs_without_wait(fake, tmp_path: Path) -> None:
    output = tmp_path / "output"
    run = run_cli("trigger", SCENARIOS["ok"], base_url=fake.base_url, env={"GITHUB_OUTPUT": str(output)},
                  secrets=[SCENARIOS["ok"]])
    assert run.code == 0
    assert output.read_text() == "build_uuid=182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\nstatus=queued\n"

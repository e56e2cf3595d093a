"""deployhook-cli over the fake's build endpoints: `cancel`, `--cancel-on-timeout`, build details in every
output, logs scrubbed of the hook, and SIGINT / SIGTERM stopping requests in flight (exit 130 / 143)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLI, run_cli
from fake_cloudflare import ACCOUNT_ID, API_TOKEN, BUILD_SCENARIOS, BUILD_UUID, SCENARIOS, build_uuid_of

CANCEL_RUNNING = BUILD_SCENARIOS["cancel_running"]
BUILD_FULL = BUILD_SCENARIOS["build_full"]
ECHO_HOOK = BUILD_SCENARIOS["echo_hook"]
SLOW_HOOK = SCENARIOS["slow"]  # answers after 5 s
ALREADY_STOPPED, CANCELLED_ON_TIMEOUT = 10, 11


def builds_env(tmp_path: Path | None = None) -> dict[str, str]:
    env = {"CLOUDFLARE_API_TOKEN": API_TOKEN, "CLOUDFLARE_ACCOUNT_ID": ACCOUNT_ID}
    if tmp_path is not None:
        env["GITHUB_OUTPUT"] = str(tmp_path / "output")
    return env


def test_cancel_a_running_build(fake) -> None:
    fake.reset()
    uuid = build_uuid_of("cancel_running")
    run = run_cli("cancel", uuid, base_url=fake.base_url, env=builds_env(), secrets=[API_TOKEN])
    assert run.code == 0, run.err
    assert run.out.startswith(f"build {uuid} cancelled")
    again = run_cli("cancel", "--json", uuid, base_url=fake.base_url, env=builds_env(), secrets=[API_TOKEN])
    answer = json.loads(again.out)
    assert answer["build_uuid"] == uuid and answer["outcome"] == "cancelled" and answer["error"] is None
    assert [r["method"] for r in fake.requests() if r["path"].endswith("/cancel")] == ["PUT", "PUT"]


def test_cancel_a_stopped_build_says_so(fake) -> None:
    uuid = build_uuid_of("cancel_stopped")
    run = run_cli("cancel", uuid, base_url=fake.base_url, env=builds_env(), secrets=[API_TOKEN])
    assert run.code == ALREADY_STOPPED, run.err
    assert "had already stopped: success" in run.out
    answer = json.loads(run_cli("cancel", "--json", uuid, base_url=fake.base_url, env=builds_env()).out)
    assert answer["already_stopped"] is True and answer["outcome"] == "success"


def test_cancel_refused_by_the_api_is_an_api_error(fake) -> None:
    run = run_cli("cancel", build_uuid_of("cancel_stopped_error"), base_url=fake.base_url, env=builds_env())
    assert run.code == 6 and "12002" in run.err


def test_cancel_needs_credentials_and_build_uuids(fake) -> None:
    fake.reset()
    assert run_cli("cancel", build_uuid_of("cancel_running"), base_url=fake.base_url).code == 2
    assert run_cli("cancel", "not-a-uuid", base_url=fake.base_url, env=builds_env()).code == 2
    assert run_cli("cancel", base_url=fake.base_url, env=builds_env()).code == 2
    assert fake.requests() == []


def test_cancel_on_timeout(fake, tmp_path: Path) -> None:
    fake.reset()
    env = builds_env(tmp_path)
    started = time.monotonic()
    run = run_cli("trigger", "--wait-timeout", "1", "--cancel-on-timeout", CANCEL_RUNNING, base_url=fake.base_url,
                  env=env, secrets=[CANCEL_RUNNING])
    assert run.code == CANCELLED_ON_TIMEOUT, run.err
    assert time.monotonic() - started < 5
    assert "stopped: cancelled" in run.out and "did not stop before --wait-timeout" in run.out
    assert f"outcome=cancelled" in Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
    # Without the flag the build is left running and the wait timeout is the status.
    fake.reset()
    plain = run_cli("trigger", "--wait-timeout", "1", "--wait", CANCEL_RUNNING, base_url=fake.base_url, env=builds_env())
    assert plain.code == 8
    assert not [r for r in fake.requests() if r["path"].endswith("/cancel")]


def test_build_details_reach_every_output(fake, tmp_path: Path) -> None:
    env = builds_env(tmp_path)
    run = run_cli("trigger", "--wait", BUILD_FULL, base_url=fake.base_url, env=env, secrets=[BUILD_FULL])
    assert run.code == 0, run.err
    assert f"build {build_uuid_of('build_full')} on main @ 1a2b3c4 stopped: success" in run.out
    lines = Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
    assert "branch=main" in lines and any(line.startswith("commit=1a2b3c4") and len(line) == 47 for line in lines)
    report = json.loads(run_cli("trigger", "--wait", "--json", BUILD_FULL, base_url=fake.base_url, env=builds_env()).out)
    assert report["branch"] == "main" and report["commit"].startswith("1a2b3c4")
    for field in ("commit_message", "author", "trigger_source", "deploy_hook_name", "trigger_name", "stopped_on"):
        assert report[field], field


def test_logs_never_show_the_hook(fake) -> None:
    """The echo_hook build prints its own hook (dashed and not) in its logs and fields: none of it leaks."""
    run = run_cli("trigger", "--wait", "--logs", "--json", ECHO_HOOK, base_url=fake.base_url, env=builds_env(),
                  secrets=[ECHO_HOOK, ECHO_HOOK.replace("-", "")])
    assert run.err.strip(), "the build's log lines should be printed"


def interrupted(args: list[str], sig: int, fake, tmp_path: Path, after: float = 0.5) -> tuple[int, float, str, str]:
    """Runs the CLI, sends `sig` after `after` seconds; returns its status, seconds from signal to exit, out, err."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_PROXY": "127.0.0.1",
           "CLOUDFLARE_BASE_URL": fake.base_url, **builds_env(tmp_path)}
    process = subprocess.Popen([str(CLI), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    time.sleep(after)
    sent = time.monotonic()
    process.send_signal(sig)
    out, err = process.communicate(timeout=30)
    return process.returncode, time.monotonic() - sent, out, err


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_a_trigger_at_once_and_still_reports(fake, tmp_path: Path, sig: int, status: int) -> None:
    fake.reset()
    code, seconds, out, err = interrupted(["trigger", SLOW_HOOK, SCENARIOS["ok"]], sig, fake, tmp_path)
    assert code == status, err
    assert seconds < 0.5
    assert f"build {BUILD_UUID} queued" in out  # the hook that was triggered is reported
    assert "interrupted" in err
    assert Path(tmp_path / "output").read_text().startswith(f"build_uuid= {BUILD_UUID}")


def test_a_signal_stops_a_wait_and_names_the_build(fake, tmp_path: Path) -> None:
    fake.reset()
    code, seconds, out, err = interrupted(["trigger", "--wait", CANCEL_RUNNING], signal.SIGINT, fake, tmp_path, after=1.0)
    assert code == 130, err
    assert seconds < 0.5
    assert f"build {build_uuid_of('cancel_running')}" in err and "interrupted" in err
    assert f"build_uuid={build_uuid_of('cancel_running')}" in Path(tmp_path / "output").read_text()


@pytest.mark.parametrize("pasted", [
    "https://api.cloudflare.com/client/v4/workers/builds/deploy_hooks/" + SCENARIOS["ok"],
    "http://127.0.0.1:9/client/v4/" + SCENARIOS["ok"].replace("-", ""),
])
def test_a_trigger_url_pasted_as_the_base_is_refused_without_echoing_it(fake, pasted: str) -> None:
    """Issue 11, item 15: the base would carry the hook into every message that names it."""
    fake.reset()
    for run in (run_cli("trigger", "--verbose", "--base-url", pasted, SCENARIOS["ok"], secrets=[SCENARIOS["ok"]]),
                run_cli("trigger", "--verbose", SCENARIOS["ok"], env={"CLOUDFLARE_BASE_URL": pasted},
                        secrets=[SCENARIOS["ok"], SCENARIOS["ok"].replace("-", "")])):
        assert run.code == 2, run.err
        assert "deploy hook path or a UUID" in run.err
        assert SCENARIOS["ok"].replace("-", "") not in run.err
    assert fake.requests() == []

"""deployhook-cli when an output it was asked to write cannot be written: a closed pipe (SIGPIPE), a full
disk (/dev/full), an unwritable GITHUB_OUTPUT or GITHUB_STEP_SUMMARY. It finishes its work, writes every
output it can, says what failed on stderr, and exits 9."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli
from fake_cloudflare import BUILD_UUID, GUIDE_BUILD_UUID, SCENARIOS, UNKNOWN_UUID

HOOKS = [SCENARIOS["ok"], SCENARIOS["guide_shape"], SCENARIOS["already_exists"]]
OUTPUT_FAILED = 9


def github_files(tmp_path: Path) -> dict[str, str]:
    return {"GITHUB_OUTPUT": str(tmp_path / "output"), "GITHUB_STEP_SUMMARY": str(tmp_path / "summary")}


def assert_github_files_written(env: dict[str, str]) -> None:
    lines = Path(env["GITHUB_OUTPUT"]).read_text().splitlines()
    assert lines == [f"build_uuid={BUILD_UUID} {GUIDE_BUILD_UUID} {BUILD_UUID}", "status=queued unknown running"]
    assert Path(env["GITHUB_STEP_SUMMARY"]).read_text().count("| triggered |") == 2


def test_closed_pipe_does_not_kill_it(fake, tmp_path: Path) -> None:
    """`deployhook-cli trigger --json H H H | head -c0`, made deterministic: the reader is gone before the
    first write. SIGPIPE used to kill the CLI (exit 141, -13 here) before it wrote GITHUB_OUTPUT."""
    reader, writer = os.pipe()
    os.close(reader)
    env = github_files(tmp_path)
    fake.reset()
    try:
        run = run_cli("trigger", "--json", *HOOKS, base_url=fake.base_url, env=env, secrets=HOOKS, stdout=writer)
    finally:
        os.close(writer)
    assert run.code == OUTPUT_FAILED, run.err
    assert "cannot write standard output" in run.err and "Broken pipe" in run.err
    assert len(fake.requests()) == 3
    assert_github_files_written(env)


def test_full_disk_on_stdout_exits_9(fake, tmp_path: Path) -> None:
    env = github_files(tmp_path)
    with open("/dev/full", "w") as full:
        run = run_cli("trigger", *HOOKS, base_url=fake.base_url, env=env, secrets=HOOKS, stdout=full)
    assert run.code == OUTPUT_FAILED
    assert "cannot write standard output: No space left on device" in run.err
    assert_github_files_written(env)


def test_output_failure_outranks_the_hooks_status(fake) -> None:
    with open("/dev/full", "w") as full:
        run = run_cli("trigger", "--json", UNKNOWN_UUID, base_url=fake.base_url, stdout=full)
    assert run.code == OUTPUT_FAILED and "not found" in run.err


@pytest.mark.parametrize("variable", ["GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY"])
@pytest.mark.parametrize("where", ["directory", "missing directory", "/dev/full"])
def test_unwritable_github_file_exits_9(fake, tmp_path: Path, variable: str, where: str) -> None:
    """The other outputs are still written; stderr names the one that failed."""
    env = github_files(tmp_path)
    env[variable] = {"directory": str(tmp_path), "missing directory": str(tmp_path / "gone" / "file"),
                     "/dev/full": "/dev/full"}[where]
    run = run_cli("trigger", SCENARIOS["ok"], base_url=fake.base_url, env=env, secrets=[SCENARIOS["ok"]])
    assert run.code == OUTPUT_FAILED
    assert f"cannot append to {variable}" in run.err
    assert run.out.startswith("deploy hook 1111...: build ")
    other = "GITHUB_STEP_SUMMARY" if variable == "GITHUB_OUTPUT" else "GITHUB_OUTPUT"
    assert Path(env[other]).read_text() != ""


@pytest.mark.parametrize("args", [["--version"], ["--help"]])
def test_version_and_help_on_a_full_disk_exit_9(args: list[str]) -> None:
    with open("/dev/full", "w") as full:
        run = run_cli(*args, stdout=full)
    assert run.code == OUTPUT_FAILED and "cannot write standard output" in run.err


def test_quiet_writes_nothing_so_nothing_fails(fake) -> None:
    with open("/dev/full", "w") as full:
        assert run_cli("trigger", "--quiet", SCENARIOS["ok"], base_url=fake.base_url, stdout=full).code == 0

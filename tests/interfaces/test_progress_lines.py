"""CI logs get a progress line every few seconds when stderr is not a terminal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from cloudaudit.cli import main
from cloudaudit.cli._progress import LineProgress


def test_a_line_per_interval_never_more(capsys: pytest.CaptureFixture[str]) -> None:
    now = [0.0]
    progress = LineProgress(every=5, clock=lambda: now[0])
    for step in range(1, 31):  # 30 units over 15 seconds
        now[0] = step * 0.5
        progress(step, 30, "aws")
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "progress: 5s, units done: aws 10/30",
        "progress: 10s, units done: aws 20/30",
        "progress: 15s, units done: aws 30/30",
    ]


def test_the_cli_logs_progress_when_stderr_is_not_a_terminal() -> None:
    runner = CliRunner()
    logged = runner.invoke(main, ["demo"], env={"CLOUDAUDIT_PROGRESS_SECONDS": "0"})
    assert "progress: " in logged.stderr and "units done: " in logged.stderr
    quiet = runner.invoke(main, ["demo", "-q"], env={"CLOUDAUDIT_PROGRESS_SECONDS": "0"})
    assert "progress: " not in quiet.stderr

"""The run report: one self-contained HTML file that headless Chromium renders with its plots."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from alchemistcoder.config import RunConfig
from alchemistcoder.pipeline import run_pipeline
from alchemistcoder.report import render_report
from test_pipeline_standins import FULL_STANDIN_STAGES, STANDIN_STAGES, standin_config

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("chromium")
    assert exe, "chromium is not installed (scripts/setup.sh installs it)"
    return subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def full_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("report") / "run"
    cfg = standin_config(shared_data, run, limit=120)
    cfg = RunConfig.model_validate({**cfg.model_dump(), "train": {"enabled": True}, "evaluate": {"enabled": True}})
    run_pipeline(cfg, FULL_STANDIN_STAGES, quiet=True)
    return run


def test_report_renders_in_headless_chromium_with_its_plots(full_run: Path, tmp_path: Path) -> None:
    report = full_run / "report.html"
    assert report.exists()
    text = report.read_text()
    # self-contained: no external resource of any kind
    assert "http://" not in text and "https://" not in text and "<script" not in text
    dom = _chromium(["--dump-dom", report.as_uri()], tmp_path / "profile1")
    assert dom.returncode == 0, dom.stderr[-2000:]
    imgs = dom.stdout.count('<img class="plot"')
    # source lengths, mix by task and by source, rejects, training loss, eval error classes
    assert imgs >= 6, imgs
    for heading in ("Source profiles", "Composition of the final mix", "Rejects by reason", "Decontamination hits",
                    "AlchemistPrompt examples", "Code-comprehension tasks", "Training", "Evaluation"):
        assert f"<h2>{heading}</h2>" in dom.stdout
    assert "No loss log found" not in dom.stdout and "left no results" not in dom.stdout
    assert "humaneval" in dom.stdout and "wrong_answer" in dom.stdout and "0.150" in dom.stdout
    shot = tmp_path / "shot.png"
    res = _chromium(["--window-size=1200,4000", f"--screenshot={shot}", report.as_uri()], tmp_path / "profile2")
    assert res.returncode == 0 and shot.exists(), res.stderr[-2000:]
    import matplotlib.image as mpimg

    pixels = mpimg.imread(shot)[..., :3]
    non_white = (pixels.mean(axis=2) < 0.95).mean()
    # text, tables and plots cover a real part of the page; colored bars (not only gray text) are present
    assert non_white > 0.03, non_white
    colorful = (np.ptp(pixels, axis=2) > 0.25).mean()
    assert colorful > 0.005, colorful


def test_sections_of_stages_that_did_not_run_say_so(shared_data: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    cfg = standin_config(shared_data, run, limit=40)
    cfg = RunConfig.model_validate({**cfg.model_dump(), "harmonize": {"enabled": False}})
    run_pipeline(cfg, STANDIN_STAGES, quiet=True)
    html = render_report(run, cfg)
    assert "The harmonize stage did not run" in html
    assert "The train stage did not run." in html and "The evaluate stage did not run." in html
    assert "Curation did not run" not in html


def test_report_cli_rewrites_the_report(full_run: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from alchemistcoder.cli import app

    (full_run / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", str(full_run)])
    assert result.exit_code == 0, result.output
    assert (full_run / "report.html").exists() and "report.html" in result.output

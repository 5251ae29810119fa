"""What a platform reads: the Procfile and the Dockerfile. (No Docker engine runs here, so
the image itself is built only by whoever deploys; these are the promises it must keep.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_procfile_migrates_in_the_release_phase_then_serves() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    assert {k: v.strip() for k, v in lines.items()} == {
        "release": "python -m bot migrate",
        "web": "python -m bot serve",
    }


def test_dockerfile_is_slim_non_root_secret_free_and_serves() -> None:
    text = (ROOT / "Dockerfile").read_text()
    instructions = re.findall(r"^(FROM|USER|CMD|ENV|ARG|COPY)\s+(.*)$", text, re.M)
    final_stage = text.rsplit("\nFROM ", 1)[1]
    assert re.match(r"python:3\.\d+-slim\b", final_stage)
    [user] = [value for name, value in instructions if name == "USER"]
    assert user.strip() not in ("0", "root")
    [cmd] = [value for name, value in instructions if name == "CMD"]
    assert json.loads(cmd) == ["python", "-m", "bot", "serve"]  # exec form: SIGTERM reaches it
    settings = " ".join(v for n, v in instructions if n in ("ENV", "ARG")) + text
    for secret in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "ENCRYPTION_KEY"):
        assert secret not in settings
    for name, value in instructions:
        if name == "COPY" and not value.startswith("--from"):
            for source in value.split()[:-1]:
                assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", "*.sqlite3", "*.sqlite3.key", ".venv", ".git"} <= set(ignored)

"""The README is a front door: short, and every link in it and in docs/ leads somewhere."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text) <= 15_000, len(text)
    for part in ("## The two commands", "## The page in brief", "## The command line in brief", "## Deploying",
                 "## Read more", "docs/screenshot.png"):
        assert part in text, part


def test_every_local_link_and_picture_exists():
    missing = []
    for page in PAGES:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if not target.startswith(("http://", "https://")) and not (page.parent / target).exists():
                missing.append(f"{page.relative_to(ROOT)}: {target}")
    assert not missing, missing

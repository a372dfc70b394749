import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    """A headless Chromium for a module's browser tests (tests/browser_helpers.py)."""
    from browser_helpers import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def server():
    """`streamlit run streamlit_app.py` for a module's browser tests; its log goes to artifacts/."""
    from browser_helpers import ROOT, streamlit_server

    (ROOT / "artifacts").mkdir(exist_ok=True)
    with streamlit_server() as url:
        yield url

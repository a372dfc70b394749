"""The site's page: index.html, which shows our loading screen, loads stlite and mounts the app on Pyodide
from the two archives."""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

from .pins import PYODIDE_VERSION, STLITE_SRI, STLITE_VERSION

HERE = Path(__file__).resolve().parent
STREAMLIT_CONFIG = ".streamlit/config.toml"
# What the app imports beyond Streamlit (whose own requirements come from its wheel in stlite's build).
REQUIREMENTS = ("numpy",)
# What of stlite 0.75.0's build the first screen needs besides its script, style and wheels: the chunks of
# its elements' code, which stlite asks for only once the app's first run is drawn (measured: requests of a
# first visit to the offline site in Chromium). The loading screen loads them once stlite's worker has
# started Python, when the page has little else to do; stlite then finds them loaded. Others still load
# when needed.
STLITE_EARLY = ("static/js/3092.09c65360.chunk.js",
                "static/js/8805.d74420bd.chunk.js", "static/js/3947.be3a1148.chunk.js",
                "static/js/5226.e383a656.chunk.js", "static/js/3089.04dad5dd.chunk.js",
                "static/js/9996.6bad4ac5.chunk.js", "static/js/2534.5464178a.chunk.js",
                "static/js/5987.3c54b32f.chunk.js", "static/js/183.91df82a7.chunk.js",
                "static/js/9299.eaa483ba.chunk.js", "static/js/2734.94ea551d.chunk.js",
                "static/js/1344.9c417960.chunk.js", "static/js/9837.c36abfcb.chunk.js",
                "static/js/5025.eb0bb4e3.chunk.js", "static/js/3685.917e9b30.chunk.js",
                "static/js/1754.bd2e6916.chunk.js", "static/js/5332.0f77406d.chunk.js",
                "static/js/1532.6d4df580.chunk.js", "static/js/6229.d134808e.chunk.js")
STLITE_FONTS = ("static/media/SourceSansPro-Regular.0d69e5ff5e92ac64a0c9.woff2",
                "static/media/SourceSansPro-SemiBold.abed79cd0df1827e18cf.woff2",
                "static/media/SourceSansPro-Bold.118dea98980e20a81ced.woff2",
                "static/media/SourceCodePro-Regular.84b900b88d09398d86b0.woff2")
# stlite's worker's code: the loading screen starts that worker (and Python in it) before stlite's script runs.
STLITE_WORKER = "static/js/3209.4faed50e.chunk.js"
# All of stlite's build a first visit fetches besides its wheels: its script and style, its parquet-wasm and
# its worker's chunk, the above and its fonts.
STLITE_FIRST_VISIT = ("stlite.js", "stlite.css", "b409d45f0e4d8de5815d.module.wasm", "static/js/2214.53aab7eb.chunk.js",
                      STLITE_WORKER, *STLITE_EARLY, *STLITE_FONTS)
WHAT = ("Python, NumPy and the network run in your browser: a first visit downloads about {size} MB, "
        "and later visits start from your browser's cache.")


def streamlit_config(path: Path) -> dict:
    """``.streamlit/config.toml`` as stlite's flat ``streamlitConfig`` ({"server.maxUploadSize": 5, ...})."""
    if not path.exists():
        return {}
    try:
        import tomllib

        data = tomllib.loads(path.read_text())
    except ImportError:  # Python 3.10
        data = _flat_toml(path.read_text())
    return {f"{s}.{k}": v for s, table in data.items() for k, v in table.items() if not isinstance(v, dict)}


def _flat_toml(text: str) -> dict:
    """``[section]`` and ``key = value`` lines only: enough for the app's config.toml."""
    data, section = {}, None
    for line in text.splitlines():
        line = "" if line.strip().startswith("#") else line.split(" #")[0].strip()
        if line.startswith("["):
            section = data.setdefault(line.strip("[]").strip(), {})
        elif "=" in line and section is not None:
            k, v = (s.strip() for s in line.split("=", 1))
            section[k] = json.loads(v.lower() if v in ("true", "false") else v)
    return data


def first_visit(files: dict[str, bytes]) -> dict[str, int]:
    """{file name: bytes} of what a first visit fetches, from the site's files by their path (stlite's by
    ``stlite/...``, whether the site serves them or the CDN does)."""
    stlite = {f"stlite/{n}" for n in STLITE_FIRST_VISIT}
    return {rel: len(data) for rel, data in files.items()
            if rel.startswith(("pyodide/", "bundle/", "stlite/pypi/")) or rel in stlite}


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def _integrity(stlite: str, name: str, files: dict[str, bytes]) -> str:
    """The attributes that make the browser check a file loaded from another origin (the CDN) against the
    sha384 of the pinned npm package's file (pinned in the source for the script and style, computed from
    the checked package for the others); none for the site's own files."""
    if "://" not in stlite:
        return ""
    return f' integrity="{STLITE_SRI.get(name) or sri(files["stlite/" + name])}" crossorigin="anonymous"'


def early_scripts(stlite: str, files: dict[str, bytes]) -> list[dict]:
    """:data:`STLITE_EARLY` as the loading screen loads them: their URL, and from the CDN their integrity."""
    return [{"src": stlite + c, **({"integrity": sri(files["stlite/" + c])} if "://" in stlite else {})}
            for c in STLITE_EARLY]


def _loading_script(sizes: dict[str, int], early: list[dict], stlite: str, pyodide: str, archives: list[str]) -> str:
    by_name = {rel.rsplit("/", 1)[-1]: n for rel, n in sorted(sizes.items())}
    return ((HERE / "loading.js").read_text().replace("FIRST_VISIT_BYTES", str(sum(sizes.values())))
            .replace("STLITE_WORKER_SCRIPT", json.dumps(stlite + STLITE_WORKER))
            .replace("PYODIDE_JS", json.dumps(pyodide + "pyodide.js"))
            .replace("ARCHIVE_URLS", json.dumps(archives))
            .replace("SIZES_BY_NAME", json.dumps(by_name, sort_keys=True))
            .replace("EARLY_SCRIPTS", json.dumps(early)))


def index_html(stlite: str, pyodide: str, archives: dict[str, str], files: dict[str, bytes], config: Path) -> str:
    """The page: our loading screen; stlite from ``stlite`` (a URL, relative to the page or absolute) mounts
    the app on Pyodide from ``pyodide``, unpacking ``archives`` ({URL: folder}) first. ``files``: the site's
    files and stlite's ({path: bytes}, stlite's as ``stlite/...``)."""
    sizes = first_visit(files)
    options = {
        "entrypoint": "streamlit_app.py",
        "files": {},
        "archives": [{"url": url, "format": "zip", "options": {"extractDir": to}} for url, to in archives.items()],
        "requirements": [],  # everything is in the archive: micropip then finds Streamlit's requirements there
        "streamlitConfig": streamlit_config(config),
        "disableProgressToasts": True,  # the loading screen shows them
    }
    size = f"{sum(sizes.values()) / 1e6:.0f}"
    return (HERE / "index.html").read_text().format(
        stlite=stlite, css_integrity=_integrity(stlite, "stlite.css", files),
        js_integrity=_integrity(stlite, "stlite.js", files),
        what=html.escape(WHAT.format(size=size)),
        loading=_loading_script(sizes, early_scripts(stlite, files), stlite, pyodide, list(archives)),
        options=json.dumps(options, indent=2), versions=f"stlite {STLITE_VERSION} (Streamlit 1.40.1) on Pyodide "
                                                        f"{PYODIDE_VERSION}")

"""The site's page: index.html, which loads stlite and mounts the app on Pyodide."""

from __future__ import annotations

import html
import json
from pathlib import Path

from .pins import PYODIDE_VERSION, STLITE_SRI, STLITE_VERSION

STREAMLIT_CONFIG = ".streamlit/config.toml"
# What the app imports beyond Streamlit (whose own requirements come from its wheel in stlite's build).
REQUIREMENTS = ("numpy", "pandas", "altair")
ONLINE_FIRST_VISIT = "40 MB"  # measured offline (see README); the CDN compresses part of it
LOADING = ("Loading the neural network playground: Python, NumPy and the network run in your browser, "
           "so the first visit downloads them (about {size}).")


def streamlit_config(app: Path) -> dict:
    """.streamlit/config.toml as stlite's flat ``streamlitConfig`` ({"server.maxUploadSize": 5, ...}).

    Given to stlite rather than served as a file: static hosts often hide dot-folders."""
    path = app / STREAMLIT_CONFIG
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


def _integrity(stlite: str, name: str) -> str:
    """The attributes that make the browser check a file loaded from another origin (the CDN) against the
    pinned npm file's sha384; none for the site's own files."""
    if "://" not in stlite:
        return ""
    return f' integrity="{STLITE_SRI[name]}" crossorigin="anonymous"'


def index_html(stlite: str, pyodide: str, files: list[str], size: str, app: Path) -> str:
    """The page: loads stlite from ``stlite`` and mounts the app on Pyodide from ``pyodide`` (URLs, relative
    to the page or absolute)."""
    options = {
        "entrypoint": "streamlit_app.py",
        "requirements": list(REQUIREMENTS),
        "files": {f: {"url": f"app/{f}"} for f in files},
        "streamlitConfig": streamlit_config(app),
    }
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<title>Neural network playground</title>
<link rel="stylesheet" href="{stlite}stlite.css"{_integrity(stlite, "stlite.css")}>
<style>
  #loading {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 20vh auto; padding: 0 1rem;
             color: #31333f; line-height: 1.5; }}
  #loading .dot {{ display: inline-block; width: .6rem; height: .6rem; margin-right: .5rem; border-radius: 50%;
                  background: #e8710a; animation: pulse 1s ease-in-out infinite alternate; }}
  @keyframes pulse {{ from {{ opacity: .2; }} to {{ opacity: 1; }} }}
</style>
</head>
<body>
<div id="root"><div id="loading"><span class="dot"></span>{html.escape(LOADING.format(size=size))}</div></div>
<!-- stlite {STLITE_VERSION} (Streamlit 1.40.1) on Pyodide {PYODIDE_VERSION}; built by python -m tools.site -->
<script src="{stlite}stlite.js"{_integrity(stlite, "stlite.js")}></script>
<script>
  const options = {json.dumps(options, indent=2)};
  options.pyodideUrl = new URL("{pyodide}pyodide.js", window.location.href).href;
  stlite.mount(options, document.getElementById("root"));
</script>
</body>
</html>
"""

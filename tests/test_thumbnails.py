"""The data picker's pictures and design, checked without a page."""

import html
import json

from apptest_helpers import decode_png
from nn_core import DATASETS
from playground import charts, thumbnails


def test_every_dataset_has_a_picture_in_its_colours():
    for name, spec in DATASETS.items():
        img = decode_png(thumbnails.thumbnail(name))
        assert img.shape == (thumbnails.PIXELS, thumbnails.PIXELS, 3)
        colours = {tuple(c) for c in img.reshape(-1, 3)}
        if spec.task != "regression":
            wanted = {tuple(charts._hex_rgb(charts.CLASS_COLORS[k]).astype(int)) for k in range(spec.n_classes)}
            assert wanted <= colours, name
    assert len({thumbnails.thumbnail(n) for n in DATASETS}) == len(DATASETS)  # no two look alike


def test_picker_marks_the_current_dataset_and_reads_a_click():
    spec = thumbnails.picker_spec("moons")
    assert "layer" not in spec and spec["params"][0]["name"] == thumbnails.SELECTION  # one view: 1.40 selects
    assert "values" not in spec["data"]  # rows from a sequence: nothing for pandas and Arrow to carry
    names = json.loads(spec["transform"][0]["calculate"].split("[datum.i]")[0])
    assert names == list(DATASETS) and spec["data"]["sequence"]["stop"] == len(DATASETS)
    assert spec["encoding"]["opacity"]["condition"]["test"] == 'datum.name == "moons"'
    places = {((i % thumbnails.PER_ROW + 0.5) * thumbnails.TILE, (i // thumbnails.PER_ROW + 0.5) * thumbnails.TILE)
              for i in range(len(DATASETS))}
    assert len(places) == len(DATASETS) and max(x for x, _ in places) < spec["width"]
    assert thumbnails.picked({"selection": {"pick": [{"name": "spiral"}]}}) == "spiral"
    assert thumbnails.picked({"selection": {"pick": []}}) is None
    assert thumbnails.picked({"selection": {"pick": [{"name": "no such set"}]}}) is None
    assert thumbnails.picked(None) is None


def test_every_picture_carries_its_name_under_it():
    """Issue 19: the dataset pictures had no names (a tooltip at best, and nothing hovers on a phone). Each
    picture in the picker is an SVG of the dataset's points with its title under it, in one line or two."""
    import re

    from apptest_helpers import decode_svg

    spec = thumbnails.picker_spec("moons")
    urls = json.loads(next(s for s in spec["transform"] if s["as"] == "url")["calculate"].split("[datum.i]")[0])
    for name, url in zip(DATASETS, urls):
        svg = decode_svg(url)
        lines = [html.unescape(t) for t in re.findall(r"<text [^>]*>([^<]*)</text>", svg)]
        assert " ".join(lines).replace(", ", ",") == DATASETS[name].title.replace(", ", ","), (name, lines)
        assert thumbnails.thumbnail(name) in svg  # its picture above its name
        height = float(re.search(r'<svg [^>]*height="([\d.]+)"', svg).group(1))
        baselines = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)"', svg)]
        assert max(baselines) + 2 <= height, (name, baselines)  # the name's last line is inside the picture
    assert thumbnails.name_lines("XOR (4 points)") == ["XOR", "(4 points)"]
    assert thumbnails.name_lines("Spiral, 3 classes") == ["Spiral,", "3 classes"]
    assert thumbnails.name_lines("Gaussian blobs") == ["Gaussian", "blobs"]
    assert thumbnails.name_lines("Moons") == ["Moons"]

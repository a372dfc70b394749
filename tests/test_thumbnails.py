"""The data picker's pictures and design, checked without a page."""

import numpy as np

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


def test_picker_frames_the_current_dataset_and_reads_a_click():
    spec = thumbnails.picker_spec("moons")
    frame, pictures = spec["layer"]
    assert [v["name"] for v in pictures["data"]["values"]] == list(DATASETS)
    assert [v["name"] for v in frame["data"]["values"]] == ["moons"]
    xs = np.array([v["x"] for v in pictures["data"]["values"]])
    assert xs.max() < spec["width"] and len({(v["x"], v["y"]) for v in pictures["data"]["values"]}) == len(DATASETS)
    assert thumbnails.picked({"selection": {"pick": [{"name": "spiral"}]}}) == "spiral"
    assert thumbnails.picked({"selection": {"pick": []}}) is None
    assert thumbnails.picked({"selection": {"pick": [{"name": "no such set"}]}}) is None
    assert thumbnails.picked(None) is None

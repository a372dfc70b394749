"""Reading the page back in streamlit.testing: charts' Vega-Lite specs and data from the element protos."""

import html
import io
import json
import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def run_app(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
    if params:
        at.query_params.update(params)
    return at.run()


def _which(spec: dict, data: dict) -> str:
    # A chart without a selection has no element id, so charts are told apart by their data.
    if "surface" in data:
        return "surface_chart"
    if "edges" in data:
        return "network_chart"
    if "neurons" in data:
        return "neuron_chart"
    return "loss_chart" if spec["layer"][0]["encoding"]["y"]["field"] == "loss" else "accuracy_chart"


def _inline_data(node, found: dict) -> None:
    """Every dataset written into the spec ({"name": ..., "values": [...]}) as a DataFrame."""
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and "values" in data:
            found[data.get("name", "values")] = pd.DataFrame(data["values"])
        for v in node.values():
            _inline_data(v, found)
    elif isinstance(node, list):
        for v in node:
            _inline_data(v, found)


def charts(at: AppTest) -> dict:
    """{name: (spec dict, {dataset name: DataFrame})} for every Vega-Lite chart on the page."""
    out = {}
    for el in at.get("vega_lite_chart") or at.get("arrow_vega_lite_chart"):  # the name before Streamlit 1.41
        proto = el.proto
        spec = json.loads(proto.spec)
        data = {d.name: pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().to_pandas() for d in proto.datasets}
        _inline_data(spec, data)
        name = _which(spec, data)
        assert name not in out, f"two {name}s on the page"
        out[name] = (spec, data)
    return out


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


def no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]



def widget(at: AppTest, kind: str, key: str):
    """The widget of a setting's widget kind (number, slider, select, pills) with this key."""
    if kind == "pills":  # AppTest before Streamlit 1.41 finds pills only as a button group
        return next(w for w in at.get("button_group") if w.key == key)
    return {"number": at.number_input, "slider": at.slider, "select": at.selectbox}[kind](key=key)

"""Chart frames built from the model, checked without a page."""

import numpy as np

from nn_core import Architecture, EpochRecord, Network
from playground import charts


def test_network_frames_hold_every_weight_and_bias():
    net = Network.create(Architecture((3, 2), "tanh", "sigmoid"), "xavier", 0)
    data = charts.network_data(net)
    edges, nodes = data["edges"], data["nodes"]
    assert len(edges) == 2 * 3 + 3 * 2 + 2 * 1 and len(nodes) == 2 + 3 + 2 + 1
    for l in range(net.n_layers):
        layer = edges[edges["x"] == l]
        assert np.array_equal(layer["weight"].to_numpy(), net.weights(l).ravel())
    assert np.array_equal(nodes["bias"].to_numpy()[2:5], net.biases(0))
    assert nodes["bias"].isna().sum() == 2  # the inputs have none


def test_network_frames_keep_the_strongest_edges():
    net = Network.create(Architecture((8,), "tanh", "sigmoid"), "xavier", 1)
    all_edges = charts.network_data(net)["edges"]
    kept = charts.network_data(net, max_edges=5)["edges"]
    strongest = all_edges.loc[all_edges["weight"].abs().nlargest(5).index].sort_index()
    assert kept["weight"].tolist() == strongest["weight"].tolist()  # the five largest, in their order
    assert kept["width"].max() == 6.0


def test_history_frame_thins_and_keeps_the_ends():
    history = [EpochRecord(e, 1.0 / e, None, None, None, 0.0) for e in range(1, 1001)]
    frame = charts.history_frame(history, max_points=50)
    assert set(frame["split"]) == {"train"} and frame["accuracy"].isna().all()
    assert frame["epoch"].iloc[0] == 1 and frame["epoch"].iloc[-1] == 1000 and len(frame) == 50
    assert np.allclose(frame["loss"], 1.0 / frame["epoch"])
    history = [EpochRecord(e, 0.5, 0.7, 0.9, 0.8, 0.0) for e in range(1, 4)]
    frame = charts.history_frame(history)
    assert frame["split"].tolist() == ["train"] * 3 + ["test"] * 3
    assert frame["loss"].tolist() == [0.5] * 3 + [0.7] * 3 and frame["accuracy"].tolist() == [0.9] * 3 + [0.8] * 3

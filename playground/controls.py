"""The sidebar: one ``*_ui()`` function per block. Widget values live in st.session_state
under the keys of :func:`playground.state.widget_state`; callbacks change them before
the widgets are drawn (Streamlit forbids changing a drawn widget's value)."""

from __future__ import annotations

import streamlit as st

from nn_core import ACTIVATIONS, DATASETS, FEATURES, TUTORIAL
from nn_core.config import MAX_SEED
from nn_core.losses import LOSSES
from nn_core.network import INIT_SCHEMES, MAX_HIDDEN_LAYERS, MAX_WIDTH
from nn_core.optimizers import OPTIMIZERS

from .state import APP_LIMITS, REG_KINDS, widget_state

OPTIMIZER_TITLES = {"gd": "gradient descent", "momentum": "momentum", "nesterov": "Nesterov", "adam": "Adam"}


def set_widgets(config) -> None:
    """Show ``config`` in every widget (from a callback or before the widgets are drawn)."""
    st.session_state.update(widget_state(config))


# ---------------------------------------------------------------- callbacks
def _tutorial():
    set_widgets(TUTORIAL)


def _regenerate():
    st.session_state["w_data_seed"] = (int(st.session_state["w_data_seed"]) + 1) % (MAX_SEED + 1)


def _dataset_changed():
    st.session_state["w_noise"] = float(DATASETS[st.session_state["w_dataset"]].noise)
    if DATASETS[st.session_state["w_dataset"]].task != "binary":
        st.session_state["w_output"] = "auto"
        st.session_state["w_loss"] = "auto"


def _add_layer():
    n = int(st.session_state["w_layers"])
    if n < MAX_HIDDEN_LAYERS:
        st.session_state[f"w_width_{n}"] = int(st.session_state.get(f"w_width_{n - 1}", 4)) if n else 4
        st.session_state[f"w_act_{n}"] = st.session_state["w_act_all"]
        st.session_state["w_layers"] = n + 1


def _remove_layer():
    st.session_state["w_layers"] = max(int(st.session_state["w_layers"]) - 1, 0)


# ---------------------------------------------------------------- blocks
def data_ui() -> None:
    st.header("Data")
    st.selectbox("Dataset", list(DATASETS), key="w_dataset", format_func=lambda n: DATASETS[n].title,
                 on_change=_dataset_changed)
    fixed = DATASETS[st.session_state["w_dataset"]].fixed
    lo, hi, _ = APP_LIMITS["samples"]
    st.slider("Samples", lo, hi, key="w_samples", step=1, disabled=fixed,
              help="The 4-point truth tables always have their 4 points." if fixed else None)
    st.slider("Noise", *APP_LIMITS["noise"][:2], key="w_noise", step=0.01, disabled=fixed,
              help="Standard deviation of the Gaussian noise, in the data's units.")
    st.slider("Test ratio", *APP_LIMITS["test_ratio"][:2], key="w_test_ratio", step=0.05, disabled=fixed,
              help="Fraction of points held out to measure generalisation.")
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.number_input("Data seed", 0, MAX_SEED, key="w_data_seed", step=1)
    c2.button("Regenerate", key="regenerate", on_click=_regenerate, help="Draw new points (next data seed).",
              disabled=fixed)
    st.pills("Input features", list(FEATURES), key="w_features", selection_mode="multi",
             help="What the network sees of each point (x1, x2).")


def network_ui() -> None:
    st.header("Network")
    n = int(st.session_state["w_layers"])
    c1, c2, c3 = st.columns([3, 1, 1], vertical_alignment="bottom")
    c1.markdown(f"**{n} hidden layer{'s' if n != 1 else ''}**")
    c2.button("", icon=":material/add:", key="add_layer", on_click=_add_layer, disabled=n >= MAX_HIDDEN_LAYERS,
              help="Add a hidden layer")
    c3.button("", icon=":material/remove:", key="remove_layer", on_click=_remove_layer, disabled=n == 0,
              help="Remove the last hidden layer")
    st.toggle("One activation for all layers", key="w_same_act")
    same = st.session_state["w_same_act"]
    if same:
        st.selectbox("Activation", list(ACTIVATIONS), key="w_act_all")
    for i in range(n):
        if same:
            st.number_input(f"Layer {i + 1} neurons", 1, MAX_WIDTH, key=f"w_width_{i}", step=1)
        else:
            a, b = st.columns(2)
            a.number_input(f"Layer {i + 1} neurons", 1, MAX_WIDTH, key=f"w_width_{i}", step=1)
            if f"w_act_{i}" not in st.session_state:
                st.session_state[f"w_act_{i}"] = st.session_state["w_act_all"]
            b.selectbox(f"Layer {i + 1} activation", list(ACTIVATIONS), key=f"w_act_{i}")
    task = DATASETS[st.session_state["w_dataset"]].task
    outputs = ["auto", "sigmoid", "softmax"] if task == "binary" else ["auto"]
    if st.session_state.get("w_output") not in outputs:
        st.session_state["w_output"] = "auto"
    st.selectbox("Output", outputs, key="w_output",
                 help="auto: sigmoid for two classes, softmax for more, linear for regression.")
    c1, c2 = st.columns(2)
    c1.selectbox("Initialisation", list(INIT_SCHEMES), key="w_init",
                 help="normal: the tutorial's standard normal; xavier: Glorot uniform; he: He normal.")
    c2.number_input("Network seed", 0, MAX_SEED, key="w_seed", step=1)


def training_ui() -> None:
    st.header("Training")
    output = st.session_state["w_output"]
    task = DATASETS[st.session_state["w_dataset"]].task
    kind = output if output != "auto" else {"binary": "sigmoid", "multiclass": "softmax"}.get(task, "linear")
    losses = ["auto", *[n for n, spec in LOSSES.items() if kind in spec.outputs]]
    if st.session_state.get("w_loss") not in losses:
        st.session_state["w_loss"] = "auto"
    st.selectbox("Loss", losses, key="w_loss",
                 format_func=lambda n: "auto" if n == "auto" else f"{n}: {LOSSES[n].description}")
    st.selectbox("Optimizer", list(OPTIMIZERS), key="w_optimizer", format_func=OPTIMIZER_TITLES.get)
    st.number_input("Learning rate", 1e-6, APP_LIMITS["lr"][1], key="w_lr", format="%g", step=0.01)
    opt = st.session_state["w_optimizer"]
    if opt in ("momentum", "nesterov"):
        st.number_input("Momentum", *APP_LIMITS["momentum"][:2], key="w_momentum", step=0.05)
    if opt == "adam":
        c1, c2 = st.columns(2)
        c1.number_input("β1", *APP_LIMITS["beta1"][:2], key="w_beta1", step=0.01, format="%g")
        c2.number_input("β2", *APP_LIMITS["beta2"][:2], key="w_beta2", step=0.001, format="%g")
    st.number_input("Batch size (0 = full batch)", 0, APP_LIMITS["batch_size"][1], key="w_batch", step=1)
    st.selectbox("Regularisation", REG_KINDS, key="w_reg", help="Penalties on the weights (not the biases).")
    reg = st.session_state["w_reg"]
    if reg != "none":
        c1, c2 = st.columns(2)
        c1.number_input("L1 rate", 0.0, APP_LIMITS["l1"][1], key="w_l1", format="%g", step=0.001,
                        disabled="L1" not in reg)
        c2.number_input("L2 rate", 0.0, APP_LIMITS["l2"][1], key="w_l2", format="%g", step=0.001,
                        disabled="L2" not in reg)
    st.number_input("Epoch budget", *APP_LIMITS["epochs"][:2], key="w_epochs", step=100)


def preset_ui() -> None:
    st.button("Tutorial preset", key="tutorial", on_click=_tutorial, type="primary", width="stretch",
              help="The tutorial's network: XOR, 2-3-1 sigmoid, standard normal weights, sse loss, "
                   "gradient descent with lr 0.1, 10,000 epochs.")

"""Command line: ``python -m nn_core train ...`` and ``python -m nn_core tutorial``.

Bad arguments or files end with one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

import numpy as np

from .activations import ACTIVATIONS
from .config import TUTORIAL, Config, ConfigError, build
from .datasets import DATASETS
from .features import FEATURES
from .losses import LOSSES
from .modelio import ModelFileError, load_model, save_model
from .network import INIT_SCHEMES
from .optimizers import OPTIMIZERS


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block: run() prints it
        raise UsageError(message)


def _flags(p: argparse.ArgumentParser) -> None:
    """Every engine option; defaults are None so that only given flags override the base config."""
    d = p.add_argument_group("data")
    d.add_argument("--dataset", choices=list(DATASETS))
    d.add_argument("--samples", type=int, help="number of points (not for the 4-point xor/and/or)")
    d.add_argument("--noise", type=float, help="standard deviation of the noise (default: the dataset's)")
    d.add_argument("--test-ratio", type=float, help="fraction of points held out for testing")
    d.add_argument("--data-seed", type=int)
    d.add_argument("--features", nargs="+", choices=list(FEATURES), metavar="F",
                   help=f"input features, from: {', '.join(FEATURES)}")
    n = p.add_argument_group("network")
    n.add_argument("--hidden", nargs="*", type=int, metavar="WIDTH",
                   help="hidden layer widths, e.g. --hidden 8 8; --hidden alone for none")
    n.add_argument("--activation", nargs="+", choices=list(ACTIVATIONS), metavar="NAME",
                   help=f"one for all hidden layers or one per layer: {', '.join(ACTIVATIONS)}")
    n.add_argument("--output", choices=["auto", "sigmoid", "softmax", "linear"])
    n.add_argument("--init-scheme", choices=list(INIT_SCHEMES), help="weight initialisation")
    n.add_argument("--seed", type=int, help="seeds the initial weights and the mini-batch shuffle")
    t = p.add_argument_group("training")
    t.add_argument("--loss", choices=["auto", *LOSSES])
    t.add_argument("--optimizer", choices=list(OPTIMIZERS))
    t.add_argument("--lr", type=float, help="learning rate")
    t.add_argument("--momentum", type=float, help="for momentum and nesterov")
    t.add_argument("--beta1", type=float, help="for adam")
    t.add_argument("--beta2", type=float, help="for adam")
    t.add_argument("--batch-size", type=int, help="0 for full batch")
    t.add_argument("--l1", type=float, help="L1 penalty rate on the weights")
    t.add_argument("--l2", type=float, help="L2 penalty rate on the weights")
    t.add_argument("--epochs", type=int)
    f = p.add_argument_group("files and output")
    f.add_argument("--init", metavar="MODEL.json", help="start from the weights in a model file")
    f.add_argument("--save", metavar="MODEL.json", help="write the trained model to a file")
    f.add_argument("--quiet", action="store_true", help="no progress bar")


_FLAG_TO_FIELD = {
    "dataset": "dataset", "samples": "samples", "noise": "noise", "test_ratio": "test_ratio",
    "data_seed": "data_seed", "features": "features", "hidden": "hidden", "activation": "activations",
    "output": "output", "init_scheme": "init", "seed": "seed", "loss": "loss", "optimizer": "optimizer",
    "lr": "lr", "momentum": "momentum", "beta1": "beta1", "beta2": "beta2", "batch_size": "batch_size",
    "l1": "l1", "l2": "l2", "epochs": "epochs",
}


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m nn_core", description="Train a from-scratch NumPy network on a toy 2-D dataset.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _flags(sub.add_parser("train", help="train a network; every option has a flag"))
    _flags(sub.add_parser("tutorial", help="the tutorial's 2-3-1 sigmoid network on XOR (flags override it)"))
    sub.add_parser("datasets", help="list the datasets")
    return p


def config_from_args(args: argparse.Namespace) -> Config:
    base = TUTORIAL if args.command == "tutorial" else Config()
    changes = {}
    for flag, name in _FLAG_TO_FIELD.items():
        v = getattr(args, flag)
        if v is not None:
            changes[name] = tuple(v) if isinstance(v, list) else v
    if "dataset" in changes and "noise" not in changes:
        changes["noise"] = None
    return replace(base, **changes)


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30):
        self.total, self.stream, self.width = max(total, 1), stream, width
        self._last = 0.0

    def update(self, record, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        frac = min(record.epoch / self.total, 1.0)
        done = int(frac * self.width)
        rate = record.epoch / record.seconds if record.seconds > 0 else 0.0
        self.stream.write(
            f"\r[{'#' * done}{'.' * (self.width - done)}] {record.epoch}/{self.total} epochs"
            f"  loss {record.train_loss:.4g}  {rate:,.0f} epochs/s "
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _fmt(v, pct=False) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else f"{v:.6g}"


def truth_table(exp) -> str:
    """The tutorial's "Final Output after Training" table: inputs, targets and outputs."""
    out = exp.network.predict(exp.data.X)
    lines = ["Final Output after Training:", "  x1   x2   target   output"]
    for (x1, x2), t, o in zip(exp.data.X, exp.data.y, out):
        lines.append(f"  {x1:<4g} {x2:<4g} {t:<8g} " + " ".join(f"{v:.6f}" for v in o))
    return "\n".join(lines)


def run(argv=None, out=sys.stdout, err=sys.stderr) -> int:
    try:
        args = parser().parse_args(argv)
    except UsageError as e:
        err.write(f"python -m nn_core: error: {e}\n")
        return 2
    except SystemExit as e:  # --help
        return int(e.code or 0)
    if args.command == "datasets":
        for name, spec in DATASETS.items():
            out.write(f"{name:10s} {spec.task:10s} {spec.title}\n")
        return 0
    try:
        config = config_from_args(args)
        network = None
        if args.init:
            network, _ = load_model(args.init)
            a = network.arch
            config = replace(config, features=a.features, hidden=a.hidden,
                             activations=a.activations or config.activations, output=a.output)
        exp = build(config, network)
    except (ConfigError, ModelFileError, ValueError) as e:
        err.write(f"python -m nn_core: error: {e}\n")
        return 2
    c = exp.config
    out.write(f"{c.dataset}: {len(exp.train)} training and {len(exp.test)} test points; network "
              f"{'-'.join(map(str, exp.network.arch.sizes))} ({', '.join(exp.network.arch.activations) or 'no hidden'}"
              f" -> {exp.network.arch.output}), {exp.network.arch.n_params} parameters; "
              f"{c.loss_name} loss, {c.optimizer} lr {c.lr:g}, "
              f"{'full batch' if not c.batch_size else f'batches of {c.batch_size}'}, {c.epochs} epochs\n")
    progress = None if args.quiet else Progress(c.epochs, err)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
        for record in exp.trainer.run(c.epochs):
            if progress:
                progress.update(record, force=record.epoch == c.epochs)
    if progress:
        progress.close()
    tr = exp.trainer
    if tr.history:
        r = tr.history[-1]
        out.write(f"epoch {r.epoch}: train loss {_fmt(r.train_loss)}, test loss {_fmt(r.test_loss)}; "
                  f"train accuracy {_fmt(r.train_acc, True)}, test accuracy {_fmt(r.test_acc, True)}; "
                  f"{r.seconds:.2f} s ({r.epoch / max(r.seconds, 1e-9):,.0f} epochs/s)\n")
    if DATASETS[c.dataset].fixed:
        out.write(truth_table(exp) + "\n")
    if args.save:
        try:
            save_model(args.save, exp.network, {**c.to_dict(), "epochs_trained": tr.epoch})
        except OSError as e:
            err.write(f"python -m nn_core: error: cannot write {args.save}: {e.strerror}\n")
            return 2
        out.write(f"saved the model to {args.save}\n")
    if tr.divergence:
        err.write(f"training stopped: {tr.divergence.message}\n")
        return 1
    return 0


def main() -> None:
    sys.exit(run())

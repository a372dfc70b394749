"""Command line: ``python -m nn_core train ...``, ``tutorial``, ``datasets``, ``export-script`` and ``odds``.

Every setting's flag comes from its declaration (:mod:`nn_core.settings`), and
its value is checked by that declaration. A flag for a dataset's source setting
(``--formula``, ``--points``) picks that dataset when ``--dataset`` is not given;
``--data FILE.csv`` reads a CSV file into ``--points`` (up to
:data:`nn_core.userdata.MAX_POINTS` rows) and prints what it did to the points
once. Bad arguments or files end with one short line on stderr and exit status
2; a diverged run exits with status 1.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import replace
from types import SimpleNamespace

import numpy as np

from .config import TUTORIAL, Config, build, config_from
from .datasets import DATASETS
from .diagnose import diagnose
from .export import script
from .modelio import ModelFileError, read_model, save_model
from .odds import MAX_SEEDS, Odds
from .settings import SETTINGS, Choice, ConfigError, Names, Number, SettingError, Text, Widths
from .text import format_number, format_percent, printable, shorten
from .userdata import DataFileError, read_csv_file

PROG = "python -m nn_core"


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block, long words cut: run() prints it
        raise UsageError(re.sub(r"\S{41,}", lambda m: shorten(m.group()), printable(message)))


def _help(s) -> str:
    k = s.kind
    if isinstance(k, Number):
        extra = f"{'whole number' if k.integer else 'number'} in {k.describe()}"
    elif isinstance(k, Choice):
        extra = f"one of: {', '.join(k.choices)}"
    elif isinstance(k, Names):
        extra = f"from: {', '.join(k.choices)}"
    elif isinstance(k, Text):
        extra = k.about
    else:
        extra = "none for no hidden layer"
    return f"{s.label}: {s.help} ({extra})" if s.help else f"{s.label} ({extra})"


_NARGS = {Widths: "*", Names: "+"}
_METAVAR = {Widths: "WIDTH", Names: "NAME", Choice: "NAME", Number: "X", Text: "TEXT"}


def _flags(p: argparse.ArgumentParser, files: bool = True) -> None:
    """A flag per setting (and the model-file flags if ``files``); defaults are None so that only given
    flags override the base config."""
    groups = {g: p.add_argument_group(g) for g in ("data", "network", "training")}
    for s in SETTINGS.values():
        kind = type(s.kind)
        groups[s.group].add_argument(s.flag, dest=s.name, nargs=_NARGS.get(kind), metavar=_METAVAR[kind],
                                     help=_help(s).replace("%", "%%"))
    groups["data"].add_argument("--data", metavar="FILE.csv", help="the custom dataset's points from a CSV file: "
                                "x1,x2,label or x1,x2,value rows, a header optional (as --points)")
    if not files:
        return
    f = p.add_argument_group("files and output")
    start = f.add_mutually_exclusive_group()
    start.add_argument("--init", dest="init_file", metavar="MODEL.json", help="start from the weights in a model file")
    start.add_argument("--resume", metavar="MODEL.json",
                       help="go on training where a model file stopped: its weights, settings (flags override "
                            "them), optimizer state, shuffle and epoch count; --epochs more epochs")
    f.add_argument("--save", metavar="MODEL.json", help="write the trained model (and its training state) to a file")
    f.add_argument("--quiet", action="store_true", help="no progress bar")


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Train a from-scratch NumPy network on a toy 2-D dataset.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _flags(sub.add_parser("train", help="train a network; every setting has a flag"))
    _flags(sub.add_parser("tutorial", help="the tutorial's 2-3-1 sigmoid network on XOR (flags override it)"))
    sub.add_parser("datasets", help="list the datasets")
    export = sub.add_parser("export-script", help="the experiment as one Python script that needs NumPy only")
    _flags(export, files=False)
    export.add_argument("--out", metavar="SCRIPT.py", help="write the script to this file (default: print it)")
    _odds_parser(sub)
    return p


def config_from_args(args: argparse.Namespace, base: Config | None = None) -> Config:
    """``base`` (the command's own if None) with every given flag's value; ConfigError names the flag."""
    if base is None:
        base = TUTORIAL if args.command == "tutorial" else Config()
    changes = {}
    try:
        for s in SETTINGS.values():
            raw = getattr(args, s.name)
            if raw is not None:
                changes[s.name] = s.check(s.parse(raw))
        _source_dataset(changes)
        for s in SETTINGS.values():
            if s.follows in changes and s.name not in changes:
                changes[s.name] = s.default
        return replace(base, **changes).check()
    except SettingError as e:
        raise ConfigError(f"{SETTINGS[e.name].flag}{e.joiner}{e.reason}") from None


def _source_dataset(changes: dict) -> None:
    """A dataset's source flag (--formula, --points) picks that dataset unless --dataset names another,
    which is an error: the flag would do nothing."""
    for name, spec in DATASETS.items():
        if spec.source in changes:
            if changes.setdefault("dataset", name) != name:
                raise ConfigError(f"{SETTINGS[spec.source].flag} goes with --dataset {name}, not "
                                  f"{changes['dataset']}")


def read_data_flag(args: argparse.Namespace) -> list[str]:
    """``--data FILE.csv`` read into ``args.points`` (as if given by --points); the notes on what was done
    to the points. DataFileError naming the file, the row and the problem."""
    path = getattr(args, "data", None)
    if path is None:
        return []
    if args.points is not None:
        raise ConfigError("give --data or --points, not both")
    if args.dataset not in (None, "custom"):
        raise ConfigError(f"--data goes with --dataset custom, not {printable(shorten(args.dataset))}")
    name = printable(shorten(str(path), 80))
    try:
        data = read_csv_file(path)
    except DataFileError as e:
        raise DataFileError(f"{name}: {e}") from None
    args.points = data.text
    return [f"{name}: {note}" for note in data.notes]


class Progress:
    """A one-line progress bar on stderr, redrawn at most ten times a second, from epoch ``first`` to
    ``total``; ``hint`` (if given) returns a Hint or None, whose kind the bar shows."""

    def __init__(self, total: int, stream=sys.stderr, width: int = 30, first: int = 0, hint=None):
        self.total, self.stream, self.width, self.first, self.hint = total, stream, width, first, hint
        self._last = 0.0

    def update(self, record, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        done = int(min((record.epoch - self.first) / max(self.total - self.first, 1), 1.0) * self.width)
        rate = record.epoch / record.seconds if record.seconds > 0 else 0.0
        hint = self.hint() if self.hint is not None else None
        word = f"{hint.kind if hint else '':9s}"  # padded: a word that goes away leaves no letters behind
        self.stream.write(
            f"\r[{'#' * done}{'.' * (self.width - done)}] {record.epoch}/{self.total} epochs"
            f"  loss {record.train_loss:.4g}  {rate:,.0f} epochs/s  {word}"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def truth_table(exp) -> str:
    """The tutorial's "Final Output after Training" table: inputs, targets and outputs."""
    out = exp.network.predict(exp.data.X)
    lines = ["Final Output after Training:", "  x1   x2   target   output"]
    for (x1, x2), t, o in zip(exp.data.X, exp.data.y, out):
        lines.append(f"  {x1:<4g} {x2:<4g} {t:<8g} " + " ".join(f"{v:.6f}" for v in o))
    return "\n".join(lines)


def describe(exp) -> str:
    """One line: the data, the network and how it trains."""
    c, a = exp.config, exp.network.arch
    name = f"{c.dataset} {c.formula}" if DATASETS[c.dataset].source == "formula" else c.dataset
    return (f"{name}: {len(exp.train)} training and {len(exp.test)} test points; network "
            f"{'-'.join(map(str, a.sizes))} ({', '.join(a.activations) or 'no hidden'} -> {a.output}), "
            f"{a.n_params} parameters; {c.loss_name} loss, {c.optimizer} lr {c.lr:g}, "
            f"{'full batch' if exp.trainer.recipe.batch(len(exp.train)) is None else f'batches of {c.batch_size}'}, "
            f"{c.epochs} epochs")


def summary(record) -> str:
    r = record
    return (f"epoch {r.epoch}: train loss {format_number(r.train_loss)}, test loss {format_number(r.test_loss)}; "
            f"train accuracy {format_percent(r.train_acc)}, test accuracy {format_percent(r.test_acc)}; "
            f"{r.seconds:.2f} s ({r.epoch / max(r.seconds, 1e-9):,.0f} epochs/s)")


def _experiment(args, out):
    """The experiment the arguments ask for (from a model file's weights with --init, and its
    settings and training state too with --resume)."""
    network, state, base, model = None, None, None, None
    if args.init_file or args.resume:
        model = read_model(args.init_file or args.resume)
        network = model.network
    if args.resume:
        base, state = config_from(model.training), model.state
    config = config_from_args(args, base)
    if network is not None and network.arch != config.architecture():
        a = network.arch
        config = replace(config, features=a.features, hidden=a.hidden,
                         activations=a.activations or config.activations, output=a.output)
    exp = build(config, network, state)
    if args.resume:
        out.write(f"resuming {printable(shorten(args.resume, 80))} at epoch {exp.trainer.epoch:,}. "
                  f"{model.afresh(config)}".rstrip() + "\n")
    return exp


def _hint(exp):
    tr = exp.trainer
    return diagnose(tr.history, exp.config, tr.start_loss, tr.divergence)


def _train(exp, quiet: bool, err) -> None:
    c, tr = exp.config, exp.trainer
    first = tr.epoch
    progress = None if quiet else Progress(first + c.epochs, err, first=first, hint=lambda: _hint(exp))
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported by the trainer
        for record in tr.run(c.epochs):
            if progress:
                progress.update(record, force=record.epoch == first + c.epochs)
    if progress:
        progress.close()


def _report(exp, args, out, err) -> int:
    tr, c = exp.trainer, exp.config
    if tr.history:
        out.write(summary(tr.history[-1]) + "\n")
    if tr.spike:  # once, even if the run recovered from it
        out.write(f"Warning: {tr.spike.message}\n")
    hint = _hint(exp)
    if hint:
        out.write(f"Hint: {hint.message}\n")
    if DATASETS[c.dataset].fixed:
        out.write(truth_table(exp) + "\n")
    if args.save:
        try:
            save_model(args.save, exp.network, c.to_dict(), tr.state())
        except OSError as e:
            err.write(f"{PROG}: error: cannot write {printable(shorten(args.save, 80))}: {e.strerror}\n")
            return 2
        out.write(f"saved the model to {args.save}\n")
    if tr.divergence:
        err.write(f"training stopped: {tr.divergence.message}\n")
        return 1
    return 0


def _export_script(args, out, err) -> int:
    try:
        text = script(config_from_args(args))
    except ConfigError as e:
        err.write(f"{PROG}: error: {printable(str(e))}\n")
        return 2
    if not args.out:
        out.write(text)
        return 0
    try:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        err.write(f"{PROG}: error: cannot write {printable(shorten(args.out, 80))}: {e.strerror}\n")
        return 2
    out.write(f"wrote {printable(shorten(args.out, 80))}\n")
    return 0


# ---------------------------------------------------------------- odds
_SEEDS, _THRESHOLD = Number(1, MAX_SEEDS, integer=True), Number(0.0, 1e300, open_low=True)


def _odds_parser(sub) -> None:
    p = sub.add_parser("odds", help="train the experiment from many network seeds at once: how often it converges")
    _flags(p, files=False)
    f = p.add_argument_group("odds")
    f.add_argument("--seeds", default="100", metavar="N",
                   help=f"how many network seeds: --seed, --seed + 1, ... (1 to {MAX_SEEDS:,}; default 100)")
    f.add_argument("--threshold", metavar="X", help="regression: the training loss under which a run has converged "
                   "(default: 1%% of the loss of always predicting the mean)")
    f.add_argument("--json", action="store_true", help="print one JSON object")
    f.add_argument("--quiet", action="store_true", help="no progress bar")


def odds_table(r) -> str:
    """An odds result (nn_core.odds.OddsResult) as a few aligned lines."""
    def epochs(v):
        return f"{v:,.0f}" if v == int(v) else f"{v:,.2f}"

    rows = [("seeds", f"{r.seeds:,} (network seeds {r.seed} to {r.seed + r.seeds - 1})"),
            ("converged means", "100% training accuracy" if r.threshold is None
             else f"training loss below {format_number(r.threshold)}"),
            ("converged", f"{r.converged:,} ({r.percent:.1f}%)" + (f"; {r.diverged:,} diverged" if r.diverged else "")),
            ("epochs to converge", "-" if r.epochs_median is None else f"median {epochs(r.epochs_median)}, "
             f"quartiles {epochs(r.epochs_q1)} to {epochs(r.epochs_q3)}"),
            ("final loss", f"median {format_number(r.median_loss)} after {r.epochs:,} epochs"),
            ("time", f"{r.seconds:.2f} s")]
    return "\n".join(f"{k:20s}{v}" for k, v in rows)


def _odds(args, out, err) -> int:
    try:
        config = config_from_args(args)
        seeds = _SEEDS.check(_SEEDS.parse(args.seeds, "--seeds"), "--seeds")
        threshold = None if args.threshold is None else _THRESHOLD.check(
            _THRESHOLD.parse(args.threshold, "--threshold"), "--threshold")
        odds = Odds(config, seeds, threshold)
    except ValueError as e:
        err.write(f"{PROG}: error: {printable(str(e))}\n")
        return 2
    progress = None if args.quiet or args.json else Progress(config.epochs, err)
    while not odds.done:
        odds.run(seconds=0.1)
        if progress:
            record = SimpleNamespace(epoch=odds.epoch, seconds=odds.seconds, train_loss=odds.result().median_loss)
            progress.update(record, force=odds.done)
    if progress:
        progress.close()
    result = odds.result()
    out.write(json.dumps({"config": config.to_dict(), **result.to_dict()}, allow_nan=False) + "\n" if args.json
              else odds_table(result) + "\n")
    return 0


def glued(argv: list[str]) -> list[str]:
    """``argv`` with the value of a text setting's flag that starts with one minus glued to it: argparse takes
    ``--formula -x1`` for a flag without its value, and reads ``--formula=-x1`` as meant."""
    flags, words, i = {s.flag for s in SETTINGS.values() if isinstance(s.kind, Text)}, [], 0
    while i < len(argv):
        if argv[i] in flags and i + 1 < len(argv) and argv[i + 1].startswith("-") and not argv[i + 1].startswith("--"):
            words.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            words.append(argv[i])
            i += 1
    return words


def run(argv=None, out=sys.stdout, err=sys.stderr) -> int:
    try:
        args = parser().parse_args(glued(sys.argv[1:] if argv is None else argv))
    except UsageError as e:
        err.write(f"{PROG}: error: {e}\n")
        return 2
    except SystemExit as e:  # --help
        return int(e.code or 0)
    if args.command == "datasets":
        for name, spec in DATASETS.items():
            out.write(f"{name:12s} {spec.task:10s} {spec.title}\n")
        return 0
    try:
        notes = read_data_flag(args)
    except (DataFileError, ConfigError) as e:
        err.write(f"{PROG}: error: {printable(str(e))}\n")
        return 2
    if notes:  # where the command's words go: the script and the JSON object keep stdout to themselves
        (out if args.command in ("train", "tutorial") else err).write("\n".join(notes) + "\n")
    if args.command == "export-script":
        return _export_script(args, out, err)
    if args.command == "odds":
        return _odds(args, out, err)
    try:
        exp = _experiment(args, out)
    except (ConfigError, ModelFileError) as e:
        err.write(f"{PROG}: error: {printable(str(e))}\n")
        return 2
    out.write(describe(exp) + "\n")
    _train(exp, args.quiet, err)
    return _report(exp, args, out, err)


def main() -> None:
    sys.exit(run())

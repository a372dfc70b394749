"""Every setting, through every consumer: the walk that makes a setting wired everywhere or a test fail.

For every declared setting (nn_core.SETTINGS) and each of its values other than the base's (every choice, a
sample of the numbers, a few texts), the walk checks that
- the single run changes (unless the setting is declared ``trains=False``: then that it does not), at least
  for one of the values;
- each seed of the convergence odds is its single run, and the odds of one seed (the stacked layout) take the
  single run's steps (the one-run layout) to the last bit;
- the exported script ends at the engine's final losses (run here, in this process);
- a model file carries it: read back, it is the same config, and training goes on from the file exactly;
- a link (URL) and the command line carry it.

A setting declared in settings.py and used nowhere fails the first check; one that reaches the Trainer but
not the recipe fails the odds' check; one the reference's pieces ignore fails the script's check. The runs are
tiny (40 points, 3 epochs), so the whole walk takes a few seconds.
"""

from __future__ import annotations

import contextlib
import io
import shlex

import numpy as np
import pytest
from test_export import assert_same, engine_results, results
from test_odds import assert_seeds_are_single_runs

from nn_core import DATASETS, SETTINGS, Config, Odds, build, config_from, export, parse_model
from nn_core.cli import config_from_args, glued, parser
from nn_core.modelio import dumps
from nn_core.odds import NEVER
from nn_core.settings import Choice, Names, Number, Text, Widths
from nn_core.userdata import add_point
from playground.page_config import explicit
from playground.url import config_from_query, config_to_query
from test_settings import base_for, fingerprint, same

BASE = Config(dataset="moons", samples=40, test_ratio=0.25, hidden=(3,), seed=3, lr=0.05, epochs=3)
TEXTS = {"formula": ["x1 + x2 > 0.2", "sin(3*x1) + x2", "-x1*x2 > 0"],  # a formula's texts: classes, values
         "points": [add_point(SETTINGS["points"].default, 0.1, 0.2, 1), "v;-.5,.2,1.5;.4,.3,-2;.1,-.6,.25;0,0,1"]}


def fits(c: Config) -> bool:
    try:
        c.check(page=True)
        return True
    except ValueError:
        return False


def numbers(s, current) -> list:
    """A sample of a number setting's values on the page: its bounds (the top only while it is cheap to train
    with), the bottom's next step, and twice (or half) the current value."""
    k = s.kind
    lo, hi = k.bounds(page=True)
    twice = k.step if not current else current * 2 if current * 2 <= hi else current / 2
    sample = [lo, lo + k.step, twice, *([hi] if hi <= 5000 else [])]
    return [k.nearest(v) for v in sample]


def values(s, base: Config) -> list:
    """The values the walk gives setting ``s`` on ``base``: every one that fits the other settings and differs
    from the base's."""
    k, current = s.kind, getattr(base, s.name)
    if isinstance(k, Choice):
        sample = list(s.options(base.values()) if s.options else k.choices)
    elif isinstance(k, Number):
        sample = numbers(s, current)
    elif isinstance(k, Names):
        extra = [c for c in k.choices if c not in current]
        sample = [(*current, c) for c in extra] if s.name == "features" else [(c,) for c in k.choices]
    elif isinstance(k, Widths):
        sample = [(), (2,), (*current, 4), (5, 4, 3)]
    else:
        assert isinstance(k, Text) and s.name in TEXTS, f"the walk has no texts for setting {s.name}"
        sample = TEXTS[s.name]
    found = []
    for v in sample:
        if v != current and v not in found and fits(base.replace(**{s.name: v})):
            found.append(v)
    return found


CASES = [(s, base_for(s, BASE)) for s in SETTINGS.values()]


def script_results(c: Config) -> dict:
    """What the exported script of ``c`` prints at its end, running it here (it needs NumPy only)."""
    out = io.StringIO()
    scope = {"__name__": "__main__"}
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(export.script(c), "<exported script>", "exec"), scope)  # our own script, not user input
        except SystemExit as e:  # a diverged run: it stops where the engine does (checked by the results)
            assert str(e).startswith("training stopped: the loss reached")
    return results(out.getvalue())


def one_seed_is_its_run_bit_for_bit(c: Config) -> None:
    """The odds of one seed (the stacked layout with K = 1) take the single run's steps (the one-run layout) to
    the last bit: the epoch is one code for both, only the products differ, and with one run they are its."""
    odds = Odds(c, 1)
    odds.run()
    single = build(c)
    tr = single.trainer.fit(c.epochs)
    r = odds.result()
    assert np.array_equal(odds.params()[0], single.network.params)
    assert r.diverged_at[0] == (tr.divergence.epoch if tr.divergence else NEVER)
    last = tr.history[-1] if tr.history else None
    assert r.final_loss[0] == (last.train_loss if last else tr.start_loss)
    assert np.isnan(r.final_accuracy[0]) if c.task == "regression" else r.final_accuracy[0] == (
        last.train_acc if last else tr.evaluate(single.train)[1])


def resumes_exactly(c: Config) -> None:
    """Trained 2 epochs, saved to a model file, read back and trained 2 more: the run of 4 epochs."""
    first = build(c)
    first.trainer.fit(2)
    model = parse_model(dumps(first.network, c.to_dict(), first.trainer.state()))
    again_config = config_from(model.training)
    assert again_config == c
    again = build(again_config, model.network, model.state)
    again.trainer.fit(2)
    whole = build(c)
    whole.trainer.fit(4)
    assert np.array_equal(again.network.params, whole.network.params)
    assert [r[:5] for r in again.trainer.history[1:]] == [r[:5] for r in whole.trainer.history[2:]]


def doors(c: Config) -> None:
    """A link and the command line carry ``c``."""
    assert config_from_query(config_to_query(c)) == (explicit(c), [])
    words = shlex.split(export.train_command(c))[3:]
    assert config_from_args(parser().parse_args(glued(words))) == c


@pytest.mark.parametrize("s,base", CASES, ids=[s.name for s, _ in CASES])
def test_every_setting_reaches_every_consumer(s, base):
    assert base is not None, f"{s.name}: no base config where it applies"
    walk = values(s, base)
    assert walk, f"{s.name}: the walk found no value for it"
    before = fingerprint(base)
    changed = 0
    for v in walk:
        c = base.replace(**{s.name: v})
        changed += not same(fingerprint(c), before)
        assert_seeds_are_single_runs(c, 2, slices=2)
        one_seed_is_its_run_bit_for_bit(c)
        want, _ = engine_results(c)
        assert_same(script_results(c), want)
        resumes_exactly(c)
        doors(c)
    if s.trains:
        assert changed, f"{s.name}: no value of it changes the single run: is it wired to the engine?"
    else:
        assert not changed, f"{s.name} is declared not to affect training, but it does"


def test_the_walk_covers_every_setting_and_dataset():
    assert [s.name for s, _ in CASES] == list(SETTINGS)
    walked = {v for s, base in CASES if s.name == "dataset" for v in values(s, base)} | {BASE.dataset}
    assert walked == set(DATASETS)

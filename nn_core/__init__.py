"""nn_core: a from-scratch NumPy neural network for toy 2-D problems.

NumPy and the standard library only, so it runs headless, in a notebook and
under Pyodide. The pieces, each usable alone:

- :mod:`datasets`: ``make_dataset(name, n, noise, seed)``, ``train_test_split``;
- :mod:`formula`: ``parse(text)``, a formula of x1 and x2 read through a whitelist over ``ast``, evaluated with NumPy;
- :mod:`userdata`: a person's points as one text (``parse_points``, ``add_point``, ``undo_point``, ``fits_url``)
  and CSV files (``read_csv``, ``to_csv``), every bad file one ``DataFileError`` naming the row;
- :mod:`network`: ``Architecture`` and ``Network`` (flat parameter vector);
- :mod:`training`: ``Trainer`` with ``run(k)`` yielding ``EpochRecord``s, and ``GradientStats`` (per layer,
  gradient norms and update ratios at log-spaced epochs) when ``trainer.gradient_stats`` is set;
- :mod:`timeline`: ``Timeline``, the network's parameters at log-spaced epochs, bounded;
- :mod:`transform`: ``transformed_space``, the data and the plane's grid lines as a layer sees them;
- :mod:`settings`: every setting declared once (``SETTINGS``): type, bounds, URL key, flag, widget;
- :mod:`config`: ``Config`` (a field per setting), the ``TUTORIAL`` and ``VANISHING`` presets and ``build(config)``;
- :mod:`grid`: ``evaluate_grid`` for decision surfaces and per-neuron maps;
- :mod:`modelio`: JSON model files, with the trainer's state so that training goes on exactly;
- :mod:`diagnose`: ``diagnose(history, config, ...)``, a hint for a run that is stuck or climbing;
- :mod:`export`: ``export_script(config)``, the experiment as one runnable script that needs NumPy only;
- :mod:`odds`: ``Odds(config, seeds)`` and ``convergence_odds``, the experiment from many seeds at once: how often
  it converges, and when.
"""

from .activations import ACTIVATIONS
from .config import TUTORIAL, VANISHING, VANISHING_RELU, Config, Experiment, build, config_from, data_csv
from .datasets import DATASETS, TASKS, Dataset, data_kind, make_dataset, train_test_split
from .diagnose import Hint, diagnose
from .export import script as export_script
from .export import train_command
from .features import FEATURES, feature_matrix
from .formula import Formula, FormulaError, check_formula
from .formula import parse as parse_formula
from .grid import Grid, data_bounds, evaluate_grid
from .losses import LOSSES, OUTPUTS
from .modelio import ModelFile, ModelFileError, dumps, load_model, loads, parse_model, read_model, save_model
from .network import Architecture, Network
from .odds import MAX_PAGE_SEEDS, Odds, OddsResult, SeedOutcome, convergence_odds, default_threshold, max_seeds
from .optimizers import OPTIMIZERS, make_optimizer
from .settings import SETTINGS, ConfigError, Setting, SettingError
from .timeline import Timeline
from .training import Divergence, EpochRecord, GradientRecord, GradientStats, Trainer, TrainerState
from .transform import Transformed, transformed_space
from .userdata import (
    PAGE_FILE_BYTES,
    PAGE_POINTS,
    URL_POINTS,
    DataFileError,
    Points,
    PointsError,
    UserData,
    add_point,
    fits_url,
    parse_points,
    points_text,
    read_csv,
    read_csv_file,
    to_csv,
    undo_point,
)

__all__ = [
    "ACTIVATIONS", "DATASETS", "FEATURES", "LOSSES", "OPTIMIZERS", "OUTPUTS", "SETTINGS", "TASKS", "TUTORIAL",
    "VANISHING", "VANISHING_RELU", "GradientRecord", "GradientStats", "Timeline", "Transformed", "transformed_space",
    "Architecture", "Config", "ConfigError", "Dataset", "Divergence", "EpochRecord", "Experiment", "Grid", "Hint",
    "ModelFile", "ModelFileError", "Network", "Setting", "SettingError", "Trainer", "TrainerState", "build",
    "config_from", "data_bounds", "diagnose", "dumps", "evaluate_grid", "export_script", "feature_matrix",
    "load_model", "loads", "make_dataset", "make_optimizer", "parse_model", "read_model", "save_model",
    "train_command", "train_test_split",
    "MAX_PAGE_SEEDS", "Odds", "OddsResult", "SeedOutcome", "convergence_odds", "default_threshold", "max_seeds",
    "Formula", "FormulaError", "check_formula", "parse_formula", "data_kind", "data_csv",
    "PAGE_FILE_BYTES", "PAGE_POINTS", "URL_POINTS", "DataFileError", "Points", "PointsError", "UserData", "add_point",
    "fits_url", "parse_points", "points_text", "read_csv", "read_csv_file", "to_csv", "undo_point",
]
__version__ = "0.1.0"

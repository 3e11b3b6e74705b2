"""Grain-selection phase field (methods.md section 8).

* :mod:`.model` - equations, non-dimensionalisation, L/kappa mapping, stability bound, set-up;
* :mod:`.solver` - dense NumPy reference and compiled fast solver of the same discrete model;
* :mod:`.analysis` - texture fractions, winner, temperature analysis (Delta U(T));
* :mod:`.stage` - the workflow stage (inputs, runs, outputs, figures, phase map).
"""
from .model import (GrowthParams, Setup, UnstableStepError, check_stability, gradient_coefficient,
                    grain_map, make_setup, mobility, stability_bound)
from .solver import SOLVERS, DenseSolver, FastSolver

__all__ = ["GrowthParams", "Setup", "UnstableStepError", "check_stability", "gradient_coefficient",
           "grain_map", "make_setup", "mobility", "stability_bound", "SOLVERS", "DenseSolver",
           "FastSolver"]

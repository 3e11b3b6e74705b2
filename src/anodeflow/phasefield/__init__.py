"""Grain-selection phase field (methods.md section 8).

* :mod:`.model` - equations, non-dimensionalisation, L/kappa mapping, stability bound, set-up;
* :mod:`.solver` - dense NumPy reference and compiled fast solver of the same discrete model;
* :mod:`.growth` - one growth run from E_s, E_a and T (stable time step, sampling);
* :mod:`.texture` - orientation fractions and the winning texture of a film;
* :mod:`.energy_balance` - Delta U(T) between (001) and (101) grains and its crossovers;
* :mod:`.inputs` - E_s and E_a per orientation from config or the workflow's tables;
* :mod:`.phase_map` - the anisotropy x E_a(101) sweep;
* :mod:`.plots` - snapshots, animation, Delta U(T) and phase-map figures;
* :mod:`.jobs` - the command-line entry of the workflow's jobs.
"""

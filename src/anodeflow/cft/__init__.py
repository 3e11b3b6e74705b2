"""Capillary-fluctuation stiffness of free facets (methods.md section 7.3), from the ribbons of the MD stage.

Modules: ``profiles`` (surface height profiles from atom positions, used while sampling a ribbon in
``anodeflow.md.ribbon``), ``spectrum`` (capillary spectrum of one run, stiffness fit, block errors; the
normalisation is in its docstring), ``equilibrium`` (the equilibrium protocol: relaxation times, pymbar
equilibration, two starts, the fit with a vibrational floor, the status of a (metal, facet, T, b)),
``step`` (step stiffness from the steps of a stripe island), ``jobs`` (command-line entry of the CFT rules:
``python -m anodeflow.cft.jobs ribbon-stiffness | stiffness-table``).
"""

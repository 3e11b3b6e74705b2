"""Capillary-fluctuation stiffness of free facets (methods.md section 7.3), from the ribbons of the MD stage.

Modules: ``profiles`` (surface height profiles from atom positions, used while sampling a ribbon in
``anodeflow.md.ribbon``), ``spectrum`` (capillary spectrum, stiffness fit, block errors, lower bound of a
smooth facet; the normalisation is in its docstring), ``jobs`` (command-line entry of the CFT rules:
``python -m anodeflow.cft.jobs ribbon-stiffness | stiffness-table``).
"""

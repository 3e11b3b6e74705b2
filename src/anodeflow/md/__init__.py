"""Molecular dynamics stage (LAMMPS via its Python module): melting, thermal expansion, ribbons.

Modules: ``runtime`` (import LAMMPS, make an instance), ``lattice`` (bcc bulk and ribbon
geometry), ``bulk`` (melting hysteresis, thermal expansion), ``ribbon`` (capillary ribbons
and height-profile sampling). The capillary analysis itself lives in ``anodeflow.cft``.
"""

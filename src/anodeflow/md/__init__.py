"""Molecular dynamics stage (LAMMPS via its Python module): melting, thermal expansion, ribbons.

Modules: ``runtime`` (import LAMMPS, make an instance), ``lattice`` (bcc bulk and ribbon
geometry), ``engine`` (restartable phases), ``bulk`` (melting hysteresis, thermal expansion),
``ribbon`` (capillary ribbons and height-profile sampling), ``settings`` (what the jobs read from
the validated config), ``plots`` (figures) and ``jobs`` (command-line entry of the MD rules:
``python -m anodeflow.md.jobs <verb>``). The capillary analysis itself lives in ``anodeflow.cft``.
"""

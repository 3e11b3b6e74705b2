"""Physical constants and unit conversions: the one place for them (CODATA 2018 via ASE)."""
from ase import units

#: Boltzmann constant in eV/K
KB_EV_PER_K = units.kB
#: 1 eV in J
EV_IN_J = 1.602176634e-19
#: 1 Å^2 in m^2
A2_IN_M2 = 1e-20
#: eV/Å^2 -> J/m^2
EV_PER_A2_IN_J_PER_M2 = EV_IN_J / A2_IN_M2
#: Boltzmann constant in J/K
KB_J_PER_K = KB_EV_PER_K * EV_IN_J

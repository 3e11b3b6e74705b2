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

# --- phase-field grain selection (methods.md section 8) -------------------------------
# Mapping of the DFT/NEB inputs onto the Allen-Cahn mobility and gradient coefficients,
# in the normalised units of anodeflow.phasefield (lengths in um, times in s, energy
# densities in units of the Landau barrier scale w0):
#   L_q = PF_L1 * exp(-PF_L2 * E_a / (k_B T)),   kappa_q = PF_KAPPA1 * exp(PF_KAPPA2 * E_s / E_0)
PF_L1 = 7.5  # 1/(w0 s)
PF_L2 = 0.27  # dimensionless
PF_KAPPA1 = 4.1e-9  # w0 um^2
PF_KAPPA2 = 20.0  # dimensionless
#: the three bcc texture components of the grain-growth literature, in the order used everywhere
PF_ORIENTATIONS = ("001", "101", "111")
#: the same families in the slab (DFT/NEB) notation: (001)->100, (101)->110, (111)->111
PF_SLAB_FACET = {"001": "100", "101": "110", "111": "111"}

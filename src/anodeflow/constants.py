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

# --- electrodeposition: deposition velocity v = j V_m / (z F) (methods.md section 8) ----------
#: Faraday constant, C/mol (CODATA 2018: N_A e, exact)
FARADAY_C_PER_MOL = 96485.33212
#: Avogadro constant, 1/mol (CODATA 2018, exact)
AVOGADRO_PER_MOL = 6.02214076e23
#: molar volume of the metal, cm^3/mol = M/rho at room temperature, from the standard atomic weights
#: (IUPAC 2013: Li 6.94, Na 22.990, K 39.098 g/mol) and the densities of CRC Handbook of Chemistry and
#: Physics, 97th ed. (2016), section 4 (Li 0.534, Na 0.968, K 0.89 g/cm^3). Checks (methods.md 8):
#: 0.1 mA/cm^2 deposits 1.35e-4 um/s of Li and 2.46e-4 um/s of Na.
METAL_MOLAR_VOLUME_CM3_MOL = {"Li": 6.94 / 0.534, "Na": 22.990 / 0.968, "K": 39.098 / 0.89}
#: electrons transferred per deposited atom (M+ + e- -> M)
METAL_CHARGE_NUMBER = {"Li": 1, "Na": 1, "K": 1}

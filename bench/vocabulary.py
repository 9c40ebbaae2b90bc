"""What the synthetic catalogue talks about: beamlines, techniques, samples and people.

Each technique knows how to describe one measurement: a title like a beamline scientist would write
it, a summary sentence, keywords and a ``scientificMetadata`` tree. The trees mix every shape the
real catalogue holds: ``{"value", "unit"}`` and ``{"v", "u"}`` quantities (sometimes with the
backend's ``valueSI`` / ``unitSI``), ``quantity_range`` ranges, nested objects, lists of objects,
plain strings, numbers and booleans; units are spelled many ways (``degC``, ``°C``, ``K``, ``keV``,
``eV``, ``Å``, ``um``, ``µm``, ``mN/m``, ``%``, empty) and a few are unknown to any unit library
(``a.u.``, ``arb. units``, ``counts/s``, ``ph/s``, ``shots``).

PaNET ids are those of the SciCat samples where the samples have them, PaNET-shaped otherwise.

Over 400 lines because it is data tables (beamlines, techniques with their metadata trees,
samples, names), one table a concern; the code is a few small functions reading them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Rng = random.Random
Metadata = dict[str, Any]

# -- facilities and beamlines -------------------------------------------------------------------

PETRA = "PETRA III"
FLASH = "FLASH"

_PETRA_NAMES = {
    1: "Dynamics",
    2: "Hard X-ray diffraction",
    3: "Micro- and nano-SAXS/WAXS",
    4: "Variable polarization XUV",
    5: "Imaging",
    6: "Hard X-ray micro/nano-probe",
    7: "High energy materials science",
    8: "High resolution diffraction",
    9: "Resonant scattering and diffraction",
    10: "Coherence applications",
    11: "Bio-imaging and diffraction",
    12: "BioSAXS",
    13: "Macromolecular crystallography 1",
    14: "Macromolecular crystallography 2",
    21: "Swedish materials science",
    22: "Hard X-ray photoelectron spectroscopy",
    23: "In situ diffraction and imaging",
    24: "Chemical crystallography",
    61: "High energy wiggler",
    62: "SAXSMAT",
    63: "Roentgen Laue",
    64: "Advanced XAFS",
    65: "Applied XAFS",
}
_FLASH_NAMES = {
    "BL1": "Non-linear and single-shot imaging",
    "BL2": "Pump-probe endstations",
    "BL3": "Open port",
    "PG1": "Plane grating monochromator 1",
    "PG2": "Plane grating monochromator 2",
    "FL23": "Open port",
    "FL24": "Time-resolved photoemission",
    "FL26": "Reaction microscope",
}


@dataclass(frozen=True)
class Beamline:
    code: str
    name: str
    facility: str
    techniques: tuple[str, ...]

    @property
    def pid(self) -> str:
        return f"instr-{self.code.lower()}"

    @property
    def group(self) -> str:
        return f"{self.code.lower()}-staff"


# Techniques by beamline where the beamline is known for them; every other beamline gets a
# seeded pick of the general-purpose ones.
_KNOWN = {
    "P02": ("pxrd",),
    "P03": ("saxs", "xrr"),
    "P05": ("tomo", "ptycho"),
    "P06": ("ptycho", "cdi"),
    "P07": ("tomo", "pxrd"),
    "P08": ("gixos", "xrr"),
    "P09": ("xrr", "haxpes"),
    "P10": ("cdi", "xpcs"),
    "P11": ("mx", "ptycho"),
    "P12": ("saxs",),
    "P13": ("mx",),
    "P14": ("mx",),
    "P21": ("pxrd", "tomo"),
    "P22": ("haxpes",),
    "P23": ("xrr", "pxrd"),
    "P24": ("pxrd",),
    "P61": ("pxrd", "tomo"),
    "P62": ("saxs",),
    "P64": ("xafs",),
    "P65": ("xafs",),
    "PG2": ("trpes",),
    "FL24": ("trpes",),
    "BL1": ("fel_imaging",),
    "BL2": ("trpes", "fel_imaging"),
    "FL26": ("fel_imaging",),
}
_GENERAL = ("pxrd", "saxs", "tomo", "xafs", "xrr")


def beamlines(rng: Rng) -> list[Beamline]:
    """P01..P65 at PETRA III and a handful of FLASH beamlines, each with its techniques."""
    out = []
    for number in range(1, 66):
        code = f"P{number:02d}"
        techniques = _KNOWN.get(code) or tuple(rng.sample(_GENERAL, rng.randint(1, 2)))
        name = _PETRA_NAMES.get(number, "Beamline")
        out.append(Beamline(code, f"{code} {name}", PETRA, techniques))
    for code, name in _FLASH_NAMES.items():
        techniques = _KNOWN.get(code) or ("fel_imaging",)
        out.append(Beamline(code, f"{code} {name}", FLASH, techniques))
    return out


# -- people -------------------------------------------------------------------------------------

PEOPLE = (
    ("Noether", "Emmy"),
    ("Lovelace", "Ada"),
    ("Franklin", "Rosalind"),
    ("Meitner", "Lise"),
    ("Curie", "Marie"),
    ("Hodgkin", "Dorothy"),
    ("Bragg", "Lawrence"),
    ("Röntgen", "Wilhelm"),
    ("von Laue", "Max"),
    ("Carberry", "Josiah"),
    ("Goeppert Mayer", "Maria"),
    ("Wu", "Chien-Shiung"),
    ("Lonsdale", "Kathleen"),
    ("Yonath", "Ada"),
    ("Perutz", "Max"),
    ("Kendrew", "John"),
    ("Debye", "Peter"),
    ("Scherrer", "Paul"),
    ("Ewald", "Paul Peter"),
    ("Compton", "Arthur"),
    ("Siegbahn", "Kai"),
    ("Pauling", "Linus"),
    ("Bernal", "John Desmond"),
    ("Guinier", "André"),
    ("Porod", "Günther"),
    ("Kratky", "Otto"),
    ("Kossel", "Walther"),
    ("Glocker", "Richard"),
    ("Bijvoet", "Johannes"),
    ("Patterson", "Arthur Lindo"),
    ("Rosenbusch", "Karl"),
    ("Ångström", "Anders"),
    ("Sørensen", "Søren"),
    ("Mössbauer", "Rudolf"),
)
INSTITUTIONS = (
    "uni-hamburg",
    "kit",
    "lu.se",
    "dtu",
    "ku",
    "ethz",
    "tum",
    "uu.se",
    "ucl",
    "cnrs",
    "embl",
)


def orcid(rng: Rng) -> str:
    """An ORCID iD (0000-000x-...) with a valid ISO 7064 11-2 check digit."""
    digits = [0] * 7 + [rng.randint(1, 3)] + [rng.randrange(10) for _ in range(7)]
    total = 0
    for digit in digits:
        total = (total + digit) * 2
    check = (12 - total % 11) % 11
    text = "".join(map(str, digits)) + ("X" if check == 10 else str(check))
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


# -- quantities ---------------------------------------------------------------------------------


def qty(rng: Rng, value: float, unit: str, *, si: tuple[float, str] | None = None) -> Any:
    """A quantity as SciCat holds it: mostly ``{value, unit}``, sometimes ``{v, u}``."""
    roll = rng.random()
    if roll < 0.15:
        return {"v": value, "u": unit}
    out: dict[str, Any] = {"value": value, "unit": unit}
    if si is not None and roll > 0.8:
        out["valueSI"], out["unitSI"] = si
    return out


def qrange(low: float, high: float, unit: str) -> dict[str, Any]:
    return {"value": [low, high], "unit": unit, "type": "quantity_range"}


def temperature(rng: Rng, kelvin: float) -> tuple[str, Any]:
    """``(as written in a title, as stored in metadata)`` in K, degC or °C."""
    roll = rng.random()
    if roll < 0.5:
        k = round(kelvin, 1)
        return f"{k:g} K", qty(rng, k, "K", si=(k, "K"))
    celsius = round(kelvin - 273.15, 2)
    unit = "degC" if roll < 0.8 else "°C"
    return f"{celsius:g} °C", qty(rng, celsius, unit, si=(round(kelvin, 2), "K"))


def energy(rng: Rng, kev: float) -> Any:
    if rng.random() < 0.3:
        return qty(rng, round(kev * 1000, 1), "eV")
    return qty(rng, round(kev, 3), "keV")


def length_um(rng: Rng, um: float) -> Any:
    return qty(rng, round(um, 3), rng.choice(("um", "um", "µm", "micrometer")))


# -- techniques ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    title: str
    summary: str
    keywords: list[str]
    metadata: Metadata


@dataclass(frozen=True)
class Technique:
    key: str
    build: Callable[[Rng, str], Measurement] = field(repr=False)
    pid: str
    name: str
    proposal_titles: tuple[str, ...]
    file_pattern: str  # "{scan}" and "{k}" are filled in per file
    file_size: tuple[float, float]  # log-normal mu, sigma of one file's size in bytes
    data_format: str
    samples: tuple[str, ...]


def _gixos(rng: Rng, sample: str) -> Measurement:
    pressure = rng.choice((5, 10, 15, 20, 25, 30, 35, 40, 45))
    subphase = rng.choice(
        (
            "tris-EDTA buffer (pH7.3)",
            "pure water",
            "PBS buffer",
            "10 mM CaCl2 solution",
            "150 mM NaCl",
        )
    )
    t_text, t_meta = temperature(rng, rng.choice((283.0, 288.0, 293.0, 295.0, 298.0, 310.0)))
    return Measurement(
        title=f"GIXOS pseudo reflectivity of {sample} monolayer on {subphase} at {pressure} mN/m, "
        f"{t_text}",
        summary=f"Pseudo reflectivity derived from grazing-incidence X-ray off-specular scattering "
        f"of a {sample} Langmuir monolayer on {subphase}.",
        keywords=["GIXOS", "reflectivity", "lipid monolayer", sample],
        metadata={
            "surface_pressure": qty(rng, pressure, "mN/m"),
            "sample_temperature": t_meta,
            "subphase": subphase,
            "pH": {"value": 7.3, "unit": ""},
            "incident_energy": energy(rng, 15.0),
            "detector": {"name": "Pilatus 100k", "distance": qty(rng, 1.2, "m")},
            "qz_range": qrange(0.01, round(rng.uniform(0.6, 1.0), 2), "1/Å"),
            "trough": {
                "area": qty(rng, round(rng.uniform(80, 250), 1), "cm^2"),
                "barrier_speed": qty(rng, 5, "mm/min"),
            },
            "intensity_scale": {"value": round(rng.uniform(0.5, 2), 3), "unit": "a.u."},
        },
    )


def _xrr(rng: Rng, sample: str) -> Measurement:
    substrate = rng.choice(
        ("silicon wafer with native oxide", "sapphire (0001)", "float glass", "gold-coated silicon")
    )
    thickness = round(rng.uniform(2, 120), 1)
    kev = rng.choice((8.048, 10.0, 18.0, 25.0))
    batch = f", training set batch {rng.randint(1, 40)}" if rng.random() < 0.2 else ""
    return Measurement(
        title=f"X-ray reflectivity of {sample} on {substrate}, {thickness:g} nm{batch}",
        summary=f"Specular X-ray reflectivity of a {thickness:g} nm {sample} on {substrate}.",
        keywords=["XRR", "reflectometry", "thin film", sample],
        metadata={
            "incident_energy": energy(rng, kev),
            "wavelength": qty(rng, round(12.398 / kev, 4), "Å"),
            "roughness": qty(rng, round(rng.uniform(1, 8), 1), "Å"),
            "thickness": qty(rng, thickness, "nm"),
            "fit": {
                "model": "slab",
                "chi2": round(rng.uniform(0.8, 3), 2),
                "layers": [
                    {"name": "substrate", "sld": qty(rng, 20.1, "1e-6/Å^2")},
                    {"name": sample, "sld": qty(rng, round(rng.uniform(5, 15), 2), "1e-6/Å^2")},
                ],
            },
            "q_range": qrange(0.005, 0.5, "1/Å"),
            "attenuator": rng.choice(("none", "Al 0.1 mm", "Al 0.5 mm")),
        },
    )


def _tomo(rng: Rng, sample: str) -> Measurement:
    voxel = rng.choice((0.325, 0.65, 1.28, 2.54, 5.1))
    kev = rng.choice((18.0, 25.0, 30.0, 45.0, 60.0, 87.1))
    t_text, t_meta = temperature(rng, rng.uniform(293, 300))
    if "cathode" in sample:
        rate = rng.choice((2, 5, 10, 20))
        chemistry = sample.split()[0]
        title = rng.choice(
            (
                f"Operando tomography of Li-ion cathode ({chemistry}) during cycling at C/{rate}",
                f"Tomography of Li-ion cathode ({chemistry}) after {rng.randint(1, 500)} cycles",
            )
        )
    elif "alloy" in sample or "composite" in sample:
        t_text, t_meta = temperature(rng, rng.uniform(293, 873))
        title = f"In situ tomography of {sample} at {t_text}"
    else:
        title = f"Phase-contrast tomography of {sample}, {voxel:g} µm voxels"
    return Measurement(
        title=title,
        summary=f"Synchrotron micro-tomography of {sample} at {kev:g} keV.",
        keywords=["tomography", "imaging", sample.split(" (")[0]],
        metadata={
            "voxel_size": length_um(rng, voxel),
            "energy": energy(rng, kev),
            "exposure_time": {"v": rng.choice((5, 10, 20, 50, 100)), "u": "ms"},
            "number_of_projections": rng.choice((1201, 2401, 3601, 4001)),
            "rotation_range": qrange(0, rng.choice((180, 360)), "deg"),
            "sample_temperature": t_meta,
            "detector": {
                "name": rng.choice(("KIT CMOS", "PCO.edge 5.5", "Ximea CB500")),
                "pixel_size": length_um(rng, 6.4),
                "binning": rng.choice(("1x1", "2x2")),
            },
            "reconstruction": {
                "algorithm": rng.choice(("FBP", "SIRT", "gridrec")),
                "ring_removal": rng.random() < 0.5,
            },
            "phase_retrieval": {"method": "Paganin", "delta_beta": rng.choice((50, 100, 300))},
        },
    )


def _saxs(rng: Rng, sample: str) -> Measurement:
    buffer = rng.choice(("20 mM HEPES pH 7.5", "PBS", "50 mM Tris pH 8.0", "MES pH 6.0"))
    concentration = round(rng.uniform(0.5, 12), 1)
    t_text, t_meta = temperature(rng, rng.choice((277.15, 283.15, 293.15, 298.15, 310.15)))
    return Measurement(
        title=f"SAXS of {sample} in {buffer} at {t_text}, {concentration:g} mg/ml",
        summary=f"Solution small-angle X-ray scattering of {sample} ({concentration:g} mg/ml).",
        keywords=["SAXS", "BioSAXS", "solution scattering", sample],
        metadata={
            "concentration": qty(rng, concentration, "mg/ml"),
            "sample_temperature": t_meta,
            "buffer": buffer,
            "q_range": qrange(0.03, 5.0, "1/nm"),
            "exposure_time": qty(rng, rng.choice((0.045, 0.1, 1.0)), "s"),
            "frames": rng.choice((20, 40, 100)),
            "radius_of_gyration": qty(rng, round(rng.uniform(1.2, 8), 2), "nm"),
            "forward_scattering": {"value": round(rng.uniform(10, 900), 1), "unit": "arb. units"},
            "sec_saxs": rng.random() < 0.3,
        },
    )


def _pxrd(rng: Rng, sample: str) -> Measurement:
    kev = rng.choice((60.0, 87.1, 100.0, 25.6))
    if rng.random() < 0.4:
        pressure = round(rng.uniform(0.5, 80), 1)
        title = f"High-pressure powder diffraction of {sample} at {pressure:g} GPa"
    else:
        pressure = 0.0001
        t_text, _ = temperature(rng, rng.uniform(10, 1200))
        title = f"Powder diffraction of {sample} at {t_text}"
    _, t_meta = temperature(rng, rng.uniform(10, 1200))
    return Measurement(
        title=title,
        summary=f"X-ray powder diffraction of {sample} with a 2D detector.",
        keywords=["XRD", "powder diffraction", sample],
        metadata={
            "wavelength": qty(
                rng, round(12.398 / kev, 5), rng.choice(("Å", "Å", "angstrom", "Å", "A"))
            ),
            "incident_energy": energy(rng, kev),
            "pressure": qty(rng, pressure, "GPa"),
            "sample_temperature": t_meta,
            "two_theta_range": qrange(0.5, rng.choice((12, 20, 30)), "deg"),
            "detector": {
                "name": rng.choice(("PerkinElmer XRD1621", "Pilatus3 X CdTe 2M", "Varex 4343CT")),
                "distance": qty(rng, rng.choice((400, 1000, 1500)), "mm"),
            },
            "pressure_medium": rng.choice(("neon", "helium", "methanol:ethanol 4:1", "none")),
            "ruby_fluorescence": qty(rng, round(rng.uniform(694.2, 700), 2), "nm"),
        },
    )


_EDGES = {
    "Cu": 8.979,
    "Ni": 8.333,
    "Fe": 7.112,
    "Co": 7.709,
    "Pt": 11.564,
    "Pd": 24.35,
    "Zn": 9.659,
    "Mn": 6.539,
}


def _xafs(rng: Rng, sample: str) -> Measurement:
    element = rng.choice(list(_EDGES))
    edge = _EDGES[element]
    process = rng.choice(
        (
            "CO oxidation",
            "reduction in 5% H2 at 400 °C",
            "oxygen evolution at 1.6 V",
            "methanol synthesis at 30 bar",
            "calcination in air",
        )
    )
    _, t_meta = temperature(rng, rng.uniform(298, 773))
    edge_name = "L3" if element == "Pt" else "K"
    return Measurement(
        title=f"XAFS at the {element} {edge_name}-edge of {sample} during {process}",
        summary=f"Operando X-ray absorption spectroscopy of {sample} during {process}.",
        keywords=["XAFS", "EXAFS", "XANES", "catalysis", element],
        metadata={
            "edge": {"element": element, "energy": energy(rng, edge)},
            "energy_range": qrange(round(edge - 0.2, 3), round(edge + 1.0, 3), "keV"),
            "mode": rng.choice(("transmission", "fluorescence")),
            "gas": {
                "composition": rng.choice(("5% H2 in He", "1% CO, 20% O2 in He", "air")),
                "flow": qty(rng, rng.choice((20, 50, 100)), "ml/min"),
            },
            "sample_temperature": t_meta,
            "reactor_pressure": qty(rng, rng.choice((1, 10, 30)), rng.choice(("bar", "mbar"))),
            "ionisation_chambers": [{"name": "I0", "gas": "N2"}, {"name": "I1", "gas": "Ar"}],
            "spectra": rng.randint(1, 400),
        },
    )


def _cdi(rng: Rng, sample: str) -> Measurement:
    reflection = rng.choice(("111", "200", "220", "002"))
    return Measurement(
        title=f"Bragg coherent diffraction imaging of {sample} ({reflection} reflection)",
        summary=f"Bragg CDI rocking scans of single {sample}.",
        keywords=["CDI", "coherent imaging", "nanocrystals", sample],
        metadata={
            "incident_energy": energy(rng, rng.choice((8.9, 9.0, 13.0))),
            "reflection": reflection,
            "rocking_range": qrange(-0.5, 0.5, "deg"),
            "detector": {
                "name": "Eiger 4M",
                "distance": qty(rng, 5.0, "m"),
                "pixel_size": length_um(rng, 75),
            },
            "oversampling": round(rng.uniform(2, 4), 2),
            "exposure_time": qty(rng, 1, "s"),
            "strain_range": qrange(-0.002, 0.002, ""),
        },
    )


def _xpcs(rng: Rng, sample: str) -> Measurement:
    t_text, t_meta = temperature(rng, rng.uniform(180, 320))
    return Measurement(
        title=f"XPCS of {sample} at {t_text}",
        summary=f"X-ray photon correlation spectroscopy of {sample}.",
        keywords=["XPCS", "dynamics", "coherence", sample],
        metadata={
            "frames": rng.choice((1000, 5000, 10000, 100000)),
            "delay_time": qty(rng, rng.choice((0.0001, 0.001, 0.01)), "s"),
            "q_range": qrange(0.01, 0.3, "1/nm"),
            "beam_size": qrange(2, 3, "um"),
            "count_rate": {"value": round(rng.uniform(1e3, 1e6)), "unit": "counts/s"},
            "sample_temperature": t_meta,
            "transmission": qty(rng, round(rng.uniform(5, 100), 1), "%"),
        },
    )


def _mx(rng: Rng, sample: str) -> Measurement:
    ligand = rng.choice(
        (
            f"fragment F2X-{rng.randint(1, 1000):04d}",
            f"inhibitor compound {rng.randint(1, 300)}",
            "no ligand (apo)",
        )
    )
    resolution = round(rng.uniform(0.9, 3.5), 2)
    a, b, c = (round(rng.uniform(30, 150), 2) for _ in range(3))
    return Measurement(
        title=f"Diffraction data of {sample} crystal in complex with {ligand}, {resolution:g} Å",
        summary=f"Rotation data of a {sample} crystal soaked with {ligand}.",
        keywords=["MX", "crystallography", "protein structure", sample],
        metadata={
            "wavelength": qty(rng, 0.9763, "Å"),
            "resolution": qty(rng, resolution, "Å"),
            "space_group": rng.choice(("P 21 21 21", "C 1 2 1", "P 43 21 2", "I 2 3")),
            "unit_cell": {
                "a": qty(rng, a, "Å"),
                "b": qty(rng, b, "Å"),
                "c": qty(rng, c, "Å"),
                "alpha": qty(rng, 90, "deg"),
                "beta": qty(rng, 90, "deg"),
                "gamma": qty(rng, 90, "deg"),
            },
            "oscillation": qty(rng, 0.1, "deg"),
            "images": rng.choice((1800, 3600, 7200)),
            "temperature": qty(rng, 100, "K"),
            "flux": {"value": 2.1e12, "unit": "ph/s"},
            "ligand": ligand,
        },
    )


def _haxpes(rng: Rng, sample: str) -> Measurement:
    kev = rng.choice((2.5, 3.0, 6.0, 8.0))
    return Measurement(
        title=f"HAXPES of {sample} at {kev:g} keV",
        summary=f"Hard X-ray photoelectron spectroscopy of {sample} at {kev:g} keV photon energy.",
        keywords=["HAXPES", "photoelectron spectroscopy", "interfaces", sample],
        metadata={
            "photon_energy": energy(rng, kev),
            "pass_energy": qty(rng, rng.choice((50, 100, 200)), "eV"),
            "take_off_angle": qty(rng, rng.choice((5, 45, 85)), "deg"),
            "analyser": {"name": "SPECS Phoibos 225 HV", "slit": "3 mm curved"},
            "core_levels": rng.sample(["O 1s", "C 1s", "Ga 2p", "Hf 4f", "Si 1s", "Ti 2p"], 3),
            "sample_temperature": temperature(rng, 295)[1],
        },
    )


def _ptycho(rng: Rng, sample: str) -> Measurement:
    step = rng.choice((50, 100, 200))
    return Measurement(
        title=f"Ptychographic X-ray imaging of {sample}",
        summary=f"Scanning coherent diffraction (ptychography) of {sample}, {step} nm steps.",
        keywords=["ptychography", "nano-imaging", sample],
        metadata={
            "incident_energy": energy(rng, rng.choice((6.2, 10.0, 15.25))),
            "step_size": qty(rng, step, "nm"),
            "scan_area": {
                "value": [rng.randint(5, 40), rng.randint(5, 40)],
                "unit": "um",
                "type": "quantity_range",
            },
            "probe": {"size": length_um(rng, rng.choice((0.1, 0.5, 1.0)))},
            "positions": rng.randint(400, 20000),
            "reconstruction": {
                "algorithm": rng.choice(("ePIE", "DM", "ML")),
                "iterations": rng.choice((200, 500, 1000)),
            },
        },
    )


def _trpes(rng: Rng, sample: str) -> Measurement:
    pump = rng.choice((400, 800, 1030, 1550))
    fluence = round(rng.uniform(0.1, 5), 2)
    return Measurement(
        title=f"Time-resolved XUV photoemission of {sample} after {pump} nm pump, "
        f"{fluence:g} mJ/cm²",
        summary=f"Pump-probe photoemission of {sample} at the free-electron laser.",
        keywords=["trARPES", "ultrafast", "FEL", sample],
        metadata={
            "photon_energy": qty(rng, round(rng.uniform(36, 140), 1), "eV"),
            "pump_wavelength": qty(rng, pump, "nm"),
            "pump_fluence": qty(rng, fluence, "mJ/cm^2"),
            "delay_range": qrange(-1, rng.choice((2, 5, 10)), "ps"),
            "repetition_rate": qty(rng, 10, "Hz"),
            "bunches_per_train": rng.choice((100, 400, 800)),
            "pulse_energy": {"value": round(rng.uniform(10, 300), 1), "unit": "uJ"},
            "gmd": {
                "mean": qty(rng, round(rng.uniform(10, 300), 1), "uJ"),
                "unit_note": "per pulse",
            },
        },
    )


def _fel_imaging(rng: Rng, sample: str) -> Measurement:
    wavelength = rng.choice((4.5, 7.0, 13.5))
    return Measurement(
        title=f"Single-shot coherent diffractive imaging of {sample} at {wavelength:g} nm",
        summary=f"Single-shot imaging of {sample} with femtosecond XUV pulses.",
        keywords=["CDI", "single-shot imaging", "FEL", sample],
        metadata={
            "wavelength": qty(rng, wavelength, "nm"),
            "pulse_energy": qty(rng, round(rng.uniform(20, 200), 1), "uJ"),
            "shots": {"value": rng.randint(10_000, 2_000_000), "unit": "shots"},
            "hit_rate": qty(rng, round(rng.uniform(0.1, 30), 2), "%"),
            "cluster_size": qty(rng, rng.choice((20, 50, 120)), "nm"),
            "source": {
                "nozzle_temperature": temperature(rng, rng.uniform(5, 300))[1],
                "backing_pressure": qty(rng, rng.choice((2, 10, 40)), "bar"),
            },
        },
    )


TECHNIQUES: dict[str, Technique] = {
    t.key: t
    for t in (
        Technique(
            "gixos",
            _gixos,
            "panet01253",
            "grazing incidence X-ray off-specular scattering",
            (
                "Lipid monolayers at liquid interfaces by GIXOS",
                "Antimicrobial peptides at model membranes",
            ),
            "gixos/{scan}_{k:05d}.nxs",
            (13.0, 1.0),
            "NeXus/HDF5",
            (
                "DPPG",
                "DPPC",
                "DMPC",
                "DPPE",
                "POPC",
                "DSPC",
                "cholesterol:DPPC (3:7)",
                "stearic acid",
                "behenic acid",
            ),
        ),
        Technique(
            "xrr",
            _xrr,
            "panet01190",
            "x-ray reflectivity",
            (
                "Reflectivity reference data for machine learning",
                "Buried interfaces in organic electronics",
            ),
            "xrr/{scan}_{k:05d}.dat",
            (11.0, 1.2),
            "ASCII",
            (
                "polystyrene film",
                "PEDOT:PSS film",
                "supported lipid bilayer",
                "MoS2 film",
                "perovskite film",
                "polymer brush",
            ),
        ),
        Technique(
            "tomo",
            _tomo,
            "panet01114",
            "tomography",
            (
                "Degradation of battery electrodes in operando",
                "Microstructure of biodegradable implants",
                "3D imaging of fossils in amber",
            ),
            "{scan}/proj_{k:05d}.tif",
            (15.5, 0.4),
            "TIFF",
            (
                "NMC811 cathode",
                "LFP cathode",
                "LCO cathode",
                "NMC622 cathode",
                "aluminium alloy AA2024",
                "magnesium alloy WE43 implant",
                "zebrafish embryo",
                "fossil insect in amber",
                "sandstone core",
                "carbon fibre composite",
                "human trabecular bone",
            ),
        ),
        Technique(
            "saxs",
            _saxs,
            "panet01188",
            "small angle x-ray scattering",
            (
                "Structure of intrinsically disordered proteins in solution",
                "Protein oligomerisation studied by SEC-SAXS",
            ),
            "saxs/{scan}_{k:05d}.h5",
            (14.0, 1.0),
            "NeXus/HDF5",
            (
                "lysozyme",
                "BSA",
                "apoferritin",
                "insulin",
                "myoglobin",
                "alpha-synuclein",
                "glucose isomerase",
            ),
        ),
        Technique(
            "pxrd",
            _pxrd,
            "panet01145",
            "x-ray powder diffraction",
            (
                "Phase transitions of framework materials under pressure",
                "Iron at Earth's core conditions",
            ),
            "xrd/{scan}_{k:05d}.tif",
            (16.0, 0.3),
            "TIFF",
            (
                "MOF-5",
                "UiO-66",
                "CsPbBr3 perovskite",
                "LiNi0.8Mn0.1Co0.1O2",
                "zirconia (3Y-TZP)",
                "ice VII",
                "iron",
                "silicon standard (NIST 640f)",
            ),
        ),
        Technique(
            "xafs",
            _xafs,
            "panet01196",
            "x-ray absorption fine structure",
            (
                "Working catalysts under realistic conditions",
                "Active sites in single-atom catalysts",
            ),
            "xafs/{scan}_{k:05d}.dat",
            (11.5, 0.8),
            "ASCII",
            (
                "Cu/ZnO/Al2O3 methanol catalyst",
                "Pt nanoparticles on CeO2",
                "Ni-Fe layered double hydroxide",
                "Co3O4 spinel",
                "Pd/Al2O3",
            ),
        ),
        Technique(
            "cdi",
            _cdi,
            "panet01104",
            "coherent diffraction imaging",
            ("Strain in single nanocrystals during catalysis",),
            "cdi/{scan}/frame_{k:05d}.h5",
            (15.0, 0.5),
            "NeXus/HDF5",
            ("gold nanocrystals", "Pt nanoparticles", "CaCO3 crystals", "InGaAs nanowires"),
        ),
        Technique(
            "xpcs",
            _xpcs,
            "panet01229",
            "x-ray photon correlation spectroscopy",
            ("Glass dynamics at the nanoscale",),
            "xpcs/{scan}_{k:06d}.h5",
            (17.0, 0.7),
            "NeXus/HDF5",
            (
                "silica colloids (200 nm) in glycerol",
                "PNIPAM microgels in water",
                "glycerol",
                "polystyrene latex",
                "metallic glass Pd42.5Cu27Ni9.5P21",
            ),
        ),
        Technique(
            "mx",
            _mx,
            "panet01136",
            "macromolecular crystallography",
            ("Fragment screening against viral proteases", "Structures of membrane proteins"),
            "mx/{scan}/{scan}_{k:05d}.cbf",
            (15.0, 0.3),
            "CBF",
            (
                "SARS-CoV-2 main protease",
                "endothiapepsin",
                "thaumatin",
                "human carbonic anhydrase II",
                "photosystem II",
                "lysozyme",
            ),
        ),
        Technique(
            "haxpes",
            _haxpes,
            "panet01170",
            "hard x-ray photoelectron spectroscopy",
            ("Buried interfaces in oxide electronics",),
            "haxpes/{scan}_{k:04d}.xy",
            (10.5, 0.6),
            "ASCII",
            (
                "Ga2O3 thin film",
                "HfO2/Si gate stack",
                "LaAlO3/SrTiO3 interface",
                "Li-ion cathode-electrolyte interphase",
            ),
        ),
        Technique(
            "ptycho",
            _ptycho,
            "panet01102",
            "ptychography",
            ("Nanoscale imaging of integrated circuits", "Diatom biomineralisation"),
            "ptycho/{scan}/pos_{k:05d}.h5",
            (14.5, 0.5),
            "NeXus/HDF5",
            (
                "integrated circuit (14 nm node)",
                "diatom frustule",
                "catalyst particle",
                "bone mineral",
            ),
        ),
        Technique(
            "trpes",
            _trpes,
            "panet01275",
            "time-resolved photoelectron spectroscopy",
            ("Ultrafast dynamics of charge density waves",),
            "trpes/{scan}/run_{k:05d}.h5",
            (17.5, 0.8),
            "HDF5",
            ("WSe2", "graphene on SiC", "1T-TaS2", "Bi2Se3"),
        ),
        Technique(
            "fel_imaging",
            _fel_imaging,
            "panet01101",
            "coherent diffractive imaging with XUV FEL",
            ("Imaging of superfluid helium nanodroplets",),
            "camp/{scan}/shots_{k:05d}.h5",
            (18.0, 0.6),
            "HDF5",
            ("xenon clusters", "argon clusters", "helium nanodroplets", "silver nanoplates"),
        ),
    )
}

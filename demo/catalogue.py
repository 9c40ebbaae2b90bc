"""What the demo catalogue is about: two invented facilities, their beamlines and experiments.

Plain data, read by :mod:`demo.generate`. The facilities, beamlines, people's affiliations and
e-mail domains are made up (``.example``); the investigators are historical scientists, the
techniques real PaNET terms. The module is long because it is data: a table entry per beamline
and per beamtime, one field a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FACILITIES = {
    "halcyon": {"name": "Halcyon Light Source", "site": "HALCYON", "ring": "HLS"},
    "borealis": {"name": "Borealis Synchrotron", "site": "BOREALIS", "ring": "BSR"},
}


@dataclass(frozen=True)
class Beamline:
    pid: str
    unique_name: str
    name: str
    facility: str  # a key of FACILITIES
    techniques: tuple[tuple[str, str], ...]  # (PaNET id, name)
    image: str  # a kind of demo.images.KINDS, or "" for none
    detector: str
    file_kind: str  # how its raw files are named (see generate._file_names)


BEAMLINES = (
    Beamline(
        "hls-h04",
        "H04",
        "H04 Surface and interface scattering",
        "halcyon",
        (
            ("PaNET01149", "x-ray reflectivity"),
            ("PaNET01162", "grazing incidence small angle x-ray scattering"),
            ("PaNET01316", "grazing incidence wide angle x-ray scattering"),
        ),
        "rings",
        "Pilatus 300k",
        "frames",
    ),
    Beamline(
        "hls-h09",
        "H09",
        "H09 Coherence and dynamics",
        "halcyon",
        (
            ("PaNET01205", "x-ray photon correlation spectroscopy"),
            ("PaNET01174", "coherent diffraction imaging"),
        ),
        "speckle",
        "Eiger 4M",
        "hdf5",
    ),
    Beamline(
        "hls-h11",
        "H11",
        "H11 Macromolecular crystallography",
        "halcyon",
        (
            ("PaNET01164", "macromolecular crystallography"),
            ("PaNET01170", "single wavelength anomalous diffraction"),
        ),
        "bragg",
        "Pilatus 6M",
        "cbf",
    ),
    Beamline(
        "hls-h23",
        "H23",
        "H23 Micro-tomography",
        "halcyon",
        (
            ("PaNET01208", "x-ray microtomography"),
            ("PaNET01333", "x-ray propagation phase contrast microtomography"),
        ),
        "tomography",
        "PCO.edge 5.5",
        "tiff",
    ),
    Beamline(
        "bsr-bx2",
        "BX2",
        "BX2 High-energy powder diffraction",
        "borealis",
        (("PaNET01101", "x-ray powder diffraction"), ("PaNET01181", "pair distribution function")),
        "rings",
        "Perkin Elmer XRD1621",
        "frames",
    ),
    Beamline(
        "bsr-bx7",
        "BX7",
        "BX7 Soft X-ray spectroscopy",
        "borealis",
        (
            ("PaNET01196", "x-ray absorption spectroscopy"),
            ("PaNET01137", "x-ray magnetic circular dichroism"),
        ),
        "",
        "total electron yield",
        "spectra",
    ),
    Beamline(
        "bsr-id16",
        "ID16",
        "ID16 Small and wide angle scattering",
        "borealis",
        (
            ("PaNET01188", "small angle x-ray scattering"),
            ("PaNET01191", "wide angle x-ray scattering"),
        ),
        "rings",
        "Eiger2 9M",
        "hdf5",
    ),
)


@dataclass(frozen=True)
class Experiment:
    """One proposal and its beamtime: what was measured, on what, and how it is described."""

    proposal_id: str
    beamline: str  # a Beamline pid
    year: int
    month: int
    title: str
    pi: tuple[str, str]  # (first name, last name)
    team: tuple[str, ...]  # "Last, First" of the other experimenters
    samples: tuple[str, ...]
    keywords: tuple[str, ...]
    measurement: str  # the raw datasets' title: "{sample}" and "{condition}" filled in
    # One per dataset in turn: scientific metadata over the beamline's (BEAMLINE_METADATA),
    # (value, unit) pairs or plain values, and a "label" for the title.
    conditions: tuple[dict[str, Any], ...] = field(default=())
    datasets: int = 4  # the last one is derived (reduced data) when there are four or more


EXPERIMENTS = (
    Experiment(
        "20190412",
        "hls-h04",
        2019,
        4,
        "Lipid monolayers at the air-water interface",
        ("Emmy", "Noether"),
        ("Lovelace, Ada", "Noether, Emmy"),
        ("DPPC", "DPPG", "DMPS"),
        ("reflectivity", "lipid monolayer", "Langmuir trough"),
        "X-ray reflectivity of a {sample} monolayer at {condition}",
        (
            {
                "label": "20 mN/m, 293 K",
                "surface_pressure": (20, "mN/m"),
                "sample_temperature": (293, "K"),
            },
            {
                "label": "30 mN/m, 293 K",
                "surface_pressure": (30, "mN/m"),
                "sample_temperature": (293, "K"),
            },
            {
                "label": "35 mN/m, 25 °C",
                "surface_pressure": (35, "mN/m"),
                "sample_temperature": (25, "degC"),
            },
            {
                "label": "45 mN/m, 25 °C",
                "surface_pressure": (45, "mN/m"),
                "sample_temperature": (25, "degC"),
            },
        ),
        5,
    ),
    Experiment(
        "20210907",
        "hls-h04",
        2021,
        9,
        "Crystallisation of perovskite thin films during annealing",
        ("Kathleen", "Lonsdale"),
        ("Lonsdale, Kathleen", "Carberry, Josiah"),
        ("MAPbI3 on glass", "FAPbI3 on ITO"),
        ("perovskite", "thin film", "in situ", "GIWAXS"),
        "In situ GIWAXS of {sample} annealed at {condition}",
        (
            {"label": "100 °C", "annealing_temperature": (100, "degC")},
            {"label": "150 °C", "annealing_temperature": (150, "degC")},
            {
                "label": "423 K, humid air",
                "annealing_temperature": (423, "K"),
                "relative_humidity": (40, "%"),
            },
        ),
        4,
    ),
    Experiment(
        "20200316",
        "hls-h09",
        2020,
        3,
        "Ageing of colloidal glasses seen by XPCS",
        ("Chien-Shiung", "Wu"),
        ("Wu, Chien-Shiung", "Debye, Peter"),
        ("silica spheres in glycerol", "PMMA spheres in decalin"),
        ("XPCS", "colloids", "glass transition", "dynamics"),
        "XPCS of {sample} at {condition}",
        (
            {"label": "240 K", "sample_temperature": (240, "K")},
            {"label": "260 K", "sample_temperature": (260, "K")},
            {"label": "-5 °C", "sample_temperature": (-5, "degC")},
            {"label": "20 °C", "sample_temperature": (20, "degC")},
        ),
        5,
    ),
    Experiment(
        "20231102",
        "hls-h09",
        2023,
        11,
        "Coherent imaging of dealloyed nanoporous gold",
        ("Lise", "Meitner"),
        ("Meitner, Lise", "Ewald, Paul"),
        ("nanoporous gold, 40 nm ligaments", "nanoporous gold, coarsened"),
        ("coherent diffraction imaging", "nanoporous metal", "dealloying"),
        "Coherent diffraction of {sample}, {condition}",
        (
            {"label": "as dealloyed", "exposure_time": (0.5, "s")},
            {
                "label": "after 1 h at 300 °C",
                "annealing_temperature": (300, "degC"),
                "exposure_time": (0.5, "s"),
            },
        ),
        4,
    ),
    Experiment(
        "20220214",
        "hls-h11",
        2022,
        2,
        "Structure of a cold-adapted lipase from an Antarctic bacterium",
        ("Dorothy", "Hodgkin"),
        ("Hodgkin, Dorothy", "Perutz, Max"),
        ("lipase LipA, crystal 1", "lipase LipA, crystal 3", "LipA with inhibitor"),
        ("protein crystallography", "enzyme", "psychrophile", "lipase"),
        "Diffraction of {sample}, {condition}",
        (
            {
                "label": "100 K, 12.7 keV",
                "sample_temperature": (100, "K"),
                "incident_energy": (12.7, "keV"),
            },
            {
                "label": "100 K, Se edge",
                "sample_temperature": (100, "K"),
                "incident_energy": (12658, "eV"),
            },
            {
                "label": "room temperature",
                "sample_temperature": (295, "K"),
                "incident_energy": (12.7, "keV"),
            },
        ),
        5,
    ),
    Experiment(
        "20250520",
        "hls-h11",
        2025,
        5,
        "Fragment screening of a bacterial beta-lactamase",
        ("Ada", "Yonath"),
        ("Yonath, Ada", "Kendrew, John"),
        ("beta-lactamase + fragment F012", "beta-lactamase + fragment F077", "apo beta-lactamase"),
        ("fragment screening", "drug discovery", "antibiotic resistance"),
        "Fragment soak: {sample}, {condition}",
        (
            {"label": "100 K", "sample_temperature": (100, "K"), "incident_energy": (13.5, "keV")},
            {
                "label": "100 K, 2 h soak",
                "sample_temperature": (100, "K"),
                "incident_energy": (13.5, "keV"),
            },
        ),
        4,
    ),
    Experiment(
        "20201005",
        "hls-h23",
        2020,
        10,
        "Fossil insects in Baltic amber",
        ("Mary", "Anning"),
        ("Anning, Mary", "Röntgen, Wilhelm"),
        ("amber piece A-17 (gnat)", "amber piece A-22 (ant)"),
        ("palaeontology", "amber", "phase contrast", "non-destructive"),
        "Phase-contrast tomography of {sample}, {condition}",
        (
            {"label": "1.3 µm pixels", "pixel_size": (1.3, "um")},
            {"label": "0.65 µm pixels", "pixel_size": (0.65, "um")},
        ),
        4,
    ),
    Experiment(
        "20240611",
        "hls-h23",
        2024,
        6,
        "Fatigue cracks in additively manufactured Ti-6Al-4V",
        ("Maria", "Goeppert Mayer"),
        ("Goeppert Mayer, Maria", "Scherrer, Paul"),
        ("Ti-6Al-4V lattice strut", "Ti-6Al-4V dogbone"),
        ("additive manufacturing", "fatigue", "titanium alloy", "in situ loading"),
        "Tomography of {sample} after {condition}",
        (
            {"label": "10 000 cycles", "load_cycles": 10000, "pixel_size": (2.5, "um")},
            {"label": "50 000 cycles", "load_cycles": 50000, "pixel_size": (2.5, "um")},
            {"label": "failure", "load_cycles": 81240, "pixel_size": (2.5, "um")},
        ),
        4,
    ),
    Experiment(
        "MA-4711",
        "bsr-bx2",
        2021,
        3,
        "Phase transitions of zirconia ceramics up to 1500 K",
        ("William Lawrence", "Bragg"),
        ("Bragg, William Lawrence", "Laue, Max von"),
        ("3Y-TZP zirconia", "undoped monoclinic ZrO2"),
        ("powder diffraction", "ceramics", "phase transition", "high temperature"),
        "Powder diffraction of {sample} at {condition}",
        (
            {"label": "300 K", "sample_temperature": (300, "K")},
            {"label": "900 K", "sample_temperature": (900, "K")},
            {"label": "1200 °C", "sample_temperature": (1200, "degC")},
            {"label": "1473 K", "sample_temperature": (1473, "K")},
        ),
        5,
    ),
    Experiment(
        "MA-5230",
        "bsr-bx2",
        2023,
        7,
        "Local order in amorphous battery cathodes",
        ("Rosalind", "Franklin"),
        ("Franklin, Rosalind", "Carberry, Josiah"),
        ("amorphous LiFePO4", "ball-milled Li2MnO3"),
        ("pair distribution function", "battery", "amorphous", "operando"),
        "Total scattering of {sample}, {condition}",
        (
            {"label": "pristine", "state_of_charge": (0, "%")},
            {
                "label": "charged to 4.3 V",
                "cell_voltage": (4.3, "V"),
                "state_of_charge": (100, "%"),
            },
        ),
        4,
    ),
    Experiment(
        "MA-4102",
        "bsr-bx7",
        2019,
        11,
        "Magnetic moments of rare-earth thin films",
        ("Marie", "Curie"),
        ("Curie, Marie", "Kossel, Walther"),
        ("Gd/Fe multilayer", "TbCo alloy film"),
        ("XMCD", "magnetism", "thin film", "rare earth"),
        "XMCD at the {sample} M edges, {condition}",
        (
            {"label": "10 K, 2 T", "sample_temperature": (10, "K"), "magnetic_field": (2, "T")},
            {"label": "300 K, 2 T", "sample_temperature": (300, "K"), "magnetic_field": (2, "T")},
        ),
        4,
    ),
    Experiment(
        "MA-6018",
        "bsr-bx7",
        2026,
        2,
        "Oxidation states of cobalt catalysts under reaction gas",
        ("Irène", "Joliot-Curie"),
        ("Joliot-Curie, Irène", "Siegbahn, Manne"),
        ("Co3O4 nanoparticles", "CoO on silica"),
        ("catalysis", "XAS", "operando", "cobalt"),
        "Soft X-ray absorption of {sample} in {condition}",
        (
            {"label": "hydrogen at 250 °C", "sample_temperature": (250, "degC"), "gas": "H2"},
            {"label": "syngas at 523 K", "sample_temperature": (523, "K"), "gas": "CO/H2"},
        ),
        4,
    ),
    Experiment(
        "MA-5577",
        "bsr-id16",
        2024,
        10,
        "Lysozyme in solution: a concentration series",
        ("Subrahmanyan", "Chandrasekhar"),
        ("Chandrasekhar, Subrahmanyan", "Raman, C. V."),
        ("hen egg-white lysozyme",),
        ("SAXS", "protein solution", "structural biology"),
        "SAXS of {sample} at {condition}",
        (
            {"label": "2 mg/ml", "concentration": (2, "mg/ml"), "sample_temperature": (20, "degC")},
            {"label": "5 mg/ml", "concentration": (5, "mg/ml"), "sample_temperature": (20, "degC")},
            {
                "label": "10 mg/ml",
                "concentration": (10, "mg/ml"),
                "sample_temperature": (293.15, "K"),
            },
        ),
        4,
    ),
    Experiment(
        "MA-6203",
        "bsr-id16",
        2026,
        9,
        "Micelle formation in mixed surfactant solutions",
        ("Agnes", "Pockels"),
        ("Pockels, Agnes", "Compton, Arthur"),
        ("SDS/CTAB 1:1", "SDS/CTAB 3:1"),
        ("SAXS", "surfactant", "micelles", "soft matter"),
        "SAXS/WAXS of {sample} at {condition}",
        (
            {"label": "25 °C", "sample_temperature": (25, "degC")},
            {"label": "318 K", "sample_temperature": (318, "K")},
        ),
        4,
    ),
)

# The measured energy of each beamline (eV for the soft X-ray line, keV elsewhere) and other
# settings every dataset of that beamline carries.
BEAMLINE_METADATA: dict[str, dict[str, Any]] = {
    "hls-h04": {"incident_energy": (15.0, "keV"), "angle_of_incidence": (0.08, "deg")},
    "hls-h09": {"incident_energy": (8.1, "keV"), "exposure_time": (0.002, "s")},
    "hls-h11": {"oscillation_range": (0.1, "deg"), "wavelength": (0.976, "Å")},
    "hls-h23": {"incident_energy": (30.0, "keV"), "exposure_time": (40, "ms")},
    "bsr-bx2": {"incident_energy": (87.1, "keV"), "wavelength": (0.1423, "Å")},
    "bsr-bx7": {"incident_energy": {"value": [700, 860], "unit": "eV", "type": "quantity_range"}},
    "bsr-id16": {"incident_energy": (12.4, "keV"), "sample_detector_distance": (3.5, "m")},
}

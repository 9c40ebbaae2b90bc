"""Thumbnails for the demo that look like detector frames, drawn with numpy.

Four kinds, each from a seeded generator so that the same seed gives the same bytes: powder or
solution scattering rings, Bragg spots of a rotating crystal, coherent speckle around a beam
stop, and a reconstructed tomography slice. The diffraction frames carry a hybrid pixel
detector's module gaps and a beam stop; the slice has the ring artefacts of a real
reconstruction. Images are 8-bit palette PNGs (a dark-blue-to-yellow colour map, or grey for the
slice) with few levels, 10-30 kB each, so that the export stays small.

Only ``Generator.random`` is drawn from (its stream is stable across numpy releases), and the
PNG is written here (not by Pillow), so that the bytes depend on nothing but the seed and zlib.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

SIZE = 256
LEVELS = 32  # levels used of the palette: enough for the eye, few enough to compress well
# Anchors of the colour map (in the spirit of viridis), interpolated to 256 entries.
_ANCHORS = np.array(
    [[13, 8, 35], [59, 40, 120], [33, 120, 142], [94, 190, 95], [250, 230, 60]], dtype=float
)

Image = NDArray[np.float64]


def _palette(colour: bool) -> bytes:
    t = np.arange(256) / 255
    if not colour:
        return np.repeat(np.arange(256, dtype=np.uint8), 3).tobytes()
    stops = np.linspace(0, 1, len(_ANCHORS))
    channels = [np.interp(t, stops, _ANCHORS[:, c]) for c in range(3)]
    return np.rint(np.stack(channels, axis=1)).astype(np.uint8).tobytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(pixels: Image, *, colour: bool = True) -> bytes:
    """An 8-bit palette PNG of ``pixels`` (values in 0..1, clipped)."""
    height, width = pixels.shape
    levels = np.rint(np.clip(pixels, 0.0, 1.0) * (LEVELS - 1))
    indices = np.rint(levels * (255 / (LEVELS - 1))).astype(np.uint8)
    rows = np.hstack([np.zeros((height, 1), dtype=np.uint8), indices])  # filter byte: none
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"PLTE", _palette(colour))
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), 9))
        + _chunk(b"IEND", b"")
    )


class _Draw:
    """The seeded numbers of one image and the pixel grid it is drawn on."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.y, self.x = np.mgrid[0:SIZE, 0:SIZE].astype(float)

    def uniform(self, low: float, high: float, size: int | None = None) -> NDArray[np.float64]:
        return low + (high - low) * self.rng.random(size)

    def number(self, low: float, high: float) -> float:
        return float(self.uniform(low, high))

    def integer(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def gaps(self) -> NDArray[np.bool_]:
        """The insensitive bands between a hybrid pixel detector's modules."""
        return ((self.y % 86) >= 82) | ((self.x >= 126) & (self.x <= 129))

    def noise(self, image: Image, amount: float) -> Image:
        shot = self.rng.random(image.shape) - 0.5
        return image + amount * shot * np.sqrt(np.maximum(image, 0.02))


def rings(seed: int) -> bytes:
    """Debye-Scherrer rings of a powder (or a solution's halo) around the beam stop."""
    d = _Draw(seed)
    cx, cy = SIZE / 2 + d.number(-12, 12), SIZE / 2 + d.number(-12, 12)
    dx, dy = d.x - cx, d.y - cy
    r, angle = np.hypot(dx, dy), np.arctan2(dy, dx)
    image = 0.35 * np.exp(-r / 70)
    for _ in range(d.integer(5, 9)):
        radius, height, width = d.number(18, 125), d.number(0.25, 0.9), d.number(0.8, 2.2)
        phase, depth = d.number(0, 2 * np.pi), d.number(0.0, 0.5)
        texture = 1 - depth * (0.5 + 0.5 * np.cos(3 * angle + phase))
        image = image + height * texture * np.exp(-((r - radius) ** 2) / (2 * width * width))
    image = d.noise(image, 0.25)
    stop = (r < 9) | ((np.abs(dy) < 3) & (dx < 0))
    return png(np.where(stop | d.gaps(), 0.0, image))


def bragg(seed: int) -> bytes:
    """A rotation frame of a crystal: spots on lunes of the reciprocal lattice, an ice ring."""
    d = _Draw(seed)
    cx, cy = SIZE / 2 + d.number(-6, 6), SIZE / 2 + d.number(-6, 6)
    a = (d.number(8, 13), d.number(-3, 3))
    b = (d.number(-3, 3), d.number(8, 13))
    h, k = np.mgrid[-16:17, -16:17].astype(float)
    px, py = cx + h * a[0] + k * b[0], cy + h * a[1] + k * b[1]
    pr = np.hypot(px - cx, py - cy)
    jitter = d.uniform(-0.35, 0.35, pr.shape)
    keep = (pr > 12) & (pr < 190) & (np.abs(np.sin(pr / 23 + jitter)) < 0.6)
    keep &= d.rng.random(pr.shape) < 0.85
    heights = d.uniform(0.4, 1.0, pr.shape) * np.exp(-pr / 120)
    r = np.hypot(d.x - cx, d.y - cy)
    ice = d.number(70, 110)
    image = 0.12 * np.exp(-r / 90) + 0.06 * np.exp(-((r - ice) ** 2) / 18)
    for sx, sy, height in zip(px[keep], py[keep], heights[keep], strict=True):
        x0, y0 = max(0, int(sx) - 2), max(0, int(sy) - 2)
        x1, y1 = min(SIZE, int(sx) + 3), min(SIZE, int(sy) + 3)
        if x0 >= x1 or y0 >= y1:
            continue
        patch = (d.x[y0:y1, x0:x1] - sx) ** 2 + (d.y[y0:y1, x0:x1] - sy) ** 2
        image[y0:y1, x0:x1] += 2.5 * height * np.exp(-patch / 1.4)
    image = d.noise(image, 0.18)
    return png(np.where((r < 8) | d.gaps(), 0.0, image))


def speckle(seed: int) -> bytes:
    """Coherent scattering of a disordered sample: grainy speckle under a falling envelope."""
    d = _Draw(seed)
    coarse = np.mgrid[0 : SIZE // 2, 0 : SIZE // 2].astype(float)
    field = np.zeros((SIZE // 2, SIZE // 2), dtype=complex)
    for _ in range(26):
        kx, ky, phase = d.number(-1.6, 1.6), d.number(-1.6, 1.6), d.number(0, 2 * np.pi)
        field += np.exp(1j * (kx * coarse[1] + ky * coarse[0] + phase))
    intensity = np.abs(field) ** 2 / 26
    intensity = np.repeat(np.repeat(intensity, 2, axis=0), 2, axis=1)
    cx, cy = SIZE / 2 + d.number(-5, 5), SIZE / 2 + d.number(-5, 5)
    r = np.hypot(d.x - cx, d.y - cy)
    envelope = 0.9 * np.exp(-r / d.number(38, 60)) + 0.05
    image = d.noise(0.8 * envelope * intensity, 0.1)
    return png(np.where((r < 11) | d.gaps(), 0.0, image))


def tomography(seed: int) -> bytes:
    """A reconstructed slice: a cylindrical sample with grains and pores, and ring artefacts."""
    d = _Draw(seed)
    c = SIZE / 2
    r = np.hypot(d.x - c, d.y - c)
    radius = d.number(95, 118)
    inside = r < radius
    image = np.where(inside, 0.5 + 0.06 * (r / radius) ** 2, 0.12)  # a little cupping
    for _ in range(d.integer(14, 24)):
        ix, iy = c + d.number(-70, 70), c + d.number(-70, 70)
        ax, ay, turn = d.number(3, 16), d.number(3, 16), d.number(0, np.pi)
        density = (-0.35, -0.3, 0.25, 0.35)[d.integer(0, 3)]
        u = (d.x - ix) * np.cos(turn) + (d.y - iy) * np.sin(turn)
        v = -(d.x - ix) * np.sin(turn) + (d.y - iy) * np.cos(turn)
        image = image + np.where(inside & ((u / ax) ** 2 + (v / ay) ** 2 < 1), density, 0.0)
    for _ in range(7):
        ring, strength = d.number(5, radius), d.number(-0.05, 0.05)
        image = image + np.where(np.abs(r - ring) < 0.8, strength, 0.0)
    image = image + 0.05 * (d.rng.random(image.shape) - 0.5)
    return png(image, colour=False)


KINDS: dict[str, Callable[[int], bytes]] = {
    "rings": rings,
    "bragg": bragg,
    "speckle": speckle,
    "tomography": tomography,
}

"""The simulated retina's stimuli: movie 1, the context-shift ladder of movie 2, and the white-noise RF mapping.

Movie 1 keeps **pixel context** between its halves
    A movie of ``n_frames`` frames is made of scenes (a clip of :func:`neurokit.sim.video.make_clip`: textured
    objects over a textured background, camera pans) of ``2 · scene_frames`` frames each. The first half of the
    movie shows the first ``scene_frames`` frames of every scene, the second half the next ``scene_frames``
    frames of the same scenes, in the same order. With the split into halves (``split_train`` / ``split_test``),
    every test frame continues a scene seen in training: the same background, objects and textures, later in
    time. This is the within-movie protocol of Wu et al. (ECCV 2024, poster: "training and testing data are taken
    from the same video where pixel context is conserved").

Movie 2, a ladder of context shifts (:data:`LADDER`)
    Each rung changes one thing about the stimulus relative to movie 1 and keeps the rest:

    1. ``same_world`` (store ``MOVIE03``, the paper's "movie 2"): another draw of movie 1's world: the same
       object classes, silhouettes, textures and background scenes, in new arrangements and trajectories; pixel
       mean and RMS contrast matched to movie 1 (two draws of ten scenes differ by chance in both).
    2. ``novel_world`` (``MOVIE03_NOVEL``): new objects and textures with the same statistics: star-shaped
       silhouettes, plaid / ring / speckle textures and grain / ring / blotch backgrounds that never occur in
       movie 1, with movie 1's scene structure, object sizes and counts, speed and camera-pan distributions and
       appearance changes, and its pixel mean and RMS contrast (affine match over the whole movie).
    3. ``noise_flicker`` (``MOVIE03_NOISE``): a change of stimulus class: jittering, drifting 1/f² noise
       textures (a new one every 2 s) whose contrast flickers globally (period 47 frames), no objects; pixel mean
       and RMS contrast matched to movie 1.

All generators are pure functions of their arguments (seeded ``numpy.random.default_rng``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from neurokit.errors import InputError
from neurokit.sim.video import VideoWorldConfig, make_clip

__all__ = ["Rung", "LADDER", "SCENE_FRAMES", "scene_movie", "objects_clip", "novel_clip", "noise_flicker_frames",
           "match_moments", "white_noise_frames", "ladder_movie", "MOVIE2_SEED_OFFSET"]

SCENE_FRAMES = 90  #: frames of each scene in each half of a movie (3 s at 30 Hz)
MAX_SPEED = 0.3  #: largest object speed, frame widths per second (objects stay in view over a 6-s scene)
MOVIE2_SEED_OFFSET = 1000  #: movie 2 of every rung draws from the world seed + this offset
_GREY = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class Rung:
    """One rung of the context-shift ladder: what movie 2 is, and how it differs from movie 1."""

    level: int
    name: str
    store: str
    changes: str
    keeps: str


LADDER: tuple[Rung, ...] = (
    Rung(1, "same_world", "MOVIE03", "new arrangements, trajectories and draws of the same objects, textures and "
         "backgrounds", "the world: object classes, silhouettes, textures, background scenes; pixel mean and RMS "
         "contrast"),
    Rung(2, "novel_world", "MOVIE03_NOVEL", "objects, silhouettes, textures and backgrounds never seen in movie 1",
         "scene structure, object sizes and counts, speeds, camera pans, pixel mean and RMS contrast"),
    Rung(3, "noise_flicker", "MOVIE03_NOISE", "stimulus class: drifting 1/f² noise textures with global contrast "
         "flicker, no objects", "pixel mean and RMS contrast, frame rate, size"),
)


# ------------------------------------------------------------------------------------------- helpers
def _grey(rgb: np.ndarray) -> np.ndarray:
    return rgb.astype(np.float32) @ _GREY


def match_moments(frames: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Map ``frames`` (any shape, float) to the given pixel mean and standard deviation, as uint8.

    An affine map, repeated on its own clipped result (pixels pushed outside [0, 255] are clipped, which lowers
    the contrast; a few rounds restore it), so the moments match to within a fraction of a grey level.
    """
    f = np.asarray(frames, dtype=np.float64)
    if f.std() == 0:
        raise InputError("match_moments: the frames are constant; there is no contrast to scale.")
    for _ in range(6):
        f = np.clip(mean + (f - f.mean()) * (std / f.std()), 0, 255)
    return np.rint(f).astype(np.uint8)


def _world_config(size: int, scene_frames: int) -> VideoWorldConfig:
    return VideoWorldConfig(n_frames=2 * scene_frames, size=size, fps=30, max_distractors=2, max_speed=MAX_SPEED)


def objects_clip(index: int, size: int, seed: int, scene_frames: int = SCENE_FRAMES) -> np.ndarray:
    """Grey frames (2·scene_frames, size, size) float32 of scene ``index`` of the objects world (movie 1's)."""
    return _grey(make_clip(index, _world_config(size, scene_frames), seed=seed).frames)


# ------------------------------------------------------------------------------------------- the novel world
NOVEL_SHAPES = ("star blob",)  #: silhouettes of the novel world (radial Fourier blobs, none of the video world's)
NOVEL_TEXTURES = ("plaid", "rings", "speckle")
NOVEL_BACKGROUNDS = ("grain", "ripples", "blotches")


def _periodic_noise(rng, n: int, sy: float, sx: float, theta: float) -> np.ndarray:
    """Periodic smooth noise (n, n) in [0, 1], low-passed by an oriented anisotropic Gaussian (σ in pixels)."""
    white = rng.standard_normal((n, n))
    fy, fx = np.meshgrid(np.fft.fftfreq(n), np.fft.fftfreq(n), indexing="ij")
    c, s = np.cos(theta), np.sin(theta)
    u, v = c * fx + s * fy, -s * fx + c * fy
    f = np.real(np.fft.ifft2(np.fft.fft2(white) * np.exp(-2 * np.pi**2 * ((sx * u) ** 2 + (sy * v) ** 2))))
    f -= f.min()
    return f / max(f.max(), 1e-12)


def _novel_background(kind: str, rng, xs, ys, scale: float) -> np.ndarray:
    n = 128
    if kind == "grain":  # wood-grain: noise stretched along a random orientation
        nz = _periodic_noise(rng, n, 1.0 * scale, 8.0 * scale, rng.uniform(0, np.pi))
        t = nz[np.mod(ys.astype(np.int64), n), np.mod(xs.astype(np.int64), n)]
        return np.clip((t - 0.5) * 2.2 + 0.5, 0, 1)
    nz = _periodic_noise(rng, n, 4.0 * scale, 4.0 * scale, 0.0)
    t0 = nz[np.mod(ys.astype(np.int64), n), np.mod(xs.astype(np.int64), n)]
    if kind == "ripples":  # concentric ripples around a point of the world
        cy, cx = rng.uniform(0, 64 * scale, 2)
        r = np.sqrt((ys - cy) ** 2 + (xs - cx) ** 2)
        return 0.5 + 0.5 * np.sin(r / (1.6 * scale) + 3.0 * t0)
    return 1.0 / (1.0 + np.exp(-(t0 - 0.5) * 14.0))  # blotches: thresholded coarse noise


def _novel_texture(kind: str, u, w, p: dict) -> np.ndarray:
    if kind == "plaid":
        a = np.sin(p["f1"] * (np.cos(p["o1"]) * u + np.sin(p["o1"]) * w) + p["phase"])
        b = np.sin(p["f2"] * (np.cos(p["o2"]) * u + np.sin(p["o2"]) * w))
        return 0.5 + 0.5 * a * b
    if kind == "rings":
        return 0.5 + 0.5 * np.cos(p["f1"] * np.sqrt(u**2 + w**2) + p["phase"])
    n = p["speckle"].shape[0]  # speckle: fine noise fixed to the object
    return p["speckle"][np.mod((w * 9).astype(np.int64), n), np.mod((u * 9).astype(np.int64), n)]


def novel_clip(index: int, size: int, seed: int, scene_frames: int = SCENE_FRAMES) -> np.ndarray:
    """Grey frames (2·scene_frames, size, size) float32 of scene ``index`` of the novel world.

    The layout of a scene follows :func:`neurokit.sim.video.make_clip` draw for draw in kind (one key object of
    radius 0.20-0.28 · size and 0-2 distractors of 0.10-0.18 · size, constant velocities with speed
    ``U(0, 1)^0.8`` of the maximum, the mid-scene position in the central 40 %, a camera pan with probability 0.4
    at 0.3-0.7 of the maximum speed, an appearance change of the key object with probability 0.3 in the middle
    third), but its silhouettes (:data:`NOVEL_SHAPES`), textures (:data:`NOVEL_TEXTURES`) and backgrounds
    (:data:`NOVEL_BACKGROUNDS`) are none of the video world's.
    """
    cfg = _world_config(size, scene_frames)
    rng = np.random.default_rng([int(seed), int(index), 17])
    T, S = cfg.n_frames, size
    scale = S / 64.0
    t = np.arange(T, dtype=np.float32)[:, None, None]
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    px = cfg.max_speed * S / cfg.fps
    cam = (0.0, 0.0)
    if rng.random() < cfg.p_camera_motion:
        a, m = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 0.7) * px
        cam = (float(m * np.cos(a)), float(-m * np.sin(a)))
    kind = NOVEL_BACKGROUNDS[rng.integers(len(NOVEL_BACKGROUNDS))]
    lo, hi = rng.uniform(40, 120), rng.uniform(140, 230)
    bg = _novel_background(kind, rng, (xx[None] + cam[0] * t) * np.float32(64.0 / S) * scale,
                           (yy[None] + cam[1] * t) * np.float32(64.0 / S) * scale, scale)
    image = (lo + (hi - lo) * bg).astype(np.float32)
    n_obj = 1 + int(rng.integers(0, cfg.max_distractors + 1))
    change = int(rng.integers(T // 3, 2 * T // 3)) if rng.random() < cfg.p_texture_change else -1
    order = rng.permutation(n_obj)
    objs = []
    for k in range(n_obj):
        radius = S * (rng.uniform(0.2, 0.28) if k == 0 else rng.uniform(0.1, 0.18))
        speed = float(rng.uniform(0.0, 1.0) ** 0.8 * px)
        theta = float(rng.uniform(0, 2 * np.pi))
        objs.append(dict(
            radius=radius, vel=np.array([speed * np.cos(theta), -speed * np.sin(theta)], np.float32),
            mid=rng.uniform(0.3 * S, 0.7 * S, size=2).astype(np.float32),
            harmonics=[(kk, rng.uniform(-0.5, 0.5), rng.uniform(0, 2 * np.pi)) for kk in (2, 3, 4, 5)],
            texture=NOVEL_TEXTURES[rng.integers(len(NOVEL_TEXTURES))],
            tex=dict(f1=rng.uniform(4, 9), f2=rng.uniform(4, 9), o1=rng.uniform(0, np.pi), o2=rng.uniform(0, np.pi),
                     phase=rng.uniform(0, 2 * np.pi), speckle=(rng.random((24, 24)) > 0.5).astype(np.float32)),
            grey=(rng.uniform(20, 110), rng.uniform(150, 250)),
        ))
    for k in order:
        ob = objs[k]
        v = ob["vel"] - np.asarray(cam, np.float32)
        cx = ob["mid"][0] + v[0] * (t - (T - 1) / 2)
        cy = ob["mid"][1] + v[1] * (t - (T - 1) / 2)
        u, w = (xx[None] - cx) / ob["radius"], (yy[None] - cy) / ob["radius"]
        phi, r = np.arctan2(w, u), np.sqrt(u**2 + w**2)
        edge = 0.8 * (1 + sum(a * np.cos(kk * phi + ph) for kk, a, ph in ob["harmonics"]) / 2)
        inside = r < edge
        tex = _novel_texture(ob["texture"], u[inside], w[inside], ob["tex"])
        g0, g1 = ob["grey"]
        if k == 0 and change >= 0:  # appearance change: the two grey levels swap
            after = np.nonzero(inside)[0] >= change
            g0a, g1a = np.where(after, g1, g0), np.where(after, g0, g1)
            image[inside] = g0a + tex * (g1a - g0a)
        else:
            image[inside] = g0 + tex * (g1 - g0)
    return image


# ------------------------------------------------------------------------------------------- movies
def scene_movie(n_frames: int, size: int, seed: int, world: str = "objects",
                scene_frames: int = SCENE_FRAMES) -> np.ndarray:
    """Grey float32 frames (n_frames, size, size) of a movie whose second half continues the first half's scenes.

    Scene k is one clip of 2·scene_frames frames of ``world`` (``"objects"``: :func:`objects_clip`, ``"novel"``:
    :func:`novel_clip`); the first half of the movie is [scene 0 part 1, scene 1 part 1, …], the second half
    [scene 0 part 2, scene 1 part 2, …], each half cut to its length (n_frames // 2 and the rest).
    """
    if n_frames < 4 or scene_frames < 2:
        raise InputError(f"scene_movie needs n_frames >= 4 and scene_frames >= 2; got {n_frames}, {scene_frames}.")
    make = {"objects": objects_clip, "novel": novel_clip}.get(world)
    if make is None:
        raise InputError(f"unknown world {world!r}; choose 'objects' or 'novel'.")
    halves = (n_frames // 2, n_frames - n_frames // 2)
    n_scenes = int(np.ceil(max(halves) / scene_frames))
    clips = [make(i, size, seed, scene_frames) for i in range(n_scenes)]
    first = np.concatenate([c[:scene_frames] for c in clips])[: halves[0]]
    second = np.concatenate([c[scene_frames:] for c in clips])[: halves[1]]
    return np.concatenate([first, second])


def _pink_texture(rng, size: int, alpha: float = 2.0) -> np.ndarray:
    f = np.fft.fftfreq(size)
    fr = np.sqrt(f[:, None] ** 2 + f[None, :] ** 2)
    fr[0, 0] = 1.0
    spec = (rng.standard_normal((size, size)) + 1j * rng.standard_normal((size, size))) / fr ** (alpha / 2)
    spec[0, 0] = 0
    tex = np.real(np.fft.ifft2(spec))
    return tex / tex.std()


def noise_flicker_frames(n_frames: int, size: int, seed: int, period: float = 47.0, depth: float = 0.25,
                         new_texture_every: int = 60) -> np.ndarray:
    """Float frames (n_frames, size, size), zero mean: 1/f² noise textures, jittering and drifting, a new one every
    ``new_texture_every`` frames, with a global contrast flicker ``1 + depth·sin(2πt/period)``."""
    rng = np.random.default_rng([int(seed), 3])
    big = 2 * size
    frames = np.empty((n_frames, size, size), dtype=np.float32)
    pos = np.zeros(2)
    tex = None
    for t in range(n_frames):
        if t % new_texture_every == 0:
            tex = _pink_texture(rng, big)
            pos = rng.uniform(0, size, 2)
        pos = (pos + rng.normal(0, 1.2, 2) + 0.4) % size  # jitter + slow drift
        y, x = int(pos[0]), int(pos[1])
        frames[t] = tex[y : y + size, x : x + size]
    flicker = 1.0 + depth * np.sin(2 * np.pi * np.arange(n_frames) / period)
    return frames * flicker[:, None, None].astype(np.float32)


def ladder_movie(rung: str, n_frames: int, size: int, seed: int, reference: np.ndarray) -> np.ndarray:
    """uint8 frames of movie 2 at ``rung`` (a :data:`LADDER` name), matched to the pixel mean and standard deviation
    of ``reference`` (movie 1's frames), so that no rung differs from movie 1 in overall luminance or contrast."""
    s2 = seed + MOVIE2_SEED_OFFSET
    ref = np.asarray(reference, dtype=np.float64)
    if rung == "same_world":
        return match_moments(scene_movie(n_frames, size, s2, "objects"), ref.mean(), ref.std())
    if rung == "novel_world":
        return match_moments(scene_movie(n_frames, size, s2, "novel"), ref.mean(), ref.std())
    if rung == "noise_flicker":
        return match_moments(noise_flicker_frames(n_frames, size, s2), ref.mean(), ref.std())
    raise InputError(f"unknown rung {rung!r}; choose one of {[r.name for r in LADDER]}.")


def white_noise_frames(n_frames: int, size: int, checks: int = 16, seed: int = 0) -> np.ndarray:
    """Gaussian checkerboard white noise (n_frames, size, size) uint8 with ``checks`` x ``checks`` checks.

    Gaussian (contrast std 0.4, clipped) rather than binary so that the energy STA of the subunit cells is
    informative (for ±1 checks the squared contrast is constant).
    """
    rng = np.random.default_rng([seed, 7])
    wn = (127.5 + 127.5 * np.clip(0.4 * rng.standard_normal((n_frames, checks, checks)), -1, 1)).astype(np.uint8)
    rep = size // checks
    return np.repeat(np.repeat(wn, rep, axis=1), rep, axis=2)

"""Procedural video world: textured objects of known classes moving over textured backgrounds.

Every clip is a pure function of ``(index, config, seed)``: the generator is seeded with
``numpy.random.default_rng([seed, index])``, so the same triple always gives byte-identical frames
and masks, whatever order clips are made in.

The world
---------
A clip shows ``1 + n_distractors`` objects (object 1 is the *key object*, the largest one) over a
background scene. Each object class has its own silhouette (``person`` = body + head, ``car`` =
box + wheels, …) and its own texture (stripes, checks, spots, scales …, with a class palette),
so appearance carries class identity. Over the ``n_frames`` frames:

* objects translate at constant velocity ``v = speed · (cos θ, -sin θ)`` pixels/frame (``θ`` is
  the ``direction`` in radians, counter-clockwise from "right", image rows grow downwards);
* the camera may pan at ``camera_motion = (vx, vy)`` pixels/frame, which shifts background and
  objects alike (objects move at ``v - camera`` on screen);
* the key object's texture may change part-way (``texture_change_frame``), a pure appearance
  change with no motion;
* a distractor drawn in front of the key object occludes it when their paths cross
  (``occluded`` says whether that happened).

Masks hold, per pixel and frame, the id of the visible object (0 = background, ``k`` = object k);
``object_classes[k]`` is its class (``object_classes[0] == "background"``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from neurokit._io import atomic_path
from neurokit.errors import InputError

__all__ = [
    "CLASSES", "SCENES", "VideoWorldConfig", "Clip", "make_clip", "write_mp4", "clip_metadata",
]

#: Object classes of the world (index = class id).
CLASSES: tuple[str, ...] = ("person", "dog", "car", "bird", "ball", "fish", "boat", "plane")

#: Background scenes.
SCENES: tuple[str, ...] = ("grass", "sky", "water", "road", "sand", "indoor")

# Class palettes (RGB 0-255): a base colour name -> colour, and a second colour for the texture.
_PALETTES: dict[str, list[tuple[str, tuple[int, int, int], tuple[int, int, int]]]] = {
    "person": [("red", (200, 40, 40), (240, 200, 170)), ("blue", (40, 70, 200), (240, 200, 170)),
               ("yellow", (230, 200, 40), (120, 80, 50))],
    "dog": [("brown", (140, 90, 40), (70, 40, 20)), ("white", (235, 230, 220), (60, 50, 40)),
            ("black", (35, 30, 30), (150, 120, 90))],
    "car": [("red", (210, 30, 30), (60, 60, 70)), ("blue", (30, 60, 210), (200, 220, 240)),
            ("silver", (190, 190, 200), (40, 40, 50))],
    "bird": [("black", (30, 30, 35), (200, 200, 60)), ("blue", (50, 110, 220), (240, 240, 240)),
             ("orange", (240, 140, 30), (60, 40, 30))],
    "ball": [("white", (240, 240, 240), (20, 20, 20)), ("orange", (245, 120, 20), (30, 30, 30)),
             ("green", (60, 200, 60), (250, 250, 250))],
    "fish": [("orange", (250, 130, 20), (255, 240, 230)), ("silver", (180, 190, 200), (90, 100, 120)),
             ("yellow", (240, 220, 40), (30, 60, 160))],
    "boat": [("white", (245, 245, 240), (180, 30, 30)), ("red", (190, 30, 30), (245, 245, 240)),
             ("brown", (130, 80, 40), (230, 220, 190))],
    "plane": [("white", (240, 240, 245), (40, 80, 180)), ("grey", (140, 140, 150), (220, 40, 40)),
              ("green", (70, 120, 60), (220, 220, 200))],
}

# Scenes: base colour, texture colour.
_SCENE_COLOURS = {
    "grass": ((60, 140, 50), (120, 190, 70)),
    "sky": ((110, 160, 235), (245, 245, 250)),
    "water": ((30, 90, 170), (120, 190, 230)),
    "road": ((90, 90, 95), (230, 230, 210)),
    "sand": ((215, 190, 130), (170, 140, 90)),
    "indoor": ((200, 180, 150), (120, 90, 70)),
}
_SCENE_PHRASE = {
    "grass": "a grassy field", "sky": "the sky", "water": "the water", "road": "a road",
    "sand": "a sandy beach", "indoor": "a room",
}


@dataclass(frozen=True)
class VideoWorldConfig:
    """Sizes and probabilities of the procedural video world.

    Parameters
    ----------
    n_frames : int
        Frames per clip (``T``).
    size : int
        Frame height and width in pixels (square frames, ``H = W = size``).
    fps : int
        Frame rate used when writing MP4 files and for the haemodynamic model.
    max_distractors : int
        At most this many objects besides the key object.
    max_speed : float
        Largest object speed, in frame widths per second (scaled to pixels/frame internally).
    p_camera_motion : float
        Probability that the camera pans.
    p_texture_change : float
        Probability that the key object's texture changes part-way through the clip.
    p_occlusion : float
        Probability that a distractor crosses in front of the key object.
    """

    n_frames: int = 45
    size: int = 64
    fps: int = 15
    max_distractors: int = 2
    max_speed: float = 0.3
    p_camera_motion: float = 0.4
    p_texture_change: float = 0.3
    p_occlusion: float = 0.3

    def __post_init__(self):
        if self.n_frames < 2 or self.size < 16 or self.fps < 1:
            raise InputError(
                f"VideoWorldConfig needs n_frames >= 2, size >= 16 and fps >= 1; got n_frames={self.n_frames}, "
                f"size={self.size}, fps={self.fps}."
            )
        for name in ("p_camera_motion", "p_texture_change", "p_occlusion"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise InputError(f"VideoWorldConfig.{name} must be a probability in [0, 1]; got {p}.")


@dataclass(frozen=True)
class Clip:
    """One procedural clip with its ground truth.

    Attributes
    ----------
    index, seed : int
        The arguments it was made from.
    frames : ndarray of shape (T, H, W, 3), uint8
        RGB frames.
    masks : ndarray of shape (T, H, W), uint8
        Visible object id per pixel (0 = background, k = object k).
    object_classes : tuple of str
        ``object_classes[k]`` is the class of object k; ``object_classes[0] == "background"``.
    key_class : str
        Class of the key object (object 1).
    caption : str
        Template caption.
    speed : float
        Key object speed in pixels/frame (world coordinates, before camera motion).
    direction : float
        Key object direction in radians (0 = right, pi/2 = up).
    direction_label : str
        ``"right"``, ``"up"``, ``"left"`` or ``"down"`` (nearest of the four).
    camera_motion : tuple of float
        Camera pan ``(vx, vy)`` in pixels/frame (``(0, 0)`` = static camera).
    scene : str
        Background scene name.
    colour : str
        Colour name of the key object.
    texture_change_frame : int
        First frame with the changed texture, or -1 if none.
    occluded : bool
        Whether the key object is partly hidden by another object in some frame.
    fps : int
        Frame rate.
    """

    index: int
    seed: int
    frames: np.ndarray = field(repr=False)
    masks: np.ndarray = field(repr=False)
    object_classes: tuple
    key_class: str
    caption: str
    speed: float
    direction: float
    direction_label: str
    camera_motion: tuple
    scene: str
    colour: str
    texture_change_frame: int
    occluded: bool
    fps: int

    @property
    def n_frames(self) -> int:
        return int(self.frames.shape[0])


def clip_metadata(clip: Clip) -> dict:
    """The ground-truth labels of ``clip`` as a JSON-safe dict (everything but pixels and masks)."""
    return {
        "index": clip.index, "seed": clip.seed, "object_classes": list(clip.object_classes),
        "key_class": clip.key_class, "caption": clip.caption, "speed": clip.speed,
        "direction": clip.direction, "direction_label": clip.direction_label,
        "camera_motion": list(clip.camera_motion), "scene": clip.scene, "colour": clip.colour,
        "texture_change_frame": clip.texture_change_frame, "occluded": clip.occluded, "fps": clip.fps,
        "n_frames": clip.n_frames,
    }


# --------------------------------------------------------------------------------------------
# shapes: functions of object-local coordinates (u right, w down; object radius ~1) -> bool
def _shape(cls: str, u: np.ndarray, w: np.ndarray) -> np.ndarray:
    if cls == "person":
        body = (np.abs(u) < 0.38) & (w > -0.45) & (w < 1.0)
        head = u**2 + (w + 0.72) ** 2 < 0.28**2
        return body | head
    if cls == "dog":
        body = (u / 0.85) ** 2 + (w / 0.42) ** 2 < 1
        head = (u - 0.85) ** 2 + (w + 0.35) ** 2 < 0.3**2
        legs = ((np.abs(u - 0.5) < 0.1) | (np.abs(u + 0.5) < 0.1)) & (w > 0) & (w < 0.8)
        return body | head | legs
    if cls == "car":
        box = (np.abs(u) < 1.0) & (w > -0.2) & (w < 0.45)
        cabin = (np.abs(u + 0.1) < 0.5) & (w > -0.6) & (w <= -0.2)
        wheels = ((u - 0.55) ** 2 + (w - 0.45) ** 2 < 0.22**2) | ((u + 0.55) ** 2 + (w - 0.45) ** 2 < 0.22**2)
        return box | cabin | wheels
    if cls == "bird":
        wing = (np.abs(w + 0.5 * np.abs(u)) < 0.18) & (np.abs(u) < 1.0)
        body = (u / 0.35) ** 2 + (w / 0.22) ** 2 < 1
        return wing | body
    if cls == "ball":
        return u**2 + w**2 < 0.7**2
    if cls == "fish":
        body = (u / 0.8) ** 2 + (w / 0.4) ** 2 < 1
        tail = (u < -0.6) & (u > -1.05) & (np.abs(w) < (-0.6 - u) * 1.1 + 0.05)
        return body | tail
    if cls == "boat":
        hull = (w > 0.1) & (w < 0.5) & (np.abs(u) < 1.0 - (w - 0.1))
        sail = (u > -0.05) & (w < 0.1) & (w > -0.9) & (u < 0.6 * (w + 0.9))
        return hull | sail
    if cls == "plane":
        fuselage = (u / 1.0) ** 2 + (w / 0.18) ** 2 < 1
        wing = (np.abs(u + 0.1) < 0.16 + 0.1 * np.abs(w)) & (np.abs(w) < 0.75)
        tail = (u < -0.75) & (u > -1.0) & (w > -0.45) & (w < 0)
        return fuselage | wing | tail
    raise InputError(f"no shape for class {cls!r}")  # pragma: no cover


def _texture(cls: str, u, w, phase: float) -> np.ndarray:
    """Texture pattern in [0, 1] per class (mixing weight between the two palette colours)."""
    if cls == "person":
        t = 0.5 + 0.5 * np.sin(2 * np.pi * (3.0 * w) + phase)  # horizontal stripes
    elif cls == "dog":
        t = (np.sin(5.0 * u + phase) * np.sin(6.0 * w + 1.3 * phase) > 0.55).astype(np.float32)  # spots
    elif cls == "car":
        t = ((w > -0.55) & (w < -0.25)).astype(np.float32)  # window band
        t = t + 0.25 * (0.5 + 0.5 * np.sin(12 * u + phase))
    elif cls == "bird":
        t = 0.5 + 0.5 * np.sin(2 * np.pi * 2.5 * (u + w) + phase)  # diagonal feathers
    elif cls == "ball":
        t = ((np.floor(2.5 * u + phase) + np.floor(2.5 * w)) % 2).astype(np.float32)  # checks
    elif cls == "fish":
        t = 0.5 + 0.5 * np.sin(9 * u + phase) * np.sin(9 * w)  # scales
    elif cls == "boat":
        t = 0.5 + 0.5 * np.sign(np.sin(2 * np.pi * 2.0 * u + phase))  # vertical stripes
    else:  # plane
        t = 0.5 + 0.5 * np.cos(2 * np.pi * 1.5 * w + phase) * (np.abs(u) < 0.6)
    return np.clip(t, 0.0, 1.0).astype(np.float32)


def _smooth_noise(rng: np.random.Generator, n: int, sigma: float) -> np.ndarray:
    """A periodic smooth noise field of shape (n, n) in [0, 1] (Gaussian low-pass in Fourier space)."""
    white = rng.standard_normal((n, n))
    f = np.fft.fftfreq(n)
    k2 = f[:, None] ** 2 + f[None, :] ** 2
    field_ = np.real(np.fft.ifft2(np.fft.fft2(white) * np.exp(-2 * (np.pi * sigma) ** 2 * k2)))
    field_ -= field_.min()
    return field_ / max(field_.max(), 1e-12)


def _background(scene: str, rng, xs, ys, noise) -> np.ndarray:
    """Background pattern in [0, 1] at world coordinates ``xs``, ``ys`` (each (T, H, W))."""
    n = noise.shape[0]
    nz = noise[np.mod(ys.astype(np.int64), n), np.mod(xs.astype(np.int64), n)]
    if scene == "grass":
        t = 0.7 * nz + 0.3 * (0.5 + 0.5 * np.sin(1.3 * xs + 3 * nz))
    elif scene == "sky":
        t = np.clip((nz - 0.55) * 3.0, 0, 1)  # clouds
    elif scene == "water":
        t = 0.5 + 0.5 * np.sin(0.45 * ys + 2.5 * nz)
    elif scene == "road":
        lane = (np.abs(np.mod(ys, 32.0) - 16.0) < 1.2) & (np.mod(xs, 16.0) < 9.0)
        t = 0.15 * nz + 0.85 * lane
    elif scene == "sand":
        t = 0.6 * nz + 0.4 * (0.5 + 0.5 * np.sin(0.8 * (xs + 0.5 * ys)))
    else:  # indoor: wall panels
        t = 0.2 * nz + 0.8 * (np.mod(xs, 20.0) < 2.0)
    return np.clip(t, 0.0, 1.0).astype(np.float32)


def _mix(t: np.ndarray, c0, c1) -> np.ndarray:
    c0 = np.asarray(c0, np.float32)
    c1 = np.asarray(c1, np.float32)
    return c0 + t[..., None] * (c1 - c0)


def _direction_label(theta: float) -> str:
    return ("right", "up", "left", "down")[int(np.round(theta / (np.pi / 2))) % 4]


def _a(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _speed_word(speed_frac_per_s: float) -> str:
    return "slowly" if speed_frac_per_s < 0.1 else ("steadily" if speed_frac_per_s < 0.2 else "quickly")


def make_clip(index: int, config: VideoWorldConfig | None = None, seed: int = 0) -> Clip:
    """Make clip ``index`` of the world ``config`` with ``seed``; deterministic.

    Parameters
    ----------
    index : int
        Clip number (>= 0); different indices give independent clips.
    config : VideoWorldConfig, optional
        World sizes and probabilities (default ``VideoWorldConfig()``).
    seed : int
        World seed.

    Returns
    -------
    Clip
        ``frames`` of shape (T, H, W, 3) uint8, ``masks`` of shape (T, H, W) uint8 and labels.
    """
    config = config or VideoWorldConfig()
    if int(index) < 0 or int(seed) < 0:
        raise InputError(f"make_clip needs index >= 0 and seed >= 0; got index={index}, seed={seed}.")
    rng = np.random.default_rng([int(seed), int(index)])
    T, S = config.n_frames, config.size
    t = np.arange(T, dtype=np.float32)[:, None, None]
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    px_per_frame = config.max_speed * S / config.fps  # max speed in pixels/frame

    scene = SCENES[rng.integers(len(SCENES))]
    cam = (0.0, 0.0)
    if rng.random() < config.p_camera_motion:
        a = rng.uniform(0, 2 * np.pi)
        m = rng.uniform(0.3, 0.7) * px_per_frame
        cam = (float(m * np.cos(a)), float(-m * np.sin(a)))
    # background in world coordinates: screen (x, y) at time t sees world (x + cam_x t, y + cam_y t)
    noise = _smooth_noise(rng, 128, sigma=3.0 * S / 64)
    bx = xx[None] + cam[0] * t
    by = yy[None] + cam[1] * t
    c0, c1 = _SCENE_COLOURS[scene]
    image = _mix(_background(scene, rng, bx * 64.0 / S, by * 64.0 / S, noise), c0, c1)
    masks = np.zeros((T, S, S), np.uint8)

    n_obj = 1 + int(rng.integers(0, config.max_distractors + 1))
    key_cls = CLASSES[rng.integers(len(CLASSES))]
    classes = [key_cls] + [CLASSES[i] for i in rng.integers(len(CLASSES), size=n_obj - 1)]
    occlude = n_obj > 1 and rng.random() < config.p_occlusion
    objects = []
    for k, cls in enumerate(classes, start=1):
        radius = S * (rng.uniform(0.2, 0.28) if k == 1 else rng.uniform(0.1, 0.18))
        speed = float(rng.uniform(0.0, 1.0) ** 0.8 * px_per_frame)
        theta = float(rng.uniform(0, 2 * np.pi))
        vel = np.array([speed * np.cos(theta), -speed * np.sin(theta)], np.float32)
        # choose the mid-clip screen position inside the central region
        mid = rng.uniform(0.3 * S, 0.7 * S, size=2).astype(np.float32)
        if k == 2 and occlude:
            # cross the key object's path at mid-clip: same mid position, other velocity
            mid = objects[0]["mid"] + rng.uniform(-0.05 * S, 0.05 * S, size=2).astype(np.float32)
        pal = _PALETTES[cls][rng.integers(len(_PALETTES[cls]))]
        flip = 1.0 if vel[0] >= 0 else -1.0  # objects face their direction of motion
        objects.append(dict(cls=cls, radius=radius, speed=speed, theta=theta, vel=vel, mid=mid, pal=pal,
                            flip=flip, phase=float(rng.uniform(0, 2 * np.pi))))
    change = -1
    if rng.random() < config.p_texture_change:
        change = int(rng.integers(T // 3, max(T // 3 + 1, 2 * T // 3)))

    # draw order: key object first unless it occludes nothing; occluding distractor (k=2) drawn on top
    order = list(range(n_obj))
    if not occlude:
        rng.shuffle(order)
    key_area = np.zeros(T, np.int64)
    for k in order:
        ob = objects[k]
        screen_v = ob["vel"] - np.asarray(cam, np.float32)
        cx = ob["mid"][0] + screen_v[0] * (t - (T - 1) / 2)
        cy = ob["mid"][1] + screen_v[1] * (t - (T - 1) / 2)
        u = ob["flip"] * (xx[None] - cx) / ob["radius"]
        w = (yy[None] - cy) / ob["radius"]
        inside = _shape(ob["cls"], u, w)
        tt = np.nonzero(inside)[0]  # frame index of each inside pixel
        phase = np.full(tt.shape, ob["phase"], np.float32)
        _, col0, col1 = ob["pal"]
        if k == 0 and change >= 0:
            after = tt >= change
            phase[after] += np.pi / 2
            tex = _texture(ob["cls"], u[inside], w[inside], phase)
            # the changed texture also swaps the two palette colours
            img = np.where(after[:, None], _mix(tex, col1, col0), _mix(tex, col0, col1))
        else:
            img = _mix(_texture(ob["cls"], u[inside], w[inside], phase), col0, col1)
        image[inside] = img
        masks[inside] = k + 1
        if k == 0:
            key_area = inside.sum(axis=(1, 2))
    occluded = bool(occlude and np.any((masks == 1).sum(axis=(1, 2)) < key_area))
    frames = np.clip(np.rint(image), 0, 255).astype(np.uint8)

    key = objects[0]
    colour = key["pal"][0]
    speed_frac = key["speed"] * config.fps / S
    direction_label = _direction_label(key["theta"])
    if key["speed"] < 0.05 * px_per_frame:
        motion_phrase = "stays still over"
    else:
        motion_phrase = f"moves {_speed_word(speed_frac)} {direction_label} across"
    caption = f"{_a(colour)} {colour} {key_cls} {motion_phrase} {_SCENE_PHRASE[scene]}"
    if n_obj > 1:
        others = sorted(set(classes[1:]))
        caption += ", with " + " and ".join(f"{_a(c)} {c}" for c in others)
    if cam != (0.0, 0.0):
        caption += f", while the camera pans {_direction_label(math.atan2(-cam[1], cam[0]) % (2 * np.pi))}"
    if change >= 0:
        caption += f"; the {key_cls} changes colour"
    caption += "."
    return Clip(
        index=int(index), seed=int(seed), frames=frames, masks=masks,
        object_classes=("background", *classes), key_class=key_cls, caption=caption,
        speed=float(key["speed"]), direction=float(key["theta"]), direction_label=direction_label,
        camera_motion=(float(cam[0]), float(cam[1])), scene=scene, colour=colour,
        texture_change_frame=change, occluded=occluded, fps=config.fps,
    )


def write_mp4(path, frames: np.ndarray, fps: int = 15, lossless: bool = True) -> Path:
    """Write ``frames`` to an MP4 file with PyAV (H.264), atomically.

    Parameters
    ----------
    path : str or Path
        Destination; written through a temporary file and renamed, so it is never half-written.
    frames : ndarray of shape (T, H, W, 3), uint8
        RGB frames.
    fps : int
        Frame rate.
    lossless : bool
        ``True`` (default): ``libx264rgb`` at ``qp=0``, a bit-exact round trip through
        :func:`neurokit.data.video.read_video`. ``False``: ``libx264`` yuv420p at ``crf=17``
        (browser-playable, small, near-lossless; needs even H and W).

    Returns
    -------
    Path
    """
    import av

    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or frames.shape[0] == 0:
        raise InputError(
            f"write_mp4 needs uint8 frames of shape (T, H, W, 3) with T >= 1; got dtype {frames.dtype} "
            f"shape {frames.shape}. Convert with np.clip(x, 0, 255).astype(np.uint8)."
        )
    T, H, W, _ = frames.shape
    if not lossless and (H % 2 or W % 2):
        raise InputError(f"lossy yuv420p MP4 needs even height and width; got {H}x{W}. Use lossless=True.")
    with atomic_path(path, suffix=".mp4") as tmp:
        with av.open(str(tmp), mode="w", format="mp4") as container:
            if lossless:
                stream = container.add_stream("libx264rgb", rate=int(fps), options={"qp": "0", "preset": "veryfast"})
                stream.pix_fmt = "rgb24"
            else:
                stream = container.add_stream("libx264", rate=int(fps), options={"crf": "17", "preset": "veryfast"})
                stream.pix_fmt = "yuv420p"
            stream.width, stream.height = W, H
            stream.codec_context.thread_count = 1  # deterministic output bytes
            for frame in frames:
                vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgb24")
                for packet in stream.encode(vf):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
    return Path(path)

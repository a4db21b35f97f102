"""Reading video files: one reader for the real stimuli and the simulated clips."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from neurokit.errors import DataError, InputError

__all__ = ["read_video", "video_info"]


def read_video(path, max_frames: int | None = None) -> np.ndarray:
    """Decode a video file into RGB frames with PyAV.

    Parameters
    ----------
    path : str or Path
        An MP4 (or any container FFmpeg reads).
    max_frames : int, optional
        Stop after this many frames (default: all).

    Returns
    -------
    ndarray of shape (T, H, W, 3), uint8

    Raises
    ------
    DataError
        The file is missing, empty, not a video, or corrupt.
    """
    import av

    path = Path(path)
    if max_frames is not None and int(max_frames) < 1:
        raise InputError(f"max_frames must be >= 1 or None; got {max_frames}.")
    if not path.is_file():
        raise DataError(f"video file not found: {path}. Check the path, or re-create the data set "
                        "(`neurokit data simulate --force NAME` for simulated data, `neurokit data verify` for "
                        "real data).")
    frames = []
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.video:
                raise DataError(f"{path} holds no video stream; it is not a video file.")
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                frames.append(frame.to_ndarray(format="rgb24"))
                if max_frames is not None and len(frames) >= max_frames:
                    break
    except DataError:
        raise
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise DataError(
            f"could not decode video {path}: {exc}. The file is corrupt or truncated; "
            "re-create or re-download it (`neurokit data verify` lists files that fail their checksum)."
        ) from exc
    if not frames:
        raise DataError(f"video {path} decoded to zero frames; the file is empty or corrupt. Re-create it.")
    return np.stack(frames)


def video_info(path) -> dict:
    """Frame count, size and frame rate of a video, from its container header (no decoding).

    Returns
    -------
    dict with keys ``n_frames`` (int, 0 when the container does not say), ``height``, ``width``, ``fps``.
    """
    import av

    path = Path(path)
    if not path.is_file():
        raise DataError(f"video file not found: {path}.")
    try:
        with av.open(str(path), mode="r") as container:
            s = container.streams.video[0]
            return {"n_frames": int(s.frames or 0), "height": int(s.codec_context.height),
                    "width": int(s.codec_context.width), "fps": float(s.average_rate or 0)}
    except (av.error.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise DataError(f"could not read video header of {path}: {exc}. The file is corrupt; re-create it.") from exc

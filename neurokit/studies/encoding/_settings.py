"""Shared machinery of the Part I settings: per-profile frozen dataclasses, overrides checked by name."""
from __future__ import annotations

import dataclasses

from neurokit.config import check_profile, rehearsing
from neurokit.errors import InputError, UnknownNameError


def resolve(cls, profiles: dict, profile: str, overrides: dict):
    """``profiles[profile]`` with ``overrides`` applied (``None`` values keep the profile's own value).

    Parameters
    ----------
    cls : dataclass type
    profiles : dict of str to dict
        Keyword arguments of ``cls`` per profile.
    profile : {"smoke", "embedded", "paper"}
    overrides : dict
        Field name → value; unknown names raise :class:`~neurokit.errors.UnknownNameError`.

    In a rehearsal of the paper profile (:func:`neurokit.config.rehearsing`) the repetition counts are cut as
    :func:`neurokit.studies.encoding.settings.rehearse` does, before the overrides.

    Returns
    -------
    instance of ``cls``
    """
    check_profile(profile)
    if profile not in profiles:
        raise UnknownNameError(f"profile of {cls.__name__}", profile, profiles)
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = dict(profiles[profile])
    if profile == "paper" and rehearsing():  # a rehearsal of the paper profile: fewest repetitions, then overrides
        from neurokit.studies.encoding.settings import rehearsal_changes

        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        kwargs.update(rehearsal_changes(cls, {**defaults, **kwargs}))
    for key, value in (overrides or {}).items():
        if key not in names:
            raise UnknownNameError(f"setting of {cls.__name__}", key, sorted(names))
        if value is not None:
            kwargs[key] = value
    if kwargs.get("fault_drill") and kwargs.get("scheduler") != "dask" and "fault_drill" not in (overrides or {}):
        kwargs["fault_drill"] = False  # the rehearsal's drill needs its local Dask cluster; the reader chose another
    kwargs["profile"] = profile
    for key, value in list(kwargs.items()):  # lists from YAML/CLI become tuples (frozen, hashable)
        if isinstance(value, list):
            kwargs[key] = tuple(value)
    return cls(**kwargs)


def check_positive(obj, *names):
    """Raise :class:`InputError` unless every named field of ``obj`` is a positive integer."""
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise InputError(f"{type(obj).__name__}.{name} must be a positive integer; got {v!r}.")


def check_nonnegative(obj, *names):
    """Raise :class:`InputError` unless every named field of ``obj`` is an integer >= 0 (0 = "all")."""
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise InputError(f"{type(obj).__name__}.{name} must be an integer >= 0 (0 = all); got {v!r}.")


def check_fraction(obj, name, low=0.0, high=1.0):
    v = getattr(obj, name)
    if not (isinstance(v, (int, float)) and low < float(v) <= high):
        raise InputError(f"{type(obj).__name__}.{name} must lie in ({low}, {high}]; got {v!r}.")

"""Capture the outputs of named submodules during one forward pass, with hooks that are always removed."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Mapping

import torch
from torch import nn

from neurokit.errors import UnknownNameError


class _AllCaptured(Exception):
    """Raised inside the last needed hook to skip the rest of the forward pass."""


def _detach(out):
    if isinstance(out, torch.Tensor):
        return out.detach().clone()
    if isinstance(out, (list, tuple)):
        return type(out)(_detach(o) for o in out)
    return out


def resolve_modules(model: nn.Module, paths: Mapping[str, str]) -> dict[str, nn.Module]:
    """``{name: module}`` for ``{name: dotted module path}``; unknown paths raise with the valid ones."""
    mods = dict(model.named_modules())
    missing = [p for p in paths.values() if p not in mods]
    if missing:
        raise UnknownNameError("module path", missing[0], [k for k in mods if k])
    return {name: mods[p] for name, p in paths.items()}


@contextlib.contextmanager
def capture(model: nn.Module, paths: Mapping[str, str], transform: Callable | None = None,
            stop_early: bool = True) -> Iterator[dict]:
    """Context manager: hooks on ``paths`` fill the yielded dict during forward passes run inside it.

    Parameters
    ----------
    model : nn.Module
    paths : mapping of name → dotted module path
    transform : callable (name, output) → value, optional
        Applied inside the hook, at the moment the module returns (so later in-place operations on the same
        tensor cannot change it). Default: a detached copy.
    stop_early : bool
        When every requested module has fired, the forward pass is cut short (nothing after the last requested
        layer is computed). Run the forward through :func:`run_captured`, which absorbs that signal.

    Yields
    ------
    dict
        name → captured value (first call of each module; a module that fires again is ignored).
    """
    store: dict = {}
    handles = []
    fn = transform or (lambda name, out: _detach(out))
    n_wanted = len(paths)

    def make(name):
        def hook(module, inputs, output):
            if name in store:
                return
            store[name] = fn(name, output)
            if stop_early and len(store) == n_wanted:
                raise _AllCaptured

        return hook

    try:
        for name, mod in resolve_modules(model, paths).items():
            handles.append(mod.register_forward_hook(make(name)))
        yield store
    finally:
        for h in handles:
            h.remove()


def run_captured(model: nn.Module, *args):
    """Call ``model(*args)`` and absorb the early-stop signal of :func:`capture`; returns the output or None."""
    try:
        return model(*args)
    except _AllCaptured:
        return None


def n_hooks(model: nn.Module) -> int:
    """Number of forward hooks installed anywhere in ``model`` (for tests that hooks are removed)."""
    return sum(len(m._forward_hooks) for m in model.modules())

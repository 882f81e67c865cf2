"""A decoder-only transformer language model (a small GPT) and its sampler with a key/value cache.

``Transformer(vocab_size, context_size, ...)`` reads integer token ids X (N, T), T up to
``context_size``, and predicts the next token at every position: ``predict_proba`` is
(N, T, V), the loss the mean cross-entropy over the N T positions (nats). Integer ids, not
one-hot rows: the token embedding picks rows of a table, which is what one-hot times a matrix
computes, without the V-wide zeros.

The architecture is pre-norm (Radford et al., 2019; Karpathy's nanoGPT): token + position
embeddings, then ``layers`` blocks of

    X <- X + attention(layernorm(X))        (causal multi-head self-attention)
    X <- X + mlp(layernorm(X))              (affine -> ReLU -> affine, mlp_size wide)

and a final layer norm and affine map to the V logits. ReLU, not GPT's GELU: nnlib already
has it with an exact gradient, and at this size the two train alike (an exercise of notebook
11 swaps them). Every piece is a pure function of ``nnlib.attention``.

``sample(model, prime, length, rng, temperature, use_cache)`` generates text; with the cache,
each new token runs one position through the network, reusing the keys and values of the
earlier positions instead of recomputing them.

Left out on purpose: dropout, weight tying, positions past ``context_size`` (no sliding
window), float32.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.attention import (attention_backward, attention_forward, embedding_backward,
                             embedding_forward, layernorm_backward, layernorm_forward,
                             merge_heads, mlp_backward, mlp_forward, split_heads)
from nnlib.charlm import _draw
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax, softmax_cross_entropy
from nnlib.model import Model
from nnlib.validation import check_labels, check_memory, check_number, check_rng

BLOCK_KEYS = ("ln1_gamma", "ln1_beta", "Wqkv", "bqkv", "Wo", "bo",
              "ln2_gamma", "ln2_beta", "W1", "b1", "W2", "b2")


class BlockCache(NamedTuple):
    ln1: tuple
    qkv: tuple
    attention: tuple        # AttentionCache; its K and V are what a key/value cache keeps
    projection: tuple
    ln2: tuple
    mlp: tuple


def block_params(params: dict, layer: int) -> dict:
    """The entries of ``params`` that belong to block ``layer``, under their short names."""
    return {key: params[f"block{layer}_{key}"] for key in BLOCK_KEYS}


def block_forward(X: np.ndarray, p: dict, heads: int, past=None):
    """One pre-norm transformer block.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    p : dict of the block's parameters (``BLOCK_KEYS``): ln1/ln2 gamma, beta (D,);
        Wqkv (D, 3D), bqkv (3D,); Wo (D, D), bo (D,); W1 (D, F), b1 (F,); W2 (F, D), b2 (D,)
    heads : int, dividing D
    past : tuple (K, V) of shape (N, heads, T_past, D / heads) or None: keys and values of
        earlier positions (a key/value cache); X then holds the T positions that follow them.

    Returns
    -------
    out : ndarray, shape (N, T, D); cache : BlockCache

    Notes
    -----
    A = X + attention(layernorm1(X));  out = A + mlp(layernorm2(A)).
    """
    normed, ln1 = layernorm_forward(X, p["ln1_gamma"], p["ln1_beta"])
    QKV, qkv = affine_forward(normed, p["Wqkv"], p["bqkv"])
    Q, K, V = (split_heads(part, heads) for part in np.split(QKV, 3, axis=-1))
    if past is not None:
        K, V = np.concatenate([past[0], K], axis=2), np.concatenate([past[1], V], axis=2)
    attended, attention = attention_forward(Q, K, V, causal=True)
    projected, projection = affine_forward(merge_heads(attended), p["Wo"], p["bo"])
    A = X + projected
    normed2, ln2 = layernorm_forward(A, p["ln2_gamma"], p["ln2_beta"])
    mlp_out, mlp = mlp_forward(normed2, p["W1"], p["b1"], p["W2"], p["b2"])
    return A + mlp_out, BlockCache(ln1, qkv, attention, projection, ln2, mlp)


def block_backward(dout: np.ndarray, cache: BlockCache, heads: int):
    """Backward pass of ``block_forward`` (without a past): (dX (N, T, D), grads by short name).

    Each residual connection passes its gradient both through the branch and around it.
    """
    grads = {}
    dnormed2, grads["W1"], grads["b1"], grads["W2"], grads["b2"] = mlp_backward(dout, cache.mlp)
    dA_branch, grads["ln2_gamma"], grads["ln2_beta"] = layernorm_backward(dnormed2, cache.ln2)
    dA = dout + dA_branch
    dmerged, grads["Wo"], grads["bo"] = affine_backward(dA, cache.projection)
    dQ, dK, dV = attention_backward(split_heads(dmerged, heads), cache.attention)
    dQKV = np.concatenate([merge_heads(dQ), merge_heads(dK), merge_heads(dV)], axis=-1)
    dnormed, grads["Wqkv"], grads["bqkv"] = affine_backward(dQKV, cache.qkv)
    dX_branch, grads["ln1_gamma"], grads["ln1_beta"] = layernorm_backward(dnormed, cache.ln1)
    return dA + dX_branch, grads


class Transformer(Model):
    """A decoder-only transformer over ``vocab_size`` tokens (see the module docstring).

    Parameters
    ----------
    vocab_size : int >= 2, V; also ``output_size``
    context_size : int >= 1, the longest input (rows of the position embedding)
    embed_size : int, D, a multiple of ``heads``
    heads : int >= 1
    layers : int >= 1, blocks
    mlp_size : int or None, F, the MLP's width (None: 4 D)
    rng : np.random.Generator (keyword-only), draws the initial weights

    Notes
    -----
    Weights: embeddings ~ N(0, 1) (PyTorch's nn.Embedding; the first layer norm rescales them
    anyway); the output map ~ N(0, 0.02^2) (GPT-2's), so the untrained model predicts nearly
    uniformly, a loss near log V; other affine maps from D_in ~ N(0, 1 / D_in),
    the two maps that write into the residual stream (Wo, W2) further scaled by
    1 / sqrt(2 layers) so that the stream's variance does not grow with depth; biases 0,
    layer-norm gains 1.
    """

    def __init__(self, vocab_size: int, context_size: int, embed_size: int = 32, heads: int = 4,
                 layers: int = 2, mlp_size: int | None = None, *, rng: np.random.Generator):
        self.vocab_size = check_number("vocab_size", vocab_size, minimum=2, integer=True)
        self.context_size = check_number("context_size", context_size, minimum=1, integer=True)
        self.embed_size = check_number("embed_size", embed_size, minimum=1, integer=True)
        self.heads = check_number("heads", heads, minimum=1, integer=True)
        if self.embed_size % self.heads:
            nearest = self.heads * max(1, round(self.embed_size / self.heads))
            raise ValueError(f"embed_size must be a multiple of heads = {self.heads}, got "
                             f"{self.embed_size}; try {nearest}.")
        self.layers = check_number("layers", layers, minimum=1, integer=True)
        self.mlp_size = None if mlp_size is None else check_number("mlp_size", mlp_size,
                                                                    minimum=1, integer=True)
        check_rng(rng)
        V, T, D, F = self.vocab_size, self.context_size, self.embed_size, self.hidden_width
        check_memory("the transformer's parameters", V * D * 2 + T * D + self.layers * (
            4 * D * D + 2 * D * F), "vocab_size, context_size, embed_size, layers or mlp_size")
        residual = 1.0 / np.sqrt(2 * self.layers)
        p = {"token_embedding": rng.normal(0.0, 1.0, (V, D)),
             "position_embedding": rng.normal(0.0, 1.0, (T, D))}
        for layer in range(self.layers):
            block = {"ln1_gamma": np.ones(D), "ln1_beta": np.zeros(D),
                     "Wqkv": rng.normal(0.0, D ** -0.5, (D, 3 * D)), "bqkv": np.zeros(3 * D),
                     "Wo": rng.normal(0.0, residual * D ** -0.5, (D, D)), "bo": np.zeros(D),
                     "ln2_gamma": np.ones(D), "ln2_beta": np.zeros(D),
                     "W1": rng.normal(0.0, D ** -0.5, (D, F)), "b1": np.zeros(F),
                     "W2": rng.normal(0.0, residual * F ** -0.5, (F, D)), "b2": np.zeros(D)}
            p.update({f"block{layer}_{key}": value for key, value in block.items()})
        p.update({"lnf_gamma": np.ones(D), "lnf_beta": np.zeros(D),
                  "W_out": rng.normal(0.0, 0.02, (D, V)), "b_out": np.zeros(V)})
        self.params = p

    @property
    def hidden_width(self) -> int:
        """F, the MLP's width."""
        return 4 * self.embed_size if self.mlp_size is None else self.mlp_size

    @property
    def output_size(self) -> int:
        return self.vocab_size

    @property
    def config(self) -> dict:
        return {"vocab_size": self.vocab_size, "context_size": self.context_size,
                "embed_size": self.embed_size, "heads": self.heads, "layers": self.layers,
                "mlp_size": self.mlp_size}

    # --- checks at the door ---------------------------------------------------------------

    def check_inputs(self, X):
        X = check_labels("X", X, (None, None), self.vocab_size)
        if not 1 <= X.shape[1] <= self.context_size or X.shape[0] < 1:
            raise ValueError(f"X must have shape (N, T) with N >= 1 and 1 <= T <= context_size "
                             f"= {self.context_size}, got {X.shape}; cut longer text into "
                             f"windows (nnlib.data.text.make_windows).")
        N, T = X.shape
        check_memory("the transformer's activations", N * T * (
            self.layers * (8 * self.embed_size + self.hidden_width + 2 * self.heads * T)
            + 2 * self.vocab_size), "N (the batch) or T")
        return X

    def check_targets(self, y, X):
        return check_labels("y", y, X.shape, self.vocab_size)

    # --- the maths --------------------------------------------------------------------------

    def _forward(self, X, past=None):
        """Logits (N, T, V) of the ids X (N, T) and the caches; ``past`` is a list of (K, V)
        per block for the positions before X (sampling with a key/value cache)."""
        p = self.params
        start = 0 if past is None else past[0][0].shape[2]
        tokens, token_cache = embedding_forward(X, p["token_embedding"])
        H = tokens + p["position_embedding"][start:start + X.shape[1]]
        caches = []
        for layer in range(self.layers):
            H, cache = block_forward(H, block_params(p, layer), self.heads,
                                     None if past is None else past[layer])
            caches.append(cache)
        normed, final = layernorm_forward(H, p["lnf_gamma"], p["lnf_beta"])
        logits, head = affine_forward(normed, p["W_out"], p["b_out"])
        return logits, (token_cache, caches, final, head)

    def _loss_and_grads(self, X, y):
        p = self.params
        logits, (token_cache, caches, final, head) = self._forward(X)
        loss, dlogits = softmax_cross_entropy(logits, y, "mean")
        grads = {}
        dnormed, grads["W_out"], grads["b_out"] = affine_backward(dlogits, head)
        dH, grads["lnf_gamma"], grads["lnf_beta"] = layernorm_backward(dnormed, final)
        for layer in reversed(range(self.layers)):
            dH, block = block_backward(dH, caches[layer], self.heads)
            grads.update({f"block{layer}_{key}": value for key, value in block.items()})
        dposition = np.zeros_like(p["position_embedding"])
        dposition[:X.shape[1]] = dH.sum(axis=0)
        grads["position_embedding"] = dposition
        grads["token_embedding"] = embedding_backward(dH, token_cache)
        return loss, grads

    def _loss(self, X, y):
        return softmax_cross_entropy(self._forward(X)[0], y, "mean")[0]

    def _predict_proba(self, X):
        return softmax(self._forward(X)[0])

    def attention_maps(self, X) -> np.ndarray:
        """The attention weights of every block and head, (layers, N, heads, T, T): entry
        [l, n, h, i, j] is how much position i of example n attends to position j."""
        _, (_, caches, _, _) = self._forward(self.check_inputs(X))
        return np.stack([cache.attention.P for cache in caches])


def next_token_logits(model: Transformer, ids: np.ndarray, past=None):
    """Logits (V,) for the token after ``ids`` (1-D int), and the new key/value cache.

    With ``past`` None the whole of ``ids`` runs through the network; otherwise ``past`` holds
    the keys and values of every earlier position and ``ids`` only the new ones."""
    logits, (_, caches, _, _) = model._forward(ids[None, :], past)
    return logits[0, -1], [(cache.attention.K, cache.attention.V) for cache in caches]


def sample(model: Transformer, prime, length: int, *, rng: np.random.Generator,
           temperature: float = 1.0, use_cache: bool = True) -> np.ndarray:
    """Generate ``length`` tokens after the priming ids ``prime``.

    Parameters
    ----------
    model : Transformer
    prime : array_like of int, shape (P,), P >= 1
    length : int >= 0, with P + length - 1 <= context_size (no sliding window)
    rng : np.random.Generator (keyword-only), one uniform number per token (``nnlib.charlm``'s
        drawing)
    temperature : float >= 0 (0: always the likeliest token)
    use_cache : bool
        True: keep every block's keys and values and run one new position per token;
        False: rerun the whole sequence for every token. Both give the same tokens.

    Returns
    -------
    ndarray of int64, shape (length,)
    """
    if not isinstance(model, Transformer):
        raise ValueError(f"model must be a Transformer, got {type(model).__name__}.")
    prime = check_labels("prime", np.ravel(prime), (None,), model.vocab_size)
    if len(prime) == 0:
        raise ValueError("prime must hold at least one token for the model to read.")
    length = check_number("length", length, minimum=0, integer=True)
    if len(prime) + length - 1 > model.context_size:
        raise ValueError(f"length must be at most context_size - len(prime) + 1 = "
                         f"{model.context_size - len(prime) + 1}, got {length}: this sampler "
                         f"has no sliding window.")
    check_rng(rng)
    temperature = check_number("temperature", temperature, minimum=0)
    ids = list(int(i) for i in prime)
    out = np.zeros(length, dtype=np.int64)
    logits, past = next_token_logits(model, np.array(ids))
    for t in range(length):
        out[t] = _draw(logits, temperature, rng)
        ids.append(int(out[t]))
        if t + 1 == length:
            break
        if use_cache:
            logits, past = next_token_logits(model, np.array(ids[-1:]), past)
        else:
            logits, _ = next_token_logits(model, np.array(ids))
    return out


__all__ = ["BlockCache", "Transformer", "block_backward", "block_forward", "block_params",
           "next_token_logits", "sample"]

"""The pieces of a transformer as pure functions: attention, layer norm, embeddings, the MLP.

Every piece has the course's contract ``x_forward(...) -> (out, cache)`` and
``x_backward(dout, cache) -> grads``; caches are named tuples. Batch first, heads as an axis:

- ``attention_forward(Q, K, V, causal)``: scaled dot-product attention of (N, heads, T, d)
  queries, keys and values, ``softmax(Q K^T / sqrt(d) + mask) V``; ``attention_backward``;
- ``split_heads`` / ``merge_heads``: (N, T, D) <-> (N, heads, T, D / heads); each is the
  other's backward (a reshape moves gradients back unchanged);
- ``layernorm_forward`` / ``layernorm_backward``: normalise the last axis (Ba et al., 2016);
- ``embedding_forward`` / ``embedding_backward``: rows of a table picked by integer ids (the
  token embedding, and the position embedding with ids 0 .. T-1);
- ``mlp_forward`` / ``mlp_backward``: the position-wise MLP, affine -> ReLU -> affine.

Residual connections need no function: ``X + f(X)`` passes ``dout`` to both branches, and the
two gradients add (``nnlib.transformer`` does it). The softmax is ``nnlib.losses.softmax`` and
the affine maps are ``nnlib.layers.affine_forward`` / ``affine_backward``: one copy of each.
Nothing here checks its arguments; the model checks them once at its public door.

Left out on purpose: dropout, other position encodings (rotary, sinusoidal: exercises of
notebook 11), key padding masks.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from nnlib.activations import relu_backward, relu_forward
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax


class AttentionCache(NamedTuple):
    Q: np.ndarray   # (N, heads, T_q, d)
    K: np.ndarray   # (N, heads, T_k, d)
    V: np.ndarray   # (N, heads, T_k, d)
    P: np.ndarray   # (N, heads, T_q, T_k), the attention weights (rows sum to 1)
    scale: float    # 1 / sqrt(d)


def causal_mask(T_q: int, T_k: int) -> np.ndarray:
    """Additive mask (T_q, T_k): 0 where query i may see key j, -inf where j is in its future.

    The T_q queries are the last T_q positions of the T_k keys (T_q < T_k when earlier keys
    come from a key/value cache), so query i sits at position i + T_k - T_q.
    """
    query_positions = np.arange(T_q)[:, None] + (T_k - T_q)
    return np.where(np.arange(T_k)[None, :] > query_positions, -np.inf, 0.0)


def attention_forward(Q: np.ndarray, K: np.ndarray, V: np.ndarray, causal: bool = True):
    """Scaled dot-product attention.

    Parameters
    ----------
    Q : ndarray, shape (N, heads, T_q, d), queries
    K : ndarray, shape (N, heads, T_k, d), keys
    V : ndarray, shape (N, heads, T_k, d), values
    causal : bool
        When True, query i attends only to keys 0 .. i + T_k - T_q (itself and its past).

    Returns
    -------
    out : ndarray, shape (N, heads, T_q, d)
    cache : AttentionCache

    Notes
    -----
    S = Q K^T / sqrt(d) + mask;  P = softmax(S) over the keys (last axis);  out = P V.
    """
    scale = 1.0 / np.sqrt(Q.shape[-1])
    scores = (Q @ K.swapaxes(-1, -2)) * scale
    if causal:
        scores = scores + causal_mask(Q.shape[-2], K.shape[-2])
    P = softmax(scores)
    return P @ V, AttentionCache(Q, K, V, P, scale)


def attention_backward(dout: np.ndarray, cache: AttentionCache):
    """Backward pass of ``attention_forward``.

    Parameters
    ----------
    dout : ndarray, shape (N, heads, T_q, d)
    cache : AttentionCache

    Returns
    -------
    dQ : (N, heads, T_q, d); dK : (N, heads, T_k, d); dV : (N, heads, T_k, d)

    Notes
    -----
    dV = P^T dout;  dP = dout V^T;  dS = P * (dP - sum_j P_j dP_j) (the softmax's Jacobian,
    row by row; masked entries have P = 0 and so get no gradient);
    dQ = dS K / sqrt(d);  dK = dS^T Q / sqrt(d).
    """
    Q, K, V, P, scale = cache
    dV = P.swapaxes(-1, -2) @ dout
    dP = dout @ V.swapaxes(-1, -2)
    dS = P * (dP - np.sum(dP * P, axis=-1, keepdims=True))
    dQ = (dS @ K) * scale
    dK = (dS.swapaxes(-1, -2) @ Q) * scale
    return dQ, dK, dV


def split_heads(X: np.ndarray, heads: int) -> np.ndarray:
    """(N, T, D) -> (N, heads, T, D / heads): head h gets features h d .. (h + 1) d - 1.

    Its backward is ``merge_heads`` (the gradient is reshaped back the same way)."""
    N, T, D = X.shape
    return X.reshape(N, T, heads, D // heads).transpose(0, 2, 1, 3)


def merge_heads(X: np.ndarray) -> np.ndarray:
    """(N, heads, T, d) -> (N, T, heads d), the inverse of ``split_heads`` (and its backward)."""
    N, heads, T, d = X.shape
    return X.transpose(0, 2, 1, 3).reshape(N, T, heads * d)


class LayerNormCache(NamedTuple):
    X_hat: np.ndarray       # (..., D), the normalised input
    inv_std: np.ndarray     # (..., 1), 1 / sqrt(var + eps)
    gamma: np.ndarray       # (D,)


def layernorm_forward(X: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-5):
    """Layer normalisation over the last axis (Ba, Kiros and Hinton, 2016).

    Parameters
    ----------
    X : ndarray, shape (..., D), e.g. (N, T, D)
    gamma, beta : ndarray, shape (D,), the gain and the shift
    eps : float > 0, added to the variance

    Returns
    -------
    out : ndarray, shape of X
    cache : LayerNormCache

    Notes
    -----
    mu = mean(x), var = mean((x - mu)^2) over the D features of each position;
    x_hat = (x - mu) / sqrt(var + eps);  out = gamma * x_hat + beta.
    """
    centred = X - X.mean(axis=-1, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(centred * centred, axis=-1, keepdims=True) + eps)
    X_hat = centred * inv_std
    return gamma * X_hat + beta, LayerNormCache(X_hat, inv_std, gamma)


def layernorm_backward(dout: np.ndarray, cache: LayerNormCache):
    """Backward pass of ``layernorm_forward``.

    Parameters
    ----------
    dout : ndarray, shape (..., D)
    cache : LayerNormCache

    Returns
    -------
    dX : (..., D); dgamma : (D,); dbeta : (D,)

    Notes
    -----
    With g = dout * gamma: dX = (g - mean(g) - x_hat mean(g x_hat)) / sqrt(var + eps), the
    means over the D features (mu and var depend on every feature of the position);
    dgamma = sum of dout * x_hat and dbeta = sum of dout over every position.
    """
    X_hat, inv_std, gamma = cache
    D = X_hat.shape[-1]
    g = dout * gamma
    dX = inv_std * (g - g.mean(axis=-1, keepdims=True)
                    - X_hat * np.mean(g * X_hat, axis=-1, keepdims=True))
    dgamma = np.sum((dout * X_hat).reshape(-1, D), axis=0)
    dbeta = np.sum(dout.reshape(-1, D), axis=0)
    return dX, dgamma, dbeta


class EmbeddingCache(NamedTuple):
    ids: np.ndarray         # (N, T) int, or (T,) for positions
    table_shape: tuple      # (V, D)


def embedding_forward(ids: np.ndarray, table: np.ndarray):
    """Rows of ``table`` picked by ``ids``.

    Parameters
    ----------
    ids : ndarray of int, any shape (N, T) or (T,), values in 0 .. V-1
    table : ndarray, shape (V, D)

    Returns
    -------
    out : ndarray, shape ids.shape + (D,); cache : EmbeddingCache

    Notes
    -----
    out[n, t] = table[ids[n, t]]: the same as one-hot(ids) @ table, without the zeros.
    """
    return table[ids], EmbeddingCache(ids, table.shape)


def embedding_backward(dout: np.ndarray, cache: EmbeddingCache) -> np.ndarray:
    """Backward pass of ``embedding_forward``: dtable (V, D), each row the sum of ``dout`` at
    the places that picked it (a row picked twice gets both gradients)."""
    ids, shape = cache
    dtable = np.zeros(shape)
    np.add.at(dtable, ids.ravel(), dout.reshape(-1, shape[1]))
    return dtable


class MLPCache(NamedTuple):
    first: tuple            # affine cache of X W1 + b1
    relu: np.ndarray        # ReLU cache
    second: tuple           # affine cache of h W2 + b2


def mlp_forward(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray):
    """The position-wise MLP: ``relu(X W1 + b1) W2 + b2`` at every position.

    Parameters
    ----------
    X : ndarray, shape (N, T, D)
    W1 : (D, F); b1 : (F,); W2 : (F, D); b2 : (D,)  (F = 4 D in the usual transformer)

    Returns
    -------
    out : ndarray, shape (N, T, D); cache : MLPCache
    """
    hidden, first = affine_forward(X, W1, b1)
    active, relu = relu_forward(hidden)
    out, second = affine_forward(active, W2, b2)
    return out, MLPCache(first, relu, second)


def mlp_backward(dout: np.ndarray, cache: MLPCache):
    """Backward pass of ``mlp_forward``: (dX (N, T, D), dW1, db1, dW2, db2)."""
    dactive, dW2, db2 = affine_backward(dout, cache.second)
    dX, dW1, db1 = affine_backward(relu_backward(dactive, cache.relu), cache.first)
    return dX, dW1, db1, dW2, db2


__all__ = ["AttentionCache", "EmbeddingCache", "LayerNormCache", "MLPCache", "attention_backward",
           "attention_forward", "causal_mask", "embedding_backward", "embedding_forward",
           "layernorm_backward", "layernorm_forward", "merge_heads", "mlp_backward",
           "mlp_forward", "split_heads"]

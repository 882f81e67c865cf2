"""Hopfield networks: memories stored as minima of an energy, recalled by descending it.

A classic Hopfield network (Hopfield 1982) is one layer of N binary units, s_i in {-1, +1},
each connected to every other by symmetric weights W (N, N) with a zero diagonal. P patterns
(P, N) are stored at once by the Hebbian rule, W = (1/N) sum_mu xi_mu xi_mu^T; a probe is
recalled by updating units, s_i <- sign(sum_j W_ij s_j), until nothing changes. Each
asynchronous update can only lower the energy E = -1/2 s^T W s, so recall ends in a minimum.

The modern (continuous) Hopfield network of Ramsauer et al. (2020) replaces the sign by a
softmax over the stored patterns, xi <- X^T softmax(beta X xi): one step retrieves a pattern
even when far more than N are stored, and the update is the attention of a transformer.

What this module deliberately is not: a Hopfield network is *not trained by gradient descent*
(its weights are written down in one step from the patterns), so it is not a
``nnlib.model.Model`` and does not go through ``nnlib.train.fit``. Functions are pure: they
return new arrays and leave their arguments alone.

The capacity experiments (the crosstalk prediction and its measurement on random networks)
and ``recall_path`` (one recall kept frame by frame, for the chapter's figures) are in
``course.hopfield``, which builds on this module.

Shape letters here: P stored patterns, N units (pixels), B probes recalled at once.
"""

from __future__ import annotations

import numpy as np

from nnlib.losses import log_softmax, softmax
from nnlib.validation import (as_float_array, check_choice, check_memory, check_number,
                              check_rng)

MODES = ("async", "sync")
# A field this close to 0 counts as exactly 0. Hebbian fields are multiples of 1/N, so a tie is
# a true 0 that rounding may turn into +-1e-17; the summation order (one probe or a batch, one
# BLAS kernel or another) must not decide which way the unit goes.
TIE_TOLERANCE = 1e-9


def _check_spins(name: str, value, shape, sizes=None) -> np.ndarray:
    array = as_float_array(name, value, shape, sizes=sizes)
    if not np.all(np.abs(array) == 1.0):
        where = tuple(int(i) for i in np.argwhere(np.abs(array) != 1.0)[0])
        raise ValueError(f"{name} must hold only -1 and +1 (binary units), got {array[where]:g} "
                         f"at index {where}. Convert 0/1 values with 2 * x - 1.")
    return array


def _check_states(name: str, states, num_units: int, spins: bool = True) -> np.ndarray:
    array = np.asarray(states)
    shape = (num_units,) if array.ndim == 1 else ("B", num_units)
    if array.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape ({num_units},) or (B, {num_units}), "
                         f"got {array.shape}.")
    if spins:
        return _check_spins(name, array, shape)
    return as_float_array(name, array, shape)


def hebbian_weights(patterns) -> np.ndarray:
    """Hebbian weights that store ``patterns`` as minima of the energy.

    Parameters
    ----------
    patterns : array_like, shape (P, N), entries -1 or +1

    Returns
    -------
    W : ndarray, shape (N, N), symmetric, zero diagonal

    Notes
    -----
    W = (1/N) X^T X with the diagonal set to 0 (no unit drives itself): W_ij = (1/N) sum_mu
    xi_mu,i xi_mu,j for i != j.
    """
    X = _check_spins("patterns", patterns, ("P", "N"))
    W = X.T @ X / X.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def projection_weights(patterns) -> np.ndarray:
    """Projection (pseudo-inverse) weights: every stored pattern a fixed point while P < N.

    Parameters
    ----------
    patterns : array_like, shape (P, N), entries -1 or +1

    Returns
    -------
    W : ndarray, shape (N, N), symmetric, zero diagonal

    Notes
    -----
    W = X^T (X X^T)^+ X, the orthogonal projection onto the span of the patterns (Personnaz,
    Guyon & Dreyfus 1985), with its diagonal set to 0 (Kanter & Sompolinsky 1987). Before the
    diagonal is removed W xi = xi exactly for every stored xi; after it, h_i = (1 - W_ii) xi_i
    with W_ii about P/N, so each stored pattern stays a fixed point while its W_ii < 1. The
    pseudo-inverse ``(X X^T)^+`` also serves linearly dependent patterns. Hebb's rule is the
    special case of orthogonal patterns (X X^T = N I).
    """
    X = _check_spins("patterns", patterns, ("P", "N"))
    check_memory("the projection weights (N, N)", X.shape[1] ** 2, "the number of units N")
    W = X.T @ np.linalg.pinv(X @ X.T) @ X
    W = 0.5 * (W + W.T)  # exactly symmetric: rounding in the products may differ by 1e-16
    np.fill_diagonal(W, 0.0)
    return W


def _check_weights(W) -> np.ndarray:
    W = as_float_array("W", W, ("N", "N"))
    # Exact equality first: Hebbian weights are exactly symmetric, and it is much cheaper.
    if not np.array_equal(W, W.T) and not np.allclose(W, W.T, rtol=0, atol=1e-12):
        raise ValueError("W must be symmetric (W == W.T), as Hebbian weights are; the energy "
                         "argument needs it.")
    return W


def energy(W, states):
    """Energy E = -1/2 s^T W s of one state (N,) -> float, or of B states (B, N) -> (B,)."""
    W = _check_weights(W)
    S = _check_states("states", states, W.shape[0], spins=False)
    values = -0.5 * np.einsum("...i,ij,...j->...", S, W, S)
    return float(values) if S.ndim == 1 else values


def _sign_keep_ties(fields: np.ndarray, current: np.ndarray) -> np.ndarray:
    """sign(fields), but a unit whose field is 0 (within TIE_TOLERANCE) keeps its value."""
    return np.where(fields > TIE_TOLERANCE, 1.0, np.where(fields < -TIE_TOLERANCE, -1.0, current))


def _async_sweep_inplace(W: np.ndarray, S_t: np.ndarray, order: np.ndarray) -> np.ndarray:
    """One asynchronous sweep over units in ``order`` on S_t (N, B), in place.

    Units are updated one at a time, each seeing the updates before it; all B probes are
    updated together, unit by unit (one row of W times the (N, B) states per unit). A unit
    flips when its field has the opposite sign (a field of exactly 0 leaves it alone).
    Returns a boolean (B,): which probes changed.
    """
    changed = np.zeros(S_t.shape[1], dtype=bool)
    for i in order:
        row = S_t[i]
        flip = (W[i] @ S_t) * row < -TIE_TOLERANCE
        np.negative(row, out=row, where=flip)
        changed |= flip
    return changed


def async_sweep(W, states, order) -> np.ndarray:
    """One asynchronous sweep: update unit ``order[0]``, then ``order[1]``, ... each seeing the
    units already updated.

    Parameters
    ----------
    W : array_like, shape (N, N), symmetric
    states : array_like, shape (N,) or (B, N), entries -1 or +1
    order : array_like of int, shape (K,), unit indices in 0 .. N-1

    Returns
    -------
    ndarray, shape of ``states``: the states after the sweep (a new array).
    """
    W = _check_weights(W)
    S = _check_states("states", states, W.shape[0])
    order = np.asarray(order)
    if order.ndim != 1 or not np.issubdtype(order.dtype, np.integer) or (
            order.size and (order.min() < 0 or order.max() >= W.shape[0])):
        raise ValueError(f"order must be a 1-D array of unit indices in 0 .. {W.shape[0] - 1}, "
                         f"got {order!r}.")
    S_t = np.array(np.atleast_2d(S).T, order="C")
    _async_sweep_inplace(W, S_t, order)
    return S_t.T.reshape(S.shape).copy()


def recall(W, states, rng, mode: str = "async", max_sweeps: int = 100) -> np.ndarray:
    """Update probes until no unit changes (or ``max_sweeps``) and return the final states.

    Parameters
    ----------
    W : array_like, shape (N, N), symmetric (from ``hebbian_weights``)
    states : array_like, shape (N,) or (B, N), entries -1 or +1: the probes
    rng : np.random.Generator
        Draws the asynchronous update order: one random permutation of the N units per sweep,
        the same for every probe of the batch. Each probe therefore follows exactly the path it
        would follow alone with the same generator (a probe that has settled stays settled),
        and B probes cost one (N,) x (N, B) product per unit. ``mode="sync"`` draws nothing.
    mode : "async" (one unit at a time: the energy never rises) or "sync" (all units at once
        from the old state: may end in a 2-cycle)
    max_sweeps : int >= 1
        A sweep updates every unit once.

    Returns
    -------
    ndarray, shape of ``states``, entries -1 or +1.

    Notes
    -----
    s_i <- sign(sum_j W_ij s_j); a unit whose field is 0 keeps its value (a field within
    ``TIE_TOLERANCE`` = 1e-9 of 0 counts as 0, so that rounding never decides a tie).
    """
    W = _check_weights(W)
    S = _check_states("states", states, W.shape[0])
    check_rng(rng)
    check_choice("mode", mode, MODES)
    max_sweeps = check_number("max_sweeps", max_sweeps, minimum=1, integer=True)
    S_t = np.array(np.atleast_2d(S).T, order="C")  # (N, B): unit i's states are one row
    active = np.arange(S_t.shape[1])  # probes that changed in the last sweep
    for _ in range(max_sweeps):
        if mode == "async":
            # A probe whose whole sweep changed nothing is at a fixed point: leave it out.
            part = np.array(S_t[:, active], order="C")
            changed = _async_sweep_inplace(W, part, rng.permutation(W.shape[0]))
            S_t[:, active] = part
        else:
            new = _sign_keep_ties(W @ S_t[:, active], S_t[:, active])
            changed = np.any(new != S_t[:, active], axis=0)
            S_t[:, active] = new
        active = active[changed]
        if active.size == 0:
            break
    return S_t.T.reshape(S.shape).copy()


def modern_update(patterns, states, beta):
    """One step of the modern Hopfield update, xi <- X^T softmax(beta X xi), for every probe.

    Pure maths (``modern_recall`` is the checked entry point): ``patterns`` X (P, N), P >= 1,
    ``states`` (B, N), ``beta`` > 0; returns (B, N).

    Notes
    -----
    softmax is shift-invariant, so the scores are shifted by their row maximum *before* the
    multiplication by beta: beta (s - max s) <= 0 never overflows (at beta = 1e308 it picks the
    best match exactly, ties shared), where beta s - max(beta s) would be inf - inf.
    """
    scores = states @ patterns.T                                   # (B, P)
    with np.errstate(over="ignore"):  # beta * (a large gap) may be -inf: exp(-inf) = 0, intended
        weights = softmax(beta * (scores - scores.max(axis=-1, keepdims=True)))
    return weights @ patterns                                      # (B, N)


#: The most multiply-adds ``modern_recall`` does (steps x B x P x N): a bound on its work.
MAX_MODERN_WORK = 10**10


def _check_modern(patterns, states, beta):
    X = as_float_array("patterns", patterns, ("P", "N"))
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"patterns must hold at least one pattern of at least one unit, got "
                         f"shape {X.shape}: store a pattern before recalling.")
    S = _check_states("states", states, X.shape[1], spins=False)
    beta = check_number("beta", beta, minimum=0, exclusive_minimum=True)
    check_memory("the softmax weights (B, P)", np.atleast_2d(S).shape[0] * X.shape[0],
                 "the number of probes or patterns")
    return X, S, beta


def modern_recall(patterns, states, beta: float, steps: int = 1) -> np.ndarray:
    """The modern Hopfield update xi <- X^T softmax(beta X xi) (``modern_update``), ``steps``
    times.

    Parameters
    ----------
    patterns : array_like, shape (P, N), P >= 1: the stored patterns X (any real values)
    states : array_like, shape (N,) or (B, N): the probes (queries)
    beta : float > 0, inverse temperature: large beta picks the closest pattern (any finite
        beta works: the softmax is computed stably)
    steps : int >= 1, with steps x B x P x N at most ``MAX_MODERN_WORK`` multiply-adds

    Returns
    -------
    ndarray, shape of ``states``: continuous states (take the sign to compare with +-1
    patterns).

    Notes
    -----
    With the probes as queries Q (B, N) and the patterns as keys and values K = V = X, one
    step is softmax(beta Q K^T) V: attention (with beta = 1/sqrt(N) it is the transformer's).
    """
    X, S, beta = _check_modern(patterns, states, beta)
    steps = check_number("steps", steps, minimum=1, integer=True)
    Q = np.atleast_2d(S)
    work = steps * Q.shape[0] * X.shape[0] * X.shape[1]
    if work > MAX_MODERN_WORK:
        raise ValueError(f"steps = {steps} would take {work:.3g} multiply-adds (steps x B x P x "
                         f"N), more than MAX_MODERN_WORK = {MAX_MODERN_WORK:.0e}: make steps "
                         f"smaller (one step usually retrieves the pattern).")
    for _ in range(steps):
        Q = modern_update(X, Q, beta)
    return Q.reshape(S.shape)


def modern_energy(patterns, states, beta: float):
    """Energy of the modern network, E = -(1/beta) logsumexp(beta X xi) + 1/2 xi^T xi.

    One state (N,) -> float, B states (B, N) -> (B,). Its gradient is xi - X^T softmax(beta X xi),
    so ``modern_recall`` sets xi to the point where the gradient of the first term is balanced
    (Ramsauer et al. 2020 drop the constants, which do not change the update).
    """
    X, S, beta = _check_modern(patterns, states, beta)
    scores = np.atleast_2d(S) @ X.T                                # (B, P)
    best = scores.argmax(axis=1)
    top = scores[np.arange(len(scores)), best]
    # (1/beta) logsumexp(beta s) = max s + (1/beta) logsumexp(beta (s - max s)): finite at any
    # beta; the log-sum-exp of the shifted scores is -log_softmax at the best column.
    with np.errstate(over="ignore"):
        shifted = beta * (scores - top[:, None])
    logsumexp = -log_softmax(shifted)[np.arange(len(scores)), best]
    values = -(top + logsumexp / beta) + 0.5 * np.sum(np.atleast_2d(S) ** 2, axis=1)
    return float(values[0]) if S.ndim == 1 else values


def flip_bits(states, fraction: float, rng) -> np.ndarray:
    """Flip exactly round(fraction * N) units, chosen at random, of each state (N,) or (B, N).

    Returns a new array; ``rng`` draws one random ordering of the units per state.
    """
    S = np.asarray(states)
    if S.ndim not in (1, 2):
        raise ValueError(f"states must have shape (N,) or (B, N), got {S.shape}.")
    S = _check_spins("states", S, (None,) * S.ndim)
    fraction = check_number("fraction", fraction, minimum=0, maximum=1)
    check_rng(rng)
    flipped = np.atleast_2d(S).copy()
    count = int(round(fraction * flipped.shape[1]))
    chosen = np.argsort(rng.random(flipped.shape), axis=1)[:, :count]
    np.put_along_axis(flipped, chosen, -np.take_along_axis(flipped, chosen, axis=1), axis=1)
    return flipped.reshape(S.shape)

"""Character language models: counting n-gram models, held-out bits per character, sampling.

A character language model gives, after every prefix of a text, a probability for each of the
V characters that may come next. This module holds what any such model needs besides the
network itself (the networks are ``nnlib.rnn.RNN`` and ``nnlib.lstm.LSTM`` with
``head="softmax", output="sequence", output_size=V``, reading one-hot characters):

- ``NGramModel``: the counting baseline. The probability of the next character given the
  n - 1 before it, smoothed towards the (n - 1)-gram model, recursively down to the uniform
  distribution (one smoothing strength ``alpha`` for every order, chosen on validation text);
- ``lm_head_loss``: the output head of a language model over time and its gradient;
- ``bits_per_character``: the held-out cross-entropy in bits, for either kind of model;
- ``sample``: generate text from either kind of model, with a priming text, a temperature and
  a seeded generator.

Notes
-----
Smoothing (a Dirichlet prior centred on the lower order, MacKay and Peto, 1995):
P_n(c | h) = (count(h, c) + alpha P_{n-1}(c | h')) / (count(h) + alpha), where h' drops the
oldest character of h; P_0(c) = 1 / V. alpha -> 0 trusts the counts, alpha -> inf falls back
to the lower order. Bits per character is the mean of -log2 P(next character); perplexity
per character is 2 ** bits. Left out on purpose: Kneser-Ney discounting, words.
"""

from __future__ import annotations

import math

import numpy as np

from nnlib.data.digits import one_hot
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import softmax, softmax_cross_entropy
from nnlib.lstm import LSTM, lstm_step_forward
from nnlib.rnn import RNN
from nnlib.rnn_layers import rnn_step_forward
from nnlib.validation import (as_float_array, check_labels, check_memory, check_number,
                              check_rng)


class NGramModel:
    """Counts of characters after every context of n - 1 characters, smoothed.

    Parameters
    ----------
    order : int >= 1, n (1: unigram, 2: bigram, 3: trigram ...; at most 8)
    vocab_size : int >= 1, V
    alpha : float > 0, the smoothing strength (see the module's Notes)

    Attributes
    ----------
    counts : list of (keys, numbers) per order k = 1 .. n, for the (context, character) pairs
        seen in training (keys are the base-V numbers of the k characters, sorted).
    """

    def __init__(self, order: int, vocab_size: int, alpha: float = 1.0):
        self.order = check_number("order", order, minimum=1, maximum=8, integer=True)
        self.vocab_size = check_number("vocab_size", vocab_size, minimum=1, integer=True)
        self.alpha = check_number("alpha", alpha, minimum=0, exclusive_minimum=True)
        self.counts: list | None = None

    def fit(self, ids) -> "NGramModel":
        """Count every k-gram, k = 1 .. n, of the training ids (shape (L,)); returns self."""
        ids = check_labels("ids", np.ravel(ids), (None,), self.vocab_size)
        if len(ids) < self.order:
            raise ValueError(f"ids must hold at least order = {self.order} characters, got "
                             f"{len(ids)}.")
        self.counts = []
        for k in range(1, self.order + 1):
            keys, numbers = np.unique(self._codes(ids, k)[k - 1:], return_counts=True)
            self.counts.append((keys, numbers))
        return self

    def _codes(self, ids, k: int) -> np.ndarray:
        # codes[t] = the base-V number of ids[t-k+1 .. t] (positions t < k-1 are not whole).
        codes = np.zeros(len(ids), dtype=np.int64)
        for j in range(k):
            codes[k - 1:] = codes[k - 1:] * self.vocab_size + ids[j:len(ids) - k + 1 + j]
        return codes

    def _count(self, k: int, keys: np.ndarray) -> np.ndarray:
        table, numbers = self.counts[k - 1]
        where = np.minimum(np.searchsorted(table, keys), len(table) - 1)
        return np.where(table[where] == keys, numbers[where], 0)

    def _context_count(self, k: int, contexts: np.ndarray) -> np.ndarray:
        # count(h) = the number of k-grams whose first k-1 characters are h.
        table, numbers = self.counts[k - 1]
        V = self.vocab_size
        totals = np.concatenate([[0], np.cumsum(numbers)])
        return totals[np.searchsorted(table, contexts * V + V)] - totals[
            np.searchsorted(table, contexts * V)]

    def _require_fit(self) -> None:
        if self.counts is None:
            raise ValueError("this NGramModel has not been fitted: call fit(ids) first.")

    def log2_proba(self, ids) -> np.ndarray:
        """log2 P(ids[t] | up to n - 1 ids before it) for t = 1 .. L-1: shape (L - 1,).

        Position t uses the min(t, n - 1) characters before it (the text's start has less).
        """
        self._require_fit()
        ids = check_labels("ids", np.ravel(ids), (None,), self.vocab_size)
        V, a = self.vocab_size, self.alpha
        p = np.full(len(ids), 1.0 / V)
        for k in range(1, self.order + 1):
            codes = self._codes(ids, k)
            known = np.arange(len(ids)) >= k - 1
            joint = self._count(k, codes)
            context = (self._context_count(k, codes // V) if k > 1
                       else np.full(len(ids), self.counts[0][1].sum()))
            p = np.where(known, (joint + a * p) / (context + a), p)
        return np.log2(p[1:])

    def next_proba(self, context) -> np.ndarray:
        """P(next character | the last n - 1 ids of ``context``) for all V: shape (V,)."""
        self._require_fit()
        context = check_labels("context", np.ravel(context), (None,), self.vocab_size)
        V, a = self.vocab_size, self.alpha
        p = np.full(V, 1.0 / V)
        for k in range(1, self.order + 1):
            if len(context) < k - 1:
                break
            prefix = 0
            for i in context[len(context) - (k - 1):] if k > 1 else ():
                prefix = prefix * V + int(i)
            joint = self._count(k, prefix * V + np.arange(V))
            p = (joint + a * p) / (joint.sum() + a)
        return p

    @property
    def num_params(self) -> int:
        """Stored counts: the number of distinct k-grams seen, k = 1 .. n."""
        self._require_fit()
        return int(sum(len(keys) for keys, _ in self.counts))

    def __repr__(self) -> str:
        return (f"NGramModel(order={self.order}, vocab_size={self.vocab_size}, "
                f"alpha={self.alpha:g})")


def lm_head_loss(hidden, V, c, targets):
    """The language model's output head at every step, its mean cross-entropy and gradients.

    Parameters
    ----------
    hidden : array_like, shape (N, T, H), the hidden states
    V : array_like, shape (H, C); c : array_like, shape (C,)
    targets : array_like of int, shape (N, T), the next character at every step

    Returns
    -------
    loss : float, nats per character: the mean over N T positions of -log softmax(z_t)[y_t]
    dhidden : (N, T, H); dV : (H, C); dc : (C,)

    Notes
    -----
    z_t = h_t V + c; dL/dz_t = (softmax(z_t) - onehot(y_t)) / (N T); dV = sum over n, t of
    h_t^T dz_t; dc = the same sum of dz_t; dh_t = dz_t V^T.
    """
    sizes: dict[str, int] = {}
    hidden = as_float_array("hidden", hidden, shape=("N", "T", "H"), sizes=sizes)
    V = as_float_array("V", V, shape=("H", "C"), sizes=sizes)
    c = as_float_array("c", c, shape=("C",), sizes=sizes)
    targets = check_labels("targets", targets, hidden.shape[:2], sizes["C"])
    logits, cache = affine_forward(hidden, V, c)
    loss, dlogits = softmax_cross_entropy(logits, targets, "mean")
    dhidden, dV, dc = affine_backward(dlogits, cache)
    return loss, dhidden, dV, dc


def _check_language_model(model):
    if isinstance(model, NGramModel):
        model._require_fit()
        return model.vocab_size
    if isinstance(model, RNN) and model.output == "sequence" and model.head == "softmax" \
            and model.input_size == model.output_size:
        return model.output_size
    raise ValueError(f"model must be a fitted NGramModel, or an RNN or LSTM with "
                     f"head='softmax', output='sequence' and input_size == output_size (one-hot "
                     f"characters in, the next character out), got {model!r}.")


def bits_per_character(model, ids, length: int = 128, batch_size: int = 256) -> float:
    """Mean -log2 P(next character) over ``ids[1 : N length + 1]``, N = (L - 1) // length.

    A network reads the windows of ``nnlib.data.text.make_windows(ids, length)``, each from a
    zero state, ``batch_size`` windows at a time; an ``NGramModel`` scores the same positions
    (with up to n - 1 characters of context before each, from ``ids``).
    """
    V = _check_language_model(model)
    ids = check_labels("ids", np.ravel(ids), (None,), V)
    length = check_number("length", length, minimum=1, integer=True)
    batch_size = check_number("batch_size", batch_size, minimum=1, integer=True)
    N = (len(ids) - 1) // length
    if N < 1:
        raise ValueError(f"ids must hold more than length = {length} characters, got "
                         f"{len(ids)}.")
    if isinstance(model, NGramModel):
        return float(-np.mean(model.log2_proba(ids[:N * length + 1])))
    inputs = ids[:N * length].reshape(N, length)
    targets = ids[1:N * length + 1].reshape(N, length)
    check_memory("a batch of one-hot windows", batch_size * length * V, "batch_size or length")
    total = 0.0
    for start in range(0, N, batch_size):
        X = one_hot(inputs[start:start + batch_size].ravel(), V).reshape(-1, length, V)
        y = targets[start:start + batch_size]
        total += model.loss(X, y) * y.size
    return total / (N * length) / math.log(2)


def _next_logits(model, state, char: int):
    # One step of the network on the one-hot character ``char``: (logits (V,), new state).
    p = model.params
    x = np.zeros((1, model.input_size))
    x[0, char] = 1.0
    if isinstance(model, LSTM):
        h, c_cell, _ = lstm_step_forward(x, *state, p["Wx"], p["Wh"], p["b"])
        state = (h, c_cell)
    else:
        h, _ = rnn_step_forward(x, state[0], p["U"], p["W"], p["b"], model.activation)
        state = (h,)
    return (h @ p["V"] + p["c"])[0], state


def _draw(log_p: np.ndarray, temperature: float, rng) -> int:
    if temperature == 0:
        return int(np.argmax(log_p))
    weights = softmax(log_p / temperature)  # the library's one softmax, shifted inside
    cumulative = np.cumsum(weights)
    return int(min(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"),
                   len(weights) - 1))


def sample(model, prime, length: int, *, rng: np.random.Generator,
           temperature: float = 1.0) -> np.ndarray:
    """Generate ``length`` characters after the priming ids ``prime``.

    Parameters
    ----------
    model : a fitted ``NGramModel``, or an ``RNN``/``LSTM`` language model (see
        ``bits_per_character``)
    prime : array_like of int, shape (P,), P >= 1: the text the model reads first
    length : int >= 0, how many characters to generate
    rng : np.random.Generator, draws every character (one uniform number per character)
    temperature : float >= 0
        Divides the log-probabilities before normalising: 1 samples the model as it is, below
        1 sharpens it (0: always the likeliest character), above 1 flattens it.

    Returns
    -------
    ndarray of int64, shape (length,): the generated ids (the prime not included).
    """
    V = _check_language_model(model)
    prime = check_labels("prime", np.ravel(prime), (None,), V)
    if len(prime) == 0:
        raise ValueError("prime must hold at least one character for the model to read.")
    length = check_number("length", length, minimum=0, integer=True)
    check_rng(rng)
    temperature = check_number("temperature", temperature, minimum=0)
    out = np.zeros(length, dtype=np.int64)
    if isinstance(model, NGramModel):
        keep = model.order - 1
        context = [int(i) for i in prime[max(0, len(prime) - keep):]] if keep else []
        for t in range(length):
            out[t] = _draw(np.log(model.next_proba(np.array(context, dtype=np.int64))),
                           temperature, rng)
            context = (context + [int(out[t])])[-keep:] if keep else []
        return out
    H = model.hidden_size
    state = (np.zeros((1, H)), np.zeros((1, H))) if isinstance(model, LSTM) else (
        np.zeros((1, H)),)
    for char in prime:
        logits, state = _next_logits(model, state, int(char))
    for t in range(length):
        out[t] = _draw(logits, temperature, rng)
        logits, state = _next_logits(model, state, int(out[t]))
    return out


__all__ = ["NGramModel", "bits_per_character", "lm_head_loss", "sample"]

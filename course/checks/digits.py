"""Self-checks for notebook 06: one-hot targets, a log-softmax stable in both directions, and
the softmax cross-entropy with the gradient the learner derives.

Every check draws its inputs with ``fresh_rng`` on every call (a hard-coded answer cannot
pass), runs the learner's function with the library's twins refused (``FORBIDDEN``: an answer
that calls ``nnlib``'s own one-hot, softmax, log-softmax or cross-entropy gets no credit), and
names the typical mistake when the answer matches one: the transpose, columns counted from the
largest label, an unstable exponential (overflow) or the log of a probability that underflowed
to 0, the gradient N times too large, of the wrong sign, without the one-hot, with an extra
softmax slope.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import nnlib.data.digits  # noqa: F401  (the modules of FORBIDDEN must be imported)
import nnlib.losses  # noqa: F401
from course.checks.common import (CheckFailed, call_refusing, close, compare_array, fresh_rng,
                                  report_passed)
from nnlib.data.digits import one_hot as reference_one_hot
from nnlib.losses import log_softmax as reference_log_softmax
from nnlib.losses import softmax_cross_entropy as reference_softmax_cross_entropy

# The library functions that do the exercises' work: an answer may not call them.
FORBIDDEN = {"nnlib.data.digits": ("one_hot",),
             "nnlib.losses": ("softmax_cross_entropy", "log_softmax", "softmax")}


def _run(answer: Callable, args: tuple):
    with np.errstate(all="ignore"):
        return call_refusing(answer, args, FORBIDDEN)


# --- one-hot ---------------------------------------------------------------------------------

def _label_cases(hidden: bool) -> list[tuple[np.ndarray, int]]:
    rng = fresh_rng()
    cases = []
    for _ in range(4 if hidden else 2):
        classes = int(rng.integers(3, 11))
        N = int(rng.integers(2, 8))
        if N == classes:
            N += 1
        labels = rng.integers(0, classes, size=N)
        labels[0] = int(rng.integers(1, classes))  # a label >= 1, so a shift shows
        cases.append((labels, classes))
    # A batch without the last class: the column count must come from `classes`.
    classes = int(rng.integers(4, 11))
    cases.append((rng.integers(0, classes - 1, size=classes + 2), classes))
    if hidden:
        cases.append((np.array([0]), 1))
    return cases


def check_one_hot(one_hot: Callable, hidden: bool = False) -> None:
    """Check ``one_hot(labels, classes) -> ndarray (N, C)``."""
    name = "one_hot"
    for labels, classes in _label_cases(hidden):
        expected = reference_one_hot(labels, classes)
        got = _run(one_hot, (labels, classes))
        if isinstance(got, np.ndarray) and got.shape == expected.T.shape != expected.shape:
            raise CheckFailed(f"{name} returned shape {got.shape}, expected {expected.shape}: "
                              "one row per example and one column per class, not the transpose.")
        if (isinstance(got, np.ndarray) and got.ndim == 2 and got.shape[0] == len(labels)
                and got.shape[1] == labels.max() + 1 != classes):
            raise CheckFailed(f"{name} returned {got.shape[1]} columns for labels "
                              f"{labels.tolist()} and classes={classes}: take the number of "
                              "columns from `classes`, not from the largest label (a batch "
                              "may not contain every class).")
        got = compare_array(name, got, expected, f"(N, C) = ({len(labels)}, {classes})")
        if close(got, expected):
            continue
        shifted = np.zeros_like(expected)
        keep = labels >= 1
        shifted[np.flatnonzero(keep), labels[keep] - 1] = 1.0
        if close(got, shifted):
            raise CheckFailed(f"{name}: the 1s sit one column to the left: label k goes to "
                              "column k (labels start at 0).")
        if not np.all(got.sum(axis=1) == 1):
            raise CheckFailed(f"{name}: every row must hold exactly one 1 (its label) and 0 "
                              f"elsewhere; row sums are {got.sum(axis=1).tolist()}.")
        raise CheckFailed(f"{name}({labels.tolist()}, {classes}) is wrong: row n must be 1 at "
                          "column labels[n].")
    report_passed(name, hidden)


# --- log-softmax -----------------------------------------------------------------------------

def _logit_cases(hidden: bool) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """``(kind, logits, labels)``: kind "ordinary", "overflow" (exp of a logit overflows, the
    labelled class is not far below the row's maximum) or "underflow" (the labelled class
    sits hundreds below the maximum, so its probability underflows to 0)."""
    rng = fresh_rng()
    cases = []
    for _ in range(3 if hidden else 1):
        N, C = int(rng.integers(3, 8)), int(rng.integers(2, 11))
        cases.append(("ordinary", rng.normal(scale=3.0, size=(N, C)),
                      rng.integers(0, C, size=N)))
    # Overflow: logits near +800 .. +1000; labels at each row's maximum.
    N, C = int(rng.integers(2, 5)), int(rng.integers(3, 8))
    big = rng.uniform(800.0, 1000.0, size=(N, 1)) + rng.normal(scale=2.0, size=(N, C))
    cases.append(("overflow", big, big.argmax(axis=1)))
    # Underflow: one row far apart from the others (a per-array maximum loses it), and rows
    # whose labelled class is 750 .. 1000 below the maximum (exp of it underflows to 0).
    C = int(rng.integers(2, 6))
    gap = rng.uniform(750.0, 1000.0)
    apart = np.vstack([rng.normal(size=(1, C)), rng.normal(size=(1, C)) + gap])
    labels = rng.integers(0, C, size=2)
    cases.append(("underflow", apart, labels))
    far = rng.normal(size=(2, C))
    far_labels = rng.integers(0, C, size=2)
    far[np.arange(2), far_labels] -= rng.uniform(750.0, 1000.0, size=2)
    cases.append(("underflow", far, far_labels))
    return cases


def _naive_log_softmax(z: np.ndarray, per_row: bool = True) -> np.ndarray:
    top = z.max(axis=1, keepdims=True) if per_row else z.max()
    with np.errstate(all="ignore"):
        e = np.exp(z - top)
        return np.log(e / e.sum(axis=1, keepdims=True))


def check_log_softmax(log_softmax: Callable, hidden: bool = False) -> None:
    """Check ``log_softmax(logits) -> ndarray (N, C)``: finite and exact for logits of any size,
    in both directions (no overflow of exp, no log of a probability that underflowed)."""
    name = "log_softmax"
    for kind, logits, _labels in _logit_cases(hidden):
        expected = reference_log_softmax(logits)
        got = _run(log_softmax, (logits,))
        if isinstance(got, np.ndarray) and got.shape == expected.shape and not np.all(
                np.isfinite(got)):
            if kind == "overflow":
                raise CheckFailed(f"{name} gives NaN or inf for logits near "
                                  f"{np.abs(logits).max():.0f}: exp overflows above about 709. "
                                  "Subtract each row's maximum m first: log p_k = (z_k - m) - "
                                  "log sum_j exp(z_j - m) is the same number.")
            if kind == "underflow":
                global_max = _naive_log_softmax(logits, per_row=False)
                if np.array_equal(np.isfinite(got), np.isfinite(global_max)) and not np.all(
                        np.isfinite(_naive_log_softmax(logits))):
                    raise CheckFailed(f"{name} returns -inf where a class's probability "
                                      "underflows to 0 (a logit hundreds below its row's "
                                      "maximum): log(exp(z - m) / sum) takes the log of 0. "
                                      "Stay in log space: log p_k = (z_k - m) - log sum_j "
                                      "exp(z_j - m), which is finite for every logit.")
                raise CheckFailed(f"{name} returns -inf or NaN for a row whose logits lie "
                                  "hundreds above another row's: subtract each row's own "
                                  "maximum (axis=1, keepdims=True), not the whole array's, and "
                                  "stay in log space.")
            raise CheckFailed(f"{name} returned NaN or inf for ordinary logits.")
        got = compare_array(name, got, expected, "(N, C), like logits")
        if close(got, expected):
            continue
        with np.errstate(all="ignore"):
            shifted = logits - logits.max(axis=1, keepdims=True)
            over_examples = shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))
        if kind == "ordinary" and close(got, over_examples):
            raise CheckFailed(f"{name}: the normalising sum runs over the examples (axis 0); "
                              "it runs over each row's classes (axis=1).")
        if kind == "ordinary" and close(got, np.exp(expected)):
            raise CheckFailed(f"{name} returned the probabilities, not their logarithm.")
        if close(got, shifted):
            raise CheckFailed(f"{name} returned z - max(z) without subtracting "
                              "log sum_j exp(z_j - m).")
        raise CheckFailed(f"{name} is wrong for logits of shape {logits.shape} ({kind}): "
                          "log p_k = z_k - log sum_j exp(z_j), computed with the row maximum "
                          "subtracted.")
    report_passed(name, hidden)


# --- softmax cross-entropy and its gradient --------------------------------------------------

def check_softmax_cross_entropy(softmax_cross_entropy: Callable, hidden: bool = False) -> None:
    """Check ``softmax_cross_entropy(logits, labels, reduction="mean") -> (loss, dlogits)``, the
    mean over N."""
    name = "softmax_cross_entropy"
    for kind, logits, labels in _logit_cases(hidden):
        expected_loss, expected_grad = reference_softmax_cross_entropy(logits, labels)
        N = logits.shape[0]
        result = _run(softmax_cross_entropy, (logits, labels))
        if not isinstance(result, tuple) or len(result) != 2:
            raise CheckFailed(f"{name} must return a tuple (loss, dlogits), got "
                              f"{type(result).__name__}.")
        loss, dlogits = result
        loss_finite = np.isfinite(np.asarray(loss, dtype=float)).all()
        grad_finite = not isinstance(dlogits, np.ndarray) or np.all(np.isfinite(dlogits))
        if not (loss_finite and grad_finite):
            if kind == "overflow":
                raise CheckFailed(f"{name} gives NaN or inf for logits near "
                                  f"{np.abs(logits).max():.0f}: exp overflows above about 709. "
                                  "Subtract each row's maximum before exp (the softmax does "
                                  "not change).")
            if kind == "underflow" and grad_finite:
                rows = np.flatnonzero(reference_log_softmax(logits)[np.arange(N), labels]
                                      < -700)
                example = np.round(logits[rows[0]] if rows.size else logits[0], 1).tolist()
                raise CheckFailed(f"{name}: the loss is inf for logits such as {example} "
                                  "with the label's logit hundreds below the maximum: its "
                                  "probability underflows to 0 and -log 0 = inf. Take the loss "
                                  "from log p computed in log space, (z - m) - log sum exp(z - "
                                  "m), not from log(p).")
            if kind == "underflow":
                raise CheckFailed(f"{name} gives NaN or inf when one row's logits lie hundreds "
                                  "above another's: subtract each row's own maximum "
                                  "(axis=1, keepdims=True).")
            raise CheckFailed(f"{name} returned NaN or inf for ordinary logits.")
        got = compare_array(f"{name}: dlogits", dlogits, expected_grad, "(N, C), like logits")
        if not close(got, expected_grad):
            probabilities = np.exp(reference_log_softmax(logits))
            targets = reference_one_hot(labels, logits.shape[1])
            if close(got, expected_grad * N):
                raise CheckFailed(f"{name}: dlogits is N = {N} times too large: the loss is "
                                  "the mean over examples, so divide the gradient by N too.")
            if close(got, -expected_grad):
                raise CheckFailed(f"{name}: dlogits has the wrong sign: raising a wrong class's "
                                  "logit must raise the loss, and raising the right one lower "
                                  "it.")
            if close(got, probabilities / N) or close(got, probabilities):
                raise CheckFailed(f"{name}: dlogits is the softmax alone: the -z_label term of "
                                  "the loss contributes too (at the label's column only).")
            if close(got, (probabilities - targets) * probabilities * (1 - probabilities) / N):
                raise CheckFailed(f"{name}: dlogits has an extra factor p (1 - p): "
                                  "differentiate L = -z_label + log sum_j exp(z_j) directly; "
                                  "no separate softmax slope appears.")
            raise CheckFailed(f"{name}: dlogits is wrong for logits of shape {logits.shape}: "
                              "differentiate L = -z_label + log sum_j exp(z_j) with respect to "
                              "every z_k, then average over the N rows.")
        loss = float(np.asarray(loss))
        if np.isclose(loss, expected_loss * N, rtol=1e-9) and N > 1:
            raise CheckFailed(f"{name}: the loss is the sum over examples ({loss:.6g}); "
                              "return the mean (divide by N).")
        if not np.isclose(loss, expected_loss, rtol=1e-9, atol=1e-12):
            raise CheckFailed(f"{name}: the loss is {loss:.6g}, expected {expected_loss:.6g}: "
                              "the mean over examples of -log p[label], in nats.")
    report_passed(name, hidden)


__all__ = ["FORBIDDEN", "check_log_softmax", "check_one_hot", "check_softmax_cross_entropy"]

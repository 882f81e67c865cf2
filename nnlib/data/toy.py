"""Small data sets the course trains on, generated here so that the course runs offline."""

from __future__ import annotations

import numpy as np


def first_column_data() -> tuple[np.ndarray, np.ndarray]:
    """The single-neuron training set: the output equals the first of three inputs.

    Returns
    -------
    X : ndarray of float64, shape (4, 3)
        Rows [0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1], in the order the classic
        "9-line" network uses (the order matters for reproducing its numbers exactly).
    y : ndarray of float64, shape (4, 1)
        The first column of X: [0, 1, 1, 0].

    Notes
    -----
    The third input is always 1, so its weight acts as a bias. The unseen case [1, 0, 0]
    is the test: the answer should be 1.
    """
    X = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=np.float64)
    y = X[:, :1].copy()
    return X, y


def xor_data() -> tuple[np.ndarray, np.ndarray]:
    """The two-layer tutorial's training set: the output is the XOR of the first two inputs.

    Returns
    -------
    X : ndarray of float64, shape (4, 3)
        Rows [0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]; the third input is always 1.
    y : ndarray of float64, shape (4, 1)
        [0, 1, 1, 0]: 1 when exactly one of the first two inputs is 1.

    Notes
    -----
    No single neuron can fit this (XOR is not linearly separable); one hidden layer can.
    """
    X = np.array([[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=np.float64)
    y = np.array([[0], [1], [1], [0]], dtype=np.float64)
    return X, y


def study_sleep_data() -> tuple[np.ndarray, np.ndarray]:
    """Hours studied and slept the night before, and the test score, for three students.

    Returns
    -------
    X : ndarray of float64, shape (3, 2)
        Columns: hours studied, hours slept. Rows [2, 9], [1, 5], [3, 6]. Unscaled.
    y : ndarray of float64, shape (3, 1)
        Test scores out of 100: [92, 86, 89]. Unscaled.
    """
    X = np.array([[2, 9], [1, 5], [3, 6]], dtype=np.float64)
    y = np.array([[92], [86], [89]], dtype=np.float64)
    return X, y


def make_moons(n_samples=100, noise: float | None = None, seed: int = 0,
               shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, point for point what scikit-learn's ``make_moons`` gives.

    Parameters
    ----------
    n_samples : int >= 1, or a pair (outer, inner) of ints >= 0
        Total number of points (the outer moon gets ``n_samples // 2``, the inner one the
        rest), or the number in each moon.
    noise : float in [0, 1e100] or None
        Standard deviation of the Gaussian noise added to both coordinates; None adds none.
        (Far larger values would overflow the coordinates to infinity.)
    seed : int >= 0
        Seed of the generator that shuffles and draws the noise.
    shuffle : bool
        Shuffle the points (otherwise the outer moon comes first).

    Returns
    -------
    X : ndarray of float64, shape (N, 2)
    y : ndarray of int, shape (N,)
        0 for the outer (upper) moon, 1 for the inner (lower) one.

    Notes
    -----
    Outer moon: (cos t, sin t); inner moon: (1 - cos t, 1/2 - sin t), t evenly spaced in
    [0, pi]. To equal ``sklearn.datasets.make_moons(n_samples, noise=noise,
    random_state=seed)`` to the last bit (a test checks it), this function draws from a
    *local* legacy ``np.random.RandomState(seed)`` in the same order as scikit-learn (one
    shuffle of the indices, then the noise, which is drawn even when it is 0), instead of the
    ``np.random.Generator`` the rest of nnlib takes. NumPy's global generator is not touched.
    """
    from nnlib.validation import check_memory, check_number

    if isinstance(n_samples, tuple):
        if len(n_samples) != 2:
            raise ValueError(f"n_samples must be an int or a pair (outer, inner), "
                             f"got a tuple of length {len(n_samples)}.")
        n_outer = check_number("n_samples[0]", n_samples[0], minimum=0, integer=True)
        n_inner = check_number("n_samples[1]", n_samples[1], minimum=0, integer=True)
    else:
        total = check_number("n_samples", n_samples, minimum=1, integer=True)
        n_outer = total // 2
        n_inner = total - n_outer
    if noise is not None:
        noise = check_number("noise", noise, minimum=0, maximum=1e100)
    # The coordinates, the labels, the shuffled copies and the noise: about 12 numbers a point.
    check_memory("the two moons", 12 * (n_outer + n_inner), "n_samples")
    seed = check_number("seed", seed, minimum=0, maximum=2**32 - 1, integer=True)
    if not isinstance(shuffle, bool):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}.")

    generator = np.random.RandomState(seed)
    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n_inner)
    X = np.vstack([np.append(np.cos(t_outer), 1 - np.cos(t_inner)),
                   np.append(np.sin(t_outer), 1 - np.sin(t_inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_outer, dtype=np.intp), np.ones(n_inner, dtype=np.intp)])
    if shuffle:
        order = np.arange(X.shape[0])
        generator.shuffle(order)
        X, y = X[order], y[order]
    if noise is not None:
        X += generator.normal(scale=noise, size=X.shape)
    return X, y


def train_test_split(X, y, test_fraction: float, rng: np.random.Generator):
    """Shuffle the examples and hold out a fraction of them for testing.

    Parameters
    ----------
    X : array_like, shape (N, D)
    y : array_like, shape (N,) or (N, C)
    test_fraction : float in (0, 1)
        The test set gets ceil(test_fraction * N) examples (100 of 1000 for 0.1), at least 1
        and at most N - 1.
    rng : np.random.Generator
        Draws the permutation.

    Returns
    -------
    X_train : ndarray, shape (N - K, D)
    X_test : ndarray, shape (K, D)
    y_train : ndarray, shape (N - K,) or (N - K, C)
    y_test : ndarray, shape (K,) or (K, C)
        ``y`` keeps its dtype (integer labels stay integers).
    """
    from nnlib.validation import as_float_array, check_number

    sizes: dict[str, int] = {}
    X = as_float_array("X", X, shape=("N", "D"), sizes=sizes)
    y = np.asarray(y)
    as_float_array("y", y, shape=("N",) if y.ndim == 1 else ("N", None), sizes=sizes)
    test_fraction = check_number("test_fraction", test_fraction, minimum=0, maximum=1,
                                 exclusive_minimum=True)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a np.random.Generator (np.random.default_rng(seed)), "
                         f"got {type(rng).__name__}.")
    n = X.shape[0]
    n_test = int(np.ceil(round(test_fraction * n, 9)))
    if not 1 <= n_test <= n - 1:
        raise ValueError(f"test_fraction {test_fraction:g} of {n} examples leaves "
                         f"{n_test} for testing and {n - n_test} for training; both need >= 1.")
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def _moons_log_likelihoods(X: np.ndarray, noise: float, n_angles: int) -> np.ndarray:
    # log p(x | class) up to a constant shared by both classes, shape (N, 2): the trapezoid
    # rule over n_angles equally spaced angles t of the Gaussian density around each moon's
    # point at t (t uniform on [0, pi]: the weights sum to 1).
    t = np.linspace(0.0, np.pi, n_angles)
    weights = np.full(n_angles, 1.0 / (n_angles - 1))
    weights[[0, -1]] /= 2
    centres = (np.column_stack([np.cos(t), np.sin(t)]),              # class 0, the outer moon
               np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]))    # class 1, the inner moon
    out = np.empty((X.shape[0], 2))
    for start in range(0, X.shape[0], 2048):                        # (2048, n_angles) at a time
        rows = X[start:start + 2048]
        for cls, mu in enumerate(centres):
            exponent = -((rows[:, None, 0] - mu[None, :, 0]) ** 2
                         + (rows[:, None, 1] - mu[None, :, 1]) ** 2) / (2 * noise**2)
            top = exponent.max(axis=1)
            out[start:start + 2048, cls] = top + np.log(np.exp(exponent - top[:, None]) @ weights)
    return out


def moons_posterior(X, noise: float, n_angles: int = 301) -> np.ndarray:
    """The Bayes posterior P(class 1 | x) of the two moons of ``make_moons``.

    Parameters
    ----------
    X : array_like, shape (N, 2)
    noise : float > 0
        The standard deviation of the Gaussian noise the points were drawn with.
    n_angles : int >= 2
        Quadrature points over the arc angle t in [0, pi].

    Returns
    -------
    ndarray of float64, shape (N,)
        P(class 1 | x); a point belongs more likely to class 1 where it exceeds 1/2.

    Notes
    -----
    Each class is a half circle plus isotropic noise, with t uniform on [0, pi] and the classes
    equally likely, so p(x | c) = (1/pi) int_0^pi N(x; mu_c(t), noise^2 I) dt with
    mu_0(t) = (cos t, sin t), mu_1(t) = (1 - cos t, 1/2 - sin t), and
    P(1 | x) = p(x | 1) / (p(x | 0) + p(x | 1)). The integral is the trapezoid rule over
    ``n_angles`` equally spaced angles, computed in logs (no underflow far from both moons).
    """
    from nnlib.activations import sigmoid
    from nnlib.validation import as_float_array, check_number

    X = as_float_array("X", X, shape=("N", 2))
    noise = check_number("noise", noise, minimum=0, maximum=1e3, exclusive_minimum=True)
    n_angles = check_number("n_angles", n_angles, minimum=2, maximum=100_000, integer=True)
    log_p = _moons_log_likelihoods(X, noise, n_angles)
    return sigmoid(log_p[:, 1] - log_p[:, 0])


def moons_bayes_accuracy(noise: float, step: float | None = None,
                         n_angles: int = 301) -> float:
    """The Bayes-optimal accuracy of the two moons: the best any classifier can do on average.

    Parameters
    ----------
    noise : float > 0, the noise of ``make_moons``
    step : float > 0 or None
        Grid spacing of the integral over the plane (default noise / 10).
    n_angles : quadrature points over the arc angle (see ``moons_posterior``)

    Returns
    -------
    float in [0.5, 1]

    Notes
    -----
    The Bayes classifier picks the likelier class at each x, so its accuracy is
    int max(p(x | 0), p(x | 1)) / 2 dx over the plane, computed here on a square grid of
    spacing ``step`` that reaches 8 noise standard deviations beyond both moons (what lies
    further out weighs less than 1e-13).
    """
    from nnlib.validation import check_number

    noise = check_number("noise", noise, minimum=1e-3, maximum=10)
    step = noise / 10 if step is None else check_number("step", step, minimum=0,
                                                       exclusive_minimum=True)
    n_angles = check_number("n_angles", n_angles, minimum=2, maximum=100_000, integer=True)
    margin = 8 * noise
    xs = np.arange(-1 - margin, 2 + margin + step / 2, step)
    ys = np.arange(-0.5 - margin, 1 + margin + step / 2, step)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    log_p = _moons_log_likelihoods(grid, noise, n_angles)
    # the shared constant: the Gaussian's normalisation 1 / (2 pi noise^2)
    density = np.exp(log_p.max(axis=1)) / (2 * np.pi * noise**2)
    return float(0.5 * np.sum(density) * step**2)

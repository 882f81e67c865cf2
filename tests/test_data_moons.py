import numpy as np
import pytest
from sklearn.datasets import make_moons as sklearn_make_moons

from nnlib.data import make_moons, train_test_split


@pytest.mark.parametrize("n_samples", [1, 2, 7, 100, 1000, 1001, (3, 5), (0, 4), (6, 0)])
@pytest.mark.parametrize("noise", [None, 0.0, 0.2, 1.5])
@pytest.mark.parametrize("seed", [0, 1, 100, 2**32 - 1])
def test_equals_scikit_learn_bit_for_bit(n_samples, noise, seed):
    X, y = make_moons(n_samples, noise=noise, seed=seed)
    X_ref, y_ref = sklearn_make_moons(n_samples, noise=noise, random_state=seed)
    assert X.dtype == X_ref.dtype and y.dtype == y_ref.dtype
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)


@pytest.mark.parametrize("noise", [None, 0.3])
def test_unshuffled_equals_scikit_learn(noise):
    X, y = make_moons(51, noise=noise, seed=5, shuffle=False)
    X_ref, y_ref = sklearn_make_moons(51, noise=noise, random_state=5, shuffle=False)
    assert np.array_equal(X, X_ref) and np.array_equal(y, y_ref)


def test_a_different_seed_gives_different_points():
    assert not np.array_equal(make_moons(100, 0.2, seed=1)[0], make_moons(100, 0.2, seed=2)[0])


def test_global_generator_is_untouched():
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    make_moons(100, noise=0.2, seed=4)
    assert np.array_equal(np.random.random(3), expected)


def test_moon_shapes_without_noise():
    X, y = make_moons(200, noise=None, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)
    assert np.sum(y == 0) == 100 and np.sum(y == 1) == 100


@pytest.mark.parametrize("kwargs, message", [
    (dict(n_samples=0), "n_samples must be an integer >= 1, got 0"),
    (dict(n_samples=10.0), "n_samples must be an integer"),
    (dict(n_samples=(1, 2, 3)), "n_samples must be an int or a pair"),
    (dict(n_samples=(2, -1)), r"n_samples\[1\] must be an integer >= 0"),
    (dict(noise=-0.1), r"noise must be a number in the range \[0, 1e\+100\]"),
    (dict(seed=-1), "seed must be an integer"),
    (dict(seed=1.5), "seed must be an integer"),
    (dict(shuffle=1), "shuffle must be True or False"),
])
def test_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_moons(**{"n_samples": 10, **kwargs})


def test_split_sizes_disjoint_and_seeded():
    X, y = make_moons(1000, noise=0.2, seed=100)
    X_train, X_test, y_train, y_test = train_test_split(X, y, 0.1, np.random.default_rng(0))
    assert X_train.shape == (900, 2) and X_test.shape == (100, 2)
    assert y_train.shape == (900,) and y_test.dtype == y.dtype
    # Together they are the original rows, each once.
    both = np.vstack([X_train, X_test])
    assert np.array_equal(np.sort(both, axis=0), np.sort(X, axis=0))
    again = train_test_split(X, y, 0.1, np.random.default_rng(0))
    assert np.array_equal(again[1], X_test)
    other = train_test_split(X, y, 0.1, np.random.default_rng(1))
    assert not np.array_equal(other[1], X_test)
    # Labels travel with their points.
    lookup = {tuple(row): label for row, label in zip(X, y)}
    assert all(lookup[tuple(row)] == label for row, label in zip(X_test, y_test))


@pytest.mark.parametrize("args, message", [
    ((np.zeros((10, 2)), np.zeros(9), 0.1), r"y must have shape \(N,\) \(with N=10\)"),
    ((np.zeros((10, 2)), np.zeros(10), 0.0), "test_fraction must be a number in the range"),
    ((np.zeros((10, 2)), np.zeros(10), 0.99), "leaves 10 for testing and 0 for training"),
])
def test_split_rejects_bad_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        train_test_split(*args, rng=np.random.default_rng(0))


def test_split_needs_a_generator():
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        train_test_split(np.zeros((10, 2)), np.zeros(10), 0.1, rng=0)


# --- the Bayes posterior and the Bayes-optimal accuracy -------------------------------------------

from nnlib.data.toy import moons_bayes_accuracy, moons_posterior  # noqa: E402


def test_the_posterior_is_calibrated_on_monte_carlo_samples():
    # Among sampled points whose posterior P(1 | x) falls in a bin, the share of class 1 must
    # be the bin's mean posterior (to sampling error): what "posterior" means.
    X, y = make_moons(60_000, noise=0.3, seed=11)
    posterior = moons_posterior(X, 0.3)
    bins = np.digitize(posterior, [0.1, 0.3, 0.5, 0.7, 0.9])
    for b in range(6):
        inside = bins == b
        share, mean = y[inside].mean(), posterior[inside].mean()
        error = np.sqrt(mean * (1 - mean) / inside.sum())
        assert abs(share - mean) < 4 * error + 1e-3, (b, share, mean)


def test_a_wrong_noise_gives_a_miscalibrated_posterior():
    # The same check must be able to fail: the posterior for the wrong noise is overconfident.
    X, y = make_moons(60_000, noise=0.3, seed=11)
    posterior = moons_posterior(X, 0.1)
    confident = posterior > 0.9
    assert y[confident].mean() < posterior[confident].mean() - 0.05


def test_the_bayes_accuracy_matches_the_bayes_classifier_on_samples():
    X, y = make_moons(200_000, noise=0.2, seed=12)
    sampled = np.mean((moons_posterior(X, 0.2) > 0.5) == (y == 1))
    exact = moons_bayes_accuracy(0.2, step=0.04)
    assert abs(sampled - exact) < 3 * np.sqrt(exact * (1 - exact) / len(y))
    assert 0.970 < exact < 0.972  # and no classifier does better on average


def test_the_bayes_accuracy_has_converged_in_its_grid_and_angles():
    coarse = moons_bayes_accuracy(0.2, step=0.04)
    assert abs(moons_bayes_accuracy(0.2, step=0.02, n_angles=601) - coarse) < 2e-5


def test_the_posterior_is_symmetric_and_sure_far_from_the_overlap():
    # The moons map onto each other by x -> (1, 1/2) - x, which swaps the classes.
    X = np.random.default_rng(3).uniform(-1.5, 2.5, size=(200, 2))
    np.testing.assert_allclose(moons_posterior(X, 0.2), 1 - moons_posterior(
        np.array([1.0, 0.5]) - X, 0.2), atol=1e-12)
    np.testing.assert_allclose(moons_posterior(np.array([[-1.0, 0.0], [2.0, 0.5]]), 0.2),
                               [0.0, 1.0], atol=1e-5)
    assert np.all(np.isfinite(moons_posterior(np.array([[1e3, -1e3]]), 0.05)))


@pytest.mark.parametrize("call, message", [
    (lambda: moons_posterior(np.zeros((3, 3)), 0.2), "X must have shape"),
    (lambda: moons_posterior(np.zeros((3, 2)), 0.0), "noise must be"),
    (lambda: moons_posterior(np.zeros((3, 2)), 0.2, n_angles=1), "n_angles must be"),
    (lambda: moons_bayes_accuracy(0.0), "noise must be"),
])
def test_the_posterior_rejects_bad_inputs(call, message):
    with pytest.raises(ValueError, match=message):
        call()

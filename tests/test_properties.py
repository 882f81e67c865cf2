"""Property tests for nnlib's core: they hold for any shapes and values hypothesis finds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.activations import ACTIVATIONS, sigmoid
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.layers import affine_backward, affine_forward
from nnlib.losses import (binary_cross_entropy_with_logits, softmax, softmax_cross_entropy,
                          squared_error_loss)
from nnlib.validation import as_float_array

dims = st.integers(min_value=1, max_value=5)
moderate = st.floats(min_value=-3, max_value=3, allow_nan=False, allow_infinity=False)
huge = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)

# pyproject.toml turns every RuntimeWarning (overflow, invalid value) into an error, so each
# test below also proves that no such warning is raised.


@given(arrays(np.float64, st.tuples(dims, dims), elements=huge))
def test_activations_and_losses_raise_no_warnings_up_to_1e3(z):
    for forward, _ in ACTIVATIONS.values():
        assert np.all(np.isfinite(forward(z)[0]))
    assert np.allclose(softmax(z).sum(axis=1), 1.0)
    labels = np.zeros(z.shape[0], dtype=int)
    loss, grad = softmax_cross_entropy(z, labels)
    assert np.isfinite(loss) and np.all(np.isfinite(grad))
    targets = (z[:, :1] > 0).astype(float)
    loss, grad = binary_cross_entropy_with_logits(z[:, :1], targets)
    assert np.isfinite(loss) and loss >= 0


@given(arrays(np.float64, st.tuples(dims, dims), elements=huge))
def test_sigmoid_is_bounded_and_symmetric(z):
    s = sigmoid(z)
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose(s + sigmoid(-z), 1.0, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(n=dims, d=dims, h=dims, seed=st.integers(0, 2**32 - 1),
       activation=st.sampled_from(sorted(ACTIVATIONS)))
def test_affine_then_activation_gradients_match_numerical(n, d, h, seed, activation):
    rng = np.random.default_rng(seed)
    X, W, b = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=h)
    dout = rng.normal(size=(n, h))
    forward, backward = ACTIVATIONS[activation]
    z, affine_cache = affine_forward(X, W, b)
    if activation == "relu" and np.min(np.abs(z)) < 1e-4:
        return  # a finite difference across ReLU's kink is not a derivative
    _, activation_cache = forward(z)
    dX, dW, db = affine_backward(backward(dout, activation_cache), affine_cache)

    def loss():
        return float(np.sum(forward(affine_forward(X, W, b)[0])[0] * dout))

    for analytic, array in ((dX, X), (dW, W), (db, b)):
        assert relative_error(analytic, numerical_gradient(loss, array)) < 1e-7


@settings(max_examples=40, deadline=None)
@given(shape=st.tuples(dims, dims, st.integers(2, 4)), seed=st.integers(0, 2**32 - 1),
       reduction=st.sampled_from(["sum", "mean"]))
def test_loss_gradients_match_numerical(shape, seed, reduction):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    analytic = softmax_cross_entropy(logits, labels, reduction)[1]
    numerical = numerical_gradient(
        lambda: softmax_cross_entropy(logits, labels, reduction)[0], logits)
    assert relative_error(analytic, numerical) < 1e-7
    y_hat, y = rng.normal(size=shape[:2]), rng.normal(size=shape[:2])
    analytic = squared_error_loss(y_hat, y, reduction)[1]
    numerical = numerical_gradient(lambda: squared_error_loss(y_hat, y, reduction)[0], y_hat)
    assert relative_error(analytic, numerical) < 1e-7


@given(arrays(np.float64, st.tuples(dims, dims), elements=moderate),
       st.tuples(dims, dims))
def test_shape_validation_names_the_argument(array, wanted):
    if array.shape == wanted:
        assert as_float_array("X", array, shape=wanted).shape == wanted
    else:
        with pytest.raises(ValueError, match=r"^X must have shape"):
            as_float_array("X", array, shape=wanted)


@given(st.sampled_from([np.nan, np.inf, -np.inf]), dims, dims, st.data())
def test_nonfinite_entries_are_rejected_wherever_they_are(bad, n, d, data):
    array = np.zeros((n, d))
    i, j = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, d - 1))
    array[i, j] = bad
    with pytest.raises(ValueError, match=rf"^X contains .* at index \({i}, {j}\)"):
        as_float_array("X", array)


# --- weight files ---------------------------------------------------------------------------

from nnlib.serialization import WeightFileError, load_params, save_params  # noqa: E402

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,6}", fullmatch=True)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(names, arrays(np.float64, st.lists(dims, min_size=0, max_size=3)
                                     .map(tuple), elements=finite), min_size=1, max_size=4),
       st.integers(0, 10**6))
def test_save_load_round_trip_is_bit_exact(tmp_path_factory, params, tag):
    path = tmp_path_factory.mktemp("weights") / "model.npz"
    save_params(path, params, meta={"tag": tag})
    loaded, meta = load_params(path, expected={k: v.shape for k, v in params.items()})
    assert meta["tag"] == tag and sorted(loaded) == sorted(params)
    for key, value in params.items():
        assert loaded[key].dtype == np.float64
        # Bit for bit, signed zeros included.
        assert loaded[key].tobytes() == value.tobytes()


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=0.0, max_value=0.999), st.integers(0, 255), st.integers(0, 10**6))
def test_truncated_or_corrupted_files_are_rejected(tmp_path_factory, fraction, byte, position):
    folder = tmp_path_factory.mktemp("weights")
    path = folder / "model.npz"
    rng = np.random.default_rng(position)
    save_params(path, {"W1": rng.normal(size=(3, 4)), "b1": rng.normal(size=4)})
    data = path.read_bytes()
    cut = folder / "cut.npz"
    cut.write_bytes(data[: int(fraction * len(data))])
    with pytest.raises(WeightFileError):
        load_params(cut)
    flipped = bytearray(data)
    index = position % len(data)
    if flipped[index] == byte:
        byte = (byte + 1) % 256
    flipped[index] = byte
    damaged = folder / "damaged.npz"
    damaged.write_bytes(bytes(flipped))
    # One changed byte is either caught (zip CRC, header, shapes) or lands in padding that no
    # reader looks at: then the arrays must come back exactly as saved.
    try:
        loaded, _ = load_params(damaged)
    except WeightFileError:
        return
    original, _ = load_params(path)
    for key in original:
        assert loaded[key].tobytes() == original[key].tobytes()


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([{"a": 1}, [1, 2, 3], "text", (1, None)]))
def test_files_holding_pickled_objects_are_rejected(tmp_path_factory, obj):
    path = tmp_path_factory.mktemp("weights") / "evil.npz"
    np.savez(path, W1=np.array([obj, obj], dtype=object))
    with pytest.raises(WeightFileError):
        load_params(path)

import json
import pickle

import numpy as np
import pytest

from nnlib.serialization import (FORMAT_VERSION, META_KEY, WeightFileError, load_params,
                                 save_params)
from nnlib.model import load_model, load_weights, save_model
from nnlib.optim import SGD
from nnlib.train import fit
from nnlib.twolayer import TwoLayerNet


def params(seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(2, 3)), "b1": rng.normal(size=3),
            "W2": rng.normal(size=(3, 1)), "b2": rng.normal(size=1)}


def header(arrays, version=FORMAT_VERSION):
    return json.dumps({"format": "nnlib-params", "format_version": version,
                       "params": {k: {"shape": list(v.shape), "dtype": v.dtype.str}
                                  for k, v in arrays.items()},
                       "meta": {}})


def write_raw(path, meta_text, **arrays):
    with open(path, "wb") as file:
        np.savez(file, **{META_KEY: np.array(meta_text)}, **arrays)
    return path


def test_round_trip_is_bit_exact(tmp_path):
    original = params()
    original["W1"][0, 0] = np.nextafter(1.0, 2.0)  # a value that text formats would round
    path = save_params(tmp_path / "w.npz", original, {"layer_sizes": [2, 3, 1], "note": "é"})
    loaded, meta = load_params(path, expected={k: v.shape for k, v in original.items()})
    assert meta == {"layer_sizes": [2, 3, 1], "note": "é"}
    assert loaded.keys() == original.keys()
    for name in original:
        assert loaded[name].dtype == np.float64
        assert loaded[name].tobytes() == original[name].tobytes()


def test_path_is_kept_and_no_partial_file_is_left(tmp_path):
    save_params(tmp_path / "weights", params())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights"]
    load_params(tmp_path / "weights")


def test_missing_file(tmp_path):
    with pytest.raises(WeightFileError, match="There is no weight file 'nothing.npz'"):
        load_params(tmp_path / "nothing.npz")


def test_wrong_shape_against_the_header(tmp_path):
    arrays = params()
    text = header(arrays)
    arrays["W1"] = arrays["W1"].T.copy()
    path = write_raw(tmp_path / "w.npz", text, **arrays)
    with pytest.raises(WeightFileError, match=r"W1 in 'w.npz' has shape \(3, 2\), but the header "
                                              r"records \(2, 3\)"):
        load_params(path)


def test_wrong_shape_against_the_model(tmp_path):
    path = save_params(tmp_path / "w.npz", params())
    expected = {"W1": (2, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)}
    with pytest.raises(WeightFileError, match=r"W1 in 'w.npz' has shape \(2, 3\), but this "
                                              r"model needs \(2, 4\)"):
        load_params(path, expected=expected)
    with pytest.raises(WeightFileError, match="saved from a different kind of model"):
        load_params(path, expected={"W": (2, 3)})


def test_missing_key(tmp_path):
    arrays = params()
    text = header(arrays)
    del arrays["b2"]
    path = write_raw(tmp_path / "w.npz", text, **arrays)
    with pytest.raises(WeightFileError, match="'w.npz' is missing b2"):
        load_params(path)


def test_missing_header(tmp_path):
    path = tmp_path / "w.npz"
    with open(path, "wb") as file:
        np.savez(file, **params())
    with pytest.raises(WeightFileError, match="has no '__meta__' entry"):
        load_params(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_file(tmp_path, keep):
    path = save_params(tmp_path / "w.npz", params())
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * keep)])
    with pytest.raises(WeightFileError, match="truncated, corrupted or not an .npz archive"):
        load_params(path)


def test_corrupted_file(tmp_path):
    path = save_params(tmp_path / "w.npz", params())
    data = bytearray(path.read_bytes())
    # Flip bytes inside the first parameter's data (after its local zip header, 30 bytes plus
    # the name, and its 128-byte .npy header): the zip checksum catches it.
    import zipfile
    info = zipfile.ZipFile(path).getinfo("W1.npy")
    start = info.header_offset + 30 + len("W1.npy") + 128
    data[start:start + 8] = bytes(255 - b for b in data[start:start + 8])
    path.write_bytes(bytes(data))
    with pytest.raises(WeightFileError, match="cannot be read as a weight file"):
        load_params(path)


def test_empty_and_text_files(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    with pytest.raises(WeightFileError, match="'empty.npz' cannot be read"):
        load_params(empty)
    text = tmp_path / "w1.txt"
    np.savetxt(text, params()["W1"])
    with pytest.raises(WeightFileError):
        load_params(text)


def test_a_pickled_object_inside_the_archive_is_rejected(tmp_path):
    arrays = params()
    text = header(arrays)
    arrays["W1"] = np.array([{"payload": 1}, None], dtype=object)  # np.savez pickles this
    path = write_raw(tmp_path / "w.npz", text, **arrays)
    with pytest.raises(WeightFileError, match="contains pickled Python objects"):
        load_params(path)


def test_a_pickle_file_is_rejected(tmp_path):
    path = tmp_path / "w.npz"
    path.write_bytes(pickle.dumps(params()))
    with pytest.raises(WeightFileError, match="contains pickled Python objects"):
        load_params(path)


def test_a_single_npy_array_is_rejected(tmp_path):
    path = tmp_path / "w.npy"
    np.save(path, params()["W1"])
    with pytest.raises(WeightFileError, match="single .npy array"):
        load_params(path)


def test_wrong_dtype_and_nonfinite_values(tmp_path):
    arrays = params()
    text = header(arrays)
    path = write_raw(tmp_path / "w.npz", text, **{**arrays, "b1": np.array([1, 2, 3])})
    with pytest.raises(WeightFileError, match=r"b1 in 'w.npz' has dtype int64 \(<i8\); weight files hold little-endian float64"):
        load_params(path)
    path = write_raw(tmp_path / "w.npz", text, **{**arrays, "b1": np.array([1, np.nan, 3])})
    with pytest.raises(WeightFileError, match="b1 in 'w.npz' contains NaN"):
        load_params(path)


def test_other_format_version(tmp_path):
    arrays = params()
    path = write_raw(tmp_path / "w.npz", header(arrays, version=FORMAT_VERSION + 1), **arrays)
    with pytest.raises(WeightFileError, match="uses format version 2; this nnlib reads version 1"):
        load_params(path)
    path = write_raw(tmp_path / "w.npz", "{not json", **arrays)
    with pytest.raises(WeightFileError, match="is not valid JSON"):
        load_params(path)


@pytest.mark.parametrize("bad, message", [
    ({}, "params must be a non-empty dict"),
    ({"W 1": np.ones(2)}, "parameter names must be identifiers"),
    ({META_KEY: np.ones(2)}, "parameter names must be identifiers"),
    ({"W1": np.array([1.0, np.inf])}, "W1 contains inf"),
    ({"W1": np.array(["a"])}, "W1 must hold real numbers"),
])
def test_save_rejects_bad_params(tmp_path, bad, message):
    with pytest.raises(ValueError, match=message):
        save_params(tmp_path / "w.npz", bad)
    assert not any(tmp_path.iterdir())


def test_save_rejects_meta_that_is_not_json(tmp_path):
    with pytest.raises(ValueError, match="meta must hold only JSON values"):
        save_params(tmp_path / "w.npz", params(), {"rng": np.random.default_rng(0)})


def test_weight_file_error_is_a_value_error():
    assert issubclass(WeightFileError, ValueError)


# --- the model-level pair (nnlib.model.save_model / load_model / load_weights) ---------------

def trained_model(hidden_size=3, **kwargs):
    X = np.array([[2, 9], [1, 5], [3, 6]]) / np.array([3, 9])
    y = np.array([[0.92], [0.86], [0.89]])
    net = TwoLayerNet(2, hidden_size, 1, rng=np.random.default_rng(0), **kwargs)
    fit(net, X, y, SGD(1.0), epochs=50, metric=None)
    return net, X


def test_model_round_trip_rebuilds_sizes_and_settings(tmp_path):
    net, X = trained_model(hidden_size=4, reduction="mean", use_bias=False)
    save_model(tmp_path / "model.npz", net)
    loaded = load_model(tmp_path / "model.npz")
    assert repr(loaded) == repr(net)
    assert sorted(loaded.params) == ["W1", "W2"]  # no biases: use_bias=False survives
    for name in net.params:
        assert loaded.params[name].tobytes() == net.params[name].tobytes()
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()


def test_load_weights_into_a_model_of_another_size(tmp_path):
    net, _ = trained_model(hidden_size=3)
    save_model(tmp_path / "model.npz", net)
    other = TwoLayerNet(2, 4, 1, rng=np.random.default_rng(1))
    before = {k: v.copy() for k, v in other.params.items()}
    with pytest.raises(WeightFileError, match=r"'model.npz' holds TwoLayerNet\(input_size=2, "
                                              r"hidden_size=3.*but this model is TwoLayerNet\("
                                              r"input_size=2, hidden_size=4"):
        load_weights(other, tmp_path / "model.npz")
    for name in before:  # a failed load leaves the model untouched
        np.testing.assert_array_equal(other.params[name], before[name])
    same_size = TwoLayerNet(2, 3, 1, rng=np.random.default_rng(1))
    load_weights(same_size, tmp_path / "model.npz")
    np.testing.assert_array_equal(same_size.params["W2"], net.params["W2"])


def test_a_file_edited_to_another_size_is_caught(tmp_path):
    net, _ = trained_model(hidden_size=3)
    save_params(tmp_path / "w.npz", net.params,
                {"model": "TwoLayerNet", "config": {**net.config, "hidden_size": 4}})
    with pytest.raises(WeightFileError, match=r"W1 in 'w.npz' has shape \(2, 3\), but this model "
                                              r"needs \(2, 4\)"):
        load_model(tmp_path / "w.npz")

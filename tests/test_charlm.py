"""nnlib.charlm: counting models, the LM head loss, bits per character, sampling."""

import math

import numpy as np
import pytest

from nnlib.charlm import NGramModel, bits_per_character, lm_head_loss, sample
from nnlib.gradcheck import numerical_gradient, relative_error
from nnlib.lstm import LSTM
from nnlib.rnn import RNN

IDS = np.array([0, 1, 0, 1, 2, 0, 1, 0])  # "abab cab a" in ids 0..2, V = 3


def test_unigram_probabilities_by_hand():
    model = NGramModel(1, 3, alpha=3.0).fit(IDS)
    # counts a=4, b=3, c=1 of 8; P(c) = (count + alpha / V) / (8 + alpha)
    np.testing.assert_allclose(model.next_proba([]), [(4 + 1) / 11, (3 + 1) / 11, (1 + 1) / 11])
    log2 = model.log2_proba(IDS)
    assert log2.shape == (len(IDS) - 1,)
    np.testing.assert_allclose(log2[0], math.log2(4 / 11))  # IDS[1] = b


def test_bigram_backs_off_to_the_unigram():
    alpha = 2.0
    model = NGramModel(2, 3, alpha).fit(IDS)
    unigram = (np.array([4, 3, 1]) + alpha / 3) / (8 + alpha)
    # after "a" (id 0): the pairs seen are a->b three times (the last a ends the text)
    after_a = (np.array([0, 3, 0]) + alpha * unigram) / (3 + alpha)
    np.testing.assert_allclose(model.next_proba([2, 0]), after_a)
    assert model.log2_proba(IDS)[0] == pytest.approx(math.log2(after_a[1]))
    # an unseen context falls back to the unigram entirely
    model_c = NGramModel(2, 4, alpha).fit(IDS)
    np.testing.assert_allclose(model_c.next_proba([3]), (np.array([4, 3, 1, 0]) + alpha / 4)
                               / (8 + alpha))


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_every_distribution_sums_to_one_and_agrees_with_log2_proba(order):
    rng = np.random.default_rng(order)
    ids = rng.integers(0, 5, size=300)
    model = NGramModel(order, 5, alpha=0.7).fit(ids)
    text = rng.integers(0, 5, size=40)
    log2 = model.log2_proba(text)
    for t in range(1, len(text)):
        p = model.next_proba(text[max(0, t - order + 1):t])
        assert p.sum() == pytest.approx(1.0)
        assert log2[t - 1] == pytest.approx(math.log2(p[text[t]]))


def test_more_context_fits_the_training_text_better():
    rng = np.random.default_rng(0)
    ids = np.tile(rng.integers(0, 6, size=50), 20)  # a repeated phrase: context predicts it
    bits = [bits_per_character(NGramModel(n, 6, 0.1).fit(ids), ids, 100) for n in (1, 2, 3)]
    assert bits[0] > bits[1] > bits[2]
    assert bits[0] < math.log2(6) + 1e-9


def test_ngram_rejects_bad_settings_and_unfitted_use():
    with pytest.raises(ValueError, match="order must be an integer in the range"):
        NGramModel(0, 3)
    with pytest.raises(ValueError, match="alpha must be a number > 0"):
        NGramModel(2, 3, alpha=0)
    with pytest.raises(ValueError, match="has not been fitted"):
        NGramModel(2, 3).next_proba([0])
    with pytest.raises(ValueError, match=r"ids must hold class labels 0 \.\. 2"):
        NGramModel(2, 3).fit([0, 5])


def test_lm_head_loss_known_value_and_gradient_check():
    rng = np.random.default_rng(1)
    hidden, V, c = rng.normal(size=(2, 3, 4)), rng.normal(size=(4, 5)), rng.normal(size=5)
    targets = rng.integers(0, 5, size=(2, 3))
    loss, dhidden, dV, dc = lm_head_loss(hidden, V, c, targets)
    z = hidden @ V + c
    log_p = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    expected = -np.mean(np.take_along_axis(log_p, targets[..., None], axis=-1))
    assert loss == pytest.approx(expected, rel=1e-12)
    for got, value in ((dhidden, hidden), (dV, V), (dc, c)):
        numeric = numerical_gradient(lambda: lm_head_loss(hidden, V, c, targets)[0], value)
        assert relative_error(got, numeric) < 1e-7


def test_lm_head_loss_is_stable_and_checks_shapes():
    hidden = np.ones((1, 2, 1))
    loss, *_ = lm_head_loss(hidden, np.array([[1000.0, 0.0]]), np.zeros(2), [[1, 0]])
    assert loss == pytest.approx(500.0)
    with pytest.raises(ValueError, match="targets must hold class labels"):
        lm_head_loss(hidden, np.ones((1, 2)), np.zeros(2), [[2, 0]])
    with pytest.raises(ValueError, match="V"):
        lm_head_loss(hidden, np.ones((3, 2)), np.zeros(2), [[1, 0]])


def language_model(cell, V=5, H=4, truncate=None, seed=0):
    kind = {"lstm": LSTM, "rnn": RNN}[cell]
    return kind(V, H, rng=np.random.default_rng(seed), head="softmax", output="sequence",
                output_size=V, truncate=truncate)


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_the_language_model_loss_passes_a_gradient_check(cell):
    rng = np.random.default_rng(2)
    ids = rng.integers(0, 5, size=(3, 7))
    X, y = np.eye(5)[ids], rng.integers(0, 5, size=(3, 7))
    model = language_model(cell)
    _, grads = model.loss_and_grads(X, y)
    for key, value in model.params.items():
        numeric = numerical_gradient(lambda: model.loss(X, y), value)
        assert relative_error(grads[key], numeric) < 1e-7, key


@pytest.mark.parametrize("cell", ["lstm", "rnn"])
def test_bits_per_character_of_a_network_is_its_loss_in_bits(cell):
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 5, size=61)
    model = language_model(cell)
    X, y = np.eye(5)[ids[:60].reshape(6, 10)], ids[1:61].reshape(6, 10)
    expected = model.loss(X, y) / math.log(2)
    assert bits_per_character(model, ids, 10, batch_size=4) == pytest.approx(expected, rel=1e-12)
    # an untrained network is close to uniform: log2 V bits
    assert abs(bits_per_character(model, ids, 10) - math.log2(5)) < 0.5


@pytest.mark.parametrize("cell", ["lstm", "rnn", "ngram"])
def test_sampling_is_deterministic_for_a_seed(cell):
    model = (NGramModel(3, 5).fit(np.random.default_rng(0).integers(0, 5, 200))
             if cell == "ngram" else language_model(cell))
    runs = [sample(model, [1, 2], 50, rng=np.random.default_rng(7), temperature=0.8)
            for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0].shape == (50,) and runs[0].dtype == np.int64
    assert runs[0].min() >= 0 and runs[0].max() < 5
    other = sample(model, [1, 2], 50, rng=np.random.default_rng(8), temperature=0.8)
    assert not np.array_equal(runs[0], other)


def test_sampling_follows_the_network_step_by_step():
    # temperature 0 picks the argmax of predict_proba at every step of the growing text
    model = language_model("lstm", V=6, H=8, seed=4)
    prime = np.array([1, 3, 5])
    written = sample(model, prime, 12, rng=np.random.default_rng(0), temperature=0)
    text = list(prime)
    for char in written:
        probabilities = model.predict_proba(np.eye(6)[text][None])
        assert probabilities.shape == (1, len(text), 6)
        assert char == int(np.argmax(probabilities[0, -1]))
        text.append(char)


def test_temperature_sharpens_and_flattens_the_sample():
    ids = np.random.default_rng(1).integers(0, 8, 2000)
    model = NGramModel(1, 8, 1.0).fit(np.concatenate([ids, np.zeros(4000, dtype=int)]))
    cold = sample(model, [0], 400, rng=np.random.default_rng(0), temperature=0.3)
    hot = sample(model, [0], 400, rng=np.random.default_rng(0), temperature=3.0)
    assert np.mean(cold == 0) > 0.95 > np.mean(hot == 0)
    assert (sample(model, [0], 20, rng=np.random.default_rng(0), temperature=0) == 0).all()


def test_sample_rejects_bad_arguments():
    model = language_model("rnn")
    with pytest.raises(ValueError, match="prime must hold at least one character"):
        sample(model, [], 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="temperature must be a number >= 0"):
        sample(model, [1], 5, rng=np.random.default_rng(0), temperature=-1)
    with pytest.raises(ValueError, match="rng must be a np.random.Generator"):
        sample(model, [1], 5, rng=0)
    with pytest.raises(ValueError, match="model must be a fitted NGramModel, or an RNN or LSTM"):
        sample(RNN(2, 3, rng=np.random.default_rng(0), head="sigmoid"), [1], 5,
               rng=np.random.default_rng(0))


def test_truncation_changes_the_gradient_but_not_the_loss():
    rng = np.random.default_rng(5)
    X, y = np.eye(5)[rng.integers(0, 5, (2, 12))], rng.integers(0, 5, (2, 12))
    full, cut = language_model("lstm"), language_model("lstm", truncate=2)
    loss_full, grads_full = full.loss_and_grads(X, y)
    loss_cut, grads_cut = cut.loss_and_grads(X, y)
    assert loss_full == loss_cut
    np.testing.assert_array_equal(grads_full["V"], grads_cut["V"])  # the head is not recurrent
    assert not np.allclose(grads_full["Wh"], grads_cut["Wh"])


def test_the_benchmark_runs_in_its_quick_mode():
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, str(root / "benchmarks" / "char_lm.py"), "--quick",
                             "--peers", "nnlib"], capture_output=True, text=True, cwd=root,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "V=96, H=64, batch 32 x 128 characters" in result.stdout
    assert "time per update: nnlib" in result.stdout
    assert "sampling: nnlib" in result.stdout and "characters/s" in result.stdout

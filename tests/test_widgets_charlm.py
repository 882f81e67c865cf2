"""Notebook 10's sampling explorer: samples once when built, resamples on every change."""

import numpy as np
import pytest

from course.widgets.charlm import SampleExplorer, first_distribution
from nnlib.charlm import sample
from nnlib.data.text import Vocabulary
from nnlib.lstm import LSTM

VOCABULARY = Vocabulary("abcdef ()\n")


@pytest.fixture()
def explorer():
    model = LSTM(VOCABULARY.size, 6, rng=np.random.default_rng(0), head="softmax",
                 output="sequence", output_size=VOCABULARY.size)
    return SampleExplorer(model, VOCABULARY, prime="abc", temperature=1.0, length=40, seed=3)


def test_builds_and_samples_what_sample_writes(explorer):
    expected = VOCABULARY.decode(sample(explorer.model, VOCABULARY.encode("abc"), 40,
                                        rng=np.random.default_rng(3)))
    assert explorer.text == expected and len(expected) == 40
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert explorer._repr_mimebundle_()[0]["text/plain"] == SampleExplorer.description


def test_each_control_resamples(explorer):
    first = explorer.text
    explorer.length.value = 60
    assert len(explorer.text) == 60 and explorer.text.startswith(first[:10])
    explorer.prime.value = "(a"
    assert explorer.text != first[:60] and "<b>(a</b>" in explorer.status.value
    explorer.temperature.value = 0.0
    assert explorer.text == VOCABULARY.decode(sample(
        explorer.model, VOCABULARY.encode("(a"), 60, rng=np.random.default_rng(3), temperature=0))


def test_an_unknown_character_in_the_prime_is_shown_not_raised(explorer):
    explorer.prime.value = "xyz"
    assert "outside the vocabulary" in explorer.status.value
    explorer.prime.value = ""
    assert "at least one character" in explorer.status.value


def test_the_first_distribution_sharpens_with_the_temperature(explorer):
    ids = VOCABULARY.encode("ab")
    base = first_distribution(explorer.model, ids, 1.0)
    assert base.sum() == pytest.approx(1.0)
    cold, hot = first_distribution(explorer.model, ids, 0.2), first_distribution(
        explorer.model, ids, 2.0)
    assert cold.max() > base.max() > hot.max()
    assert first_distribution(explorer.model, ids, 0.0).max() == 1.0

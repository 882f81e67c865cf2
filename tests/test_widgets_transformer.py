"""Notebook 11's head explorer: draws once when built, redraws for every position."""

import numpy as np
import pytest

from course.widgets.transformer import HeadExplorer
from nnlib.data.text import Vocabulary
from nnlib.transformer import Transformer

VOCABULARY = Vocabulary("abcdef ()\n")


@pytest.fixture()
def explorer():
    model = Transformer(VOCABULARY.size, 12, embed_size=8, heads=2, layers=2,
                        rng=np.random.default_rng(0))
    return HeadExplorer(model, VOCABULARY, "ab(cd)\nef", position=4)


def test_builds_and_shows_the_model_weights(explorer):
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert "position 4 reads 'd'" in explorer.status.value
    ids = VOCABULARY.encode("ab(cd)\nef")
    np.testing.assert_array_equal(explorer.maps, explorer.model.attention_maps(ids[None])[:, 0])
    assert explorer._repr_mimebundle_()[0]["text/plain"] == HeadExplorer.description


def test_moving_the_position_redraws(explorer):
    first = explorer.plot.value
    explorer.position.value = 8
    assert "position 8 reads 'f'" in explorer.status.value and explorer.plot.value != first


def test_a_passage_longer_than_the_context_is_refused():
    model = Transformer(VOCABULARY.size, 4, embed_size=4, heads=1, layers=1,
                        rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="passage"):
        HeadExplorer(model, VOCABULARY, "abcdef")

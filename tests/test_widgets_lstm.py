import pytest

from course.widgets.lstm import LagExplorer


@pytest.fixture(scope="module")
def explorer():
    return LagExplorer(lag=5, hidden_size=4, cell="lstm", epochs=3)


def test_builds_and_trains_once(explorer):
    assert len(explorer.runs) == 1
    assert explorer.runs[0]["label"] == "LSTM, T=5, H=4"
    assert "LSTM, T=5, H=4:" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"
    assert explorer.progress.value == explorer.progress.max == 3


def test_switching_the_cell_retrains_and_keeps_the_earlier_run(explorer):
    before = explorer.plot.value
    explorer.cell.value = "plain RNN"
    assert [run["label"] for run in explorer.runs] == ["LSTM, T=5, H=4",
                                                      "plain RNN (tanh), T=5, H=4"]
    assert explorer.plot.value != before
    explorer.lag.value = 10
    explorer.hidden.value = 3
    assert len(explorer.runs) == 3  # keep=3: the oldest goes next
    explorer.lag.value = 15
    assert len(explorer.runs) == 3 and explorer.runs[0]["label"].startswith("plain RNN")


def test_plain_text_is_fixed(explorer):
    bundle = explorer._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("LagExplorer: move 'lag T'")
    assert repr(explorer).startswith("LagExplorer(lag=")

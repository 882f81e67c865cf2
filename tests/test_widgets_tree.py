import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnlib.optim import Adam  # noqa: E402
from course.plotting.tree import draw_tree, plot_accuracy_by_depth, tree_layout  # noqa: E402
from nnlib.train import fit  # noqa: E402
from nnlib.tree import TreeNet  # noqa: E402
from nnlib.data import LISTOPS_VOCAB, make_listops, parse  # noqa: E402
from course.widgets.tree import TreeExplorer  # noqa: E402


@pytest.fixture(scope="module")
def trained():
    trees, y, _, _ = make_listops(300, [1, 2], rng=np.random.default_rng(0), operators=("MAX",))
    model = TreeNet(LISTOPS_VOCAB, 16, 10, rng=np.random.default_rng(1))
    fit(model, trees, y, Adam(0.02), 15, batch_size=32, rng=np.random.default_rng(2))
    return model


def test_explorer_shows_value_transitions_and_prediction(trained):
    explorer = TreeExplorer(trained, "[MAX 2 9 ]")
    assert explorer.value == 9 and explorer.predicted == 9
    assert "<code>S S R S R S R</code>" in explorer.status.value
    assert "7 = 2 &times; 4 tokens" in explorer.status.value
    assert explorer.plot.value[:4] == b"\x89PNG"


def test_typing_updates_and_bad_text_is_explained(trained):
    explorer = TreeExplorer(trained)
    png = explorer.plot.value
    explorer.text.value = "[MAX 1 [MAX 3 8 ] ]"
    assert explorer.value == 8 and "nesting depth 2" in explorer.status.value
    assert explorer.plot.value != png
    explorer.text.value = "[MAX 1 2"
    assert explorer.value is None and "text must hold exactly one complete list" in \
        explorer.status.value
    assert repr(explorer) == "TreeExplorer(text='[MAX 1 2')"


def test_example_slider_loads_an_expression(trained):
    explorer = TreeExplorer(trained, "[MAX 1 2 ]", examples=["[MAX 1 2 ]", "[MAX 7 [MAX 3 4 ] ]"])
    explorer.example.value = 1
    assert explorer.text.value == "[MAX 7 [MAX 3 4 ] ]" and explorer.value == 7


def test_unknown_token_is_explained():
    model = TreeNet(["[MAX", "]", "1"], 4, 10, rng=np.random.default_rng(0))
    explorer = TreeExplorer(model, "[MAX 1 2 ]")
    assert "no embedding for 2" in explorer.status.value


def test_plain_text_form_is_stable(trained):
    bundle = TreeExplorer(trained)._repr_mimebundle_()[0]
    assert bundle["text/plain"].startswith("TreeExplorer: type a ListOps expression")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_layout_and_figures():
    nodes = tree_layout(parse("( ( a b ) c )"))
    assert [(x, y) for x, y, _, _ in nodes] == [(0, 0), (1, 0), (0.5, 1), (2, 0), (1.25, 2)]
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2)
    draw_tree(parse("( ( a b ) c )"), axes[0])
    plot_accuracy_by_depth([1, 2, 3], {"tree": [1, 0.9, 0.8]}, [1, 2], axes[1], chance=0.1,
                           ranges={"tree": ([0.9, 0.8, 0.7], [1, 1, 0.9])},
                           this_run={"tree": [1, 0.85, 0.8]})
    assert "this notebook's run" in [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert axes[0].get_title() == "3 tokens, 2 levels"
    plt.close(fig)

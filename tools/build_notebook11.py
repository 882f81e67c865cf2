"""Write notebooks/11_attention_transformer.ipynb from the cells below (no outputs).

    python3 tools/build_notebook11.py && python3 tasks.py refresh 11_attention_transformer

The notebook's text lives here so that it can be reviewed as a diff; outputs come only from
``tasks.py refresh``.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "notebooks" / "11_attention_transformer.ipynb"
CELLS: list[tuple[str, str, dict]] = []


def md(text: str) -> None:
    CELLS.append(("markdown", text.strip("\n"), {"tags": []}))


def code(text: str, tags=(), nbgrader: dict | None = None) -> None:
    metadata = {"tags": list(tags)}
    if nbgrader:
        metadata["nbgrader"] = dict(nbgrader, schema_version=3)
    CELLS.append(("code", text.strip("\n"), metadata))


def solution(grade_id: str) -> dict:
    return {"grade": False, "grade_id": grade_id, "locked": False, "solution": True,
            "task": False}


def graded(grade_id: str, points: int) -> dict:
    return {"grade": True, "grade_id": grade_id, "locked": True, "points": points,
            "solution": False, "task": False}


md(r"""
# 11 · Attention and the transformer: from the Hopfield update to a small GPT

**What you will build.** Notebook 08 ended on a remark: one step of the modern Hopfield network,
$\xi \leftarrow X^\top \operatorname{softmax}(\beta X \xi)$, is the attention of a transformer.
Here that remark becomes a model. You will

1. go from the Hopfield update to **scaled dot-product attention** with learned queries, keys
   and values, and measure why the transformer picks $\beta = 1/\sqrt{d}$ (sections 1–2);
2. add the **causal mask** that lets every position of a text see only its past (section 3);
3. derive the backward pass of attention and of **layer normalisation** yourself, graded, and
   check both against numerical gradients (sections 4–5);
4. assemble heads, embeddings, the MLP and residual connections into a small decoder-only
   transformer, `nnlib.transformer.Transformer`, and gradient-check all of it (section 6);
5. train it on chapter 10's corpus (Python source) and compare its held-out **bits per
   character** with chapter 10's LSTM at the same parameter count and the same training time
   (section 7);
6. look inside: what each head attends to, **measured** (section 8), and sample from both
   models with a **key/value cache** (section 9).

The first code cell holds the parameters (papermill can change them).
""")

code(r"""
seed: int = 0  # seed of the live training run and of the samples
live_updates: int = 8  # Adam updates of the live run of section 7 (0 to 200)
temperature: float = 0.8  # sampling temperature of section 9 (0 means always the likeliest)
""", tags=["parameters"])

code(r"""
import hashlib
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import nnlib
from nnlib import fmt
from nnlib.gradcheck import numerical_gradient, relative_error
from course.notebook import check_papermill_parameters

check_papermill_parameters()  # a misspelt papermill -p NAME stops here
seed = nnlib.check_number("seed", seed, minimum=0, integer=True)
live_updates = nnlib.check_number("live_updates", live_updates, minimum=0, maximum=200,
                                  integer=True)
temperature = nnlib.check_number("temperature", temperature, minimum=0, maximum=5)
print(f"seed={seed}, live_updates={live_updates}, temperature={temperature}")
""")

md(r"""
## 1 · From the Hopfield update to attention

In notebook 08 the stored patterns were the rows of $X$ (shape $(P, N)$) and one step of the
modern Hopfield network moved a probe $\xi$ to

$$\xi \leftarrow X^\top \operatorname{softmax}(\beta X \xi),$$

a weighted average of the patterns, weighted by how well each matches the probe. Write it for
$B$ probes at once, as rows of a matrix $Q$ (shape $(B, N)$):
$\operatorname{softmax}(\beta\, Q X^\top)\, X$. Three roles hide in it. The probe asks
(**query**); a pattern is compared with the query (**key**); a pattern is what comes back
(**value**). In the Hopfield network one matrix plays both key and value. Give each role its own
learned linear map of the inputs,

$$Q = X W_Q,\quad K = X W_K,\quad V = X W_V,\qquad
\operatorname{attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{Q K^\top}{\sqrt d}\Big) V,$$

and let the inputs be the sequence itself (every position is a query, and a key and a value for
the others): this is the **self-attention** of Vaswani et al. (2017). A memory whose patterns
are the text read so far, queried at every position. `nnlib.attention.attention_forward(Q, K,
V, causal)` takes $(N, \text{heads}, T, d)$ arrays, batch first, heads as an axis. With the
identity maps and $\beta = 1/\sqrt{d}$ it is notebook 08's update, number for number:
""")

code(r"""
from nnlib.attention import attention_forward
from nnlib.hopfield import modern_recall

rng = np.random.default_rng(seed)
patterns = np.sign(rng.normal(size=(20, 16)))          # P = 20 stored patterns, N = d = 16
probes = patterns[:3] * np.where(rng.random((3, 16)) < 0.2, -1, 1)  # 20 % of bits flipped
hopfield_step = modern_recall(patterns, probes, beta=1 / np.sqrt(16))
attended, _ = attention_forward(probes[None, None], patterns[None, None], patterns[None, None],
                                causal=False)
print("largest difference, Hopfield step - attention:",
      fmt(np.max(np.abs(hopfield_step - attended[0, 0])), 3))
""")

md(r"""
## 2 · Why $\beta = 1/\sqrt{d}$

If the entries of a query and a key are independent with mean 0 and variance 1, their dot
product $q \cdot k = \sum_{i=1}^{d} q_i k_i$ has variance $d$: the scores spread out as $\sqrt d$.
A softmax of scores that far apart puts almost all its weight on the largest one. It
**saturates**: its output is nearly one-hot and its gradient nearly zero (the softmax's Jacobian
$\operatorname{diag}(p) - p p^\top$ vanishes at a one-hot $p$), so the keys that lose learn
nothing. Dividing by $\sqrt d$ gives the scores variance 1 at every $d$. Measure it: 64 keys,
random queries and keys with unit-variance entries, the mean over 200 queries of the largest
weight in a row.
""")

code(r"""
from nnlib.losses import softmax
from course.plotting.transformer import plot_saturation

dims = [2, 4, 8, 16, 32, 64, 128, 256]
keys = 64
top = {"unscaled": [], "scaled": []}
for d in dims:
    Q_sat = rng.normal(size=(200, d))
    K_sat = rng.normal(size=(keys, d))
    scores = Q_sat @ K_sat.T
    top["unscaled"].append(softmax(scores).max(axis=1).mean())
    top["scaled"].append(softmax(scores / np.sqrt(d)).max(axis=1).mean())
for d, unscaled, scaled in zip(dims, top["unscaled"], top["scaled"]):
    print(f"d = {d:3d}: largest weight, beta = 1: {fmt(unscaled, 3)}   beta = 1/sqrt(d): "
          f"{fmt(scaled, 3)}")
ax = plot_saturation(dims, top, 1 / keys)
plt.show()
""")

md(r"""
With $\beta = 1$ the largest weight grows with $d$, from 0.158 at $d = 2$ to 0.903 at $d = 256$:
at the key sizes transformers use ($d = 64$ in Vaswani et al.) a row is nearly one-hot before
anything has been learned, and the other keys get almost no gradient. With $\beta = 1/\sqrt d$
it stays between 0.09 and 0.12 at every $d$: the scores have variance 1 whatever $d$ is, and the
weight is spread over many keys (uniform would be $1/64 \approx 0.016$, the dotted line). This
is the scale of Vaswani et al., and the dotted line $\beta = 1/\sqrt N$ of notebook 08's
section 8.
""")

md(r"""
## 3 · The causal mask

A language model predicts the character at position $t + 1$ from the characters up to $t$. If
position $t$ could attend to $t + 1$, it would read the answer. The **causal mask** adds
$-\infty$ to every score of a key in a query's future before the softmax; $e^{-\infty} = 0$, so
those keys get weight exactly 0 and the rest of the row still sums to 1:

$$S = \frac{Q K^\top}{\sqrt d} + M,\qquad M_{ij} = \begin{cases} 0 & j \le i \\ -\infty & j > i
\end{cases},\qquad P = \operatorname{softmax}(S),\qquad \text{out} = P V.$$

(`nnlib.attention.causal_mask(T_q, T_k)` also handles fewer queries than keys, for section 9.)
The weights of one head on 5 positions, and a test that the mask really masks: change the keys
and values of the last two positions and compare the outputs of the first three.
""")

code(r"""
Q5, K5, V5 = (rng.normal(size=(1, 1, 5, 4)) for _ in range(3))
out5, cache5 = attention_forward(Q5, K5, V5, causal=True)
print("attention weights P (row = query position, column = key position):")
for row in cache5.P[0, 0]:
    print(" ", fmt(row, 3))
K5_changed, V5_changed = K5.copy(), V5.copy()
K5_changed[:, :, 3:] += 5.0
V5_changed[:, :, 3:] -= 5.0
out5_changed, _ = attention_forward(Q5, K5_changed, V5_changed, causal=True)
print("positions 0-2 unchanged:", np.array_equal(out5[:, :, :3], out5_changed[:, :, :3]),
      "| positions 3-4 changed:", not np.allclose(out5[:, :, 3:], out5_changed[:, :, 3:]))
""")

md(r"""
## 4 · Attention backwards

The forward pass, for one head of one example (the batch and head axes just come along):

$$S = s\, Q K^\top \;(+M),\qquad P = \operatorname{softmax}_{\text{row}}(S),\qquad
\text{out} = P V,\qquad s = 1/\sqrt d .$$

Go backwards one line at a time, from $\partial L/\partial\,\text{out}$ = `dout`:

- $\text{out} = P V$ is a matrix product: $dP = \text{dout}\, V^\top$ and $dV = P^\top \text{dout}$.
- The softmax of a row: $p_j = e^{S_j} / \sum_k e^{S_k}$ gives $\partial p_j / \partial S_k =
  p_j(\delta_{jk} - p_k)$, so $dS_k = \sum_j dP_j\, p_j(\delta_{jk} - p_k) = p_k\,(dP_k - \sum_j
  p_j\, dP_j)$. A masked key has $p_k = 0$ and so gets no gradient: the mask is a constant.
- $S = s\, Q K^\top$: $dQ = s\, dS\, K$ and $dK = s\, dS^\top Q$.

**Exercise 1 (3 points): the attention backward pass.** Write `attention_backward(dout, cache)`
returning `(dQ, dK, dV)` for `attention_forward`. `cache` is the named tuple
`AttentionCache(Q, K, V, P, scale)`: the inputs, the weights $P$ (shape $(N, \text{heads}, T_q,
T_k)$) and $s$. Use `A.swapaxes(-1, -2)` to transpose the last two axes of a stack of matrices;
`@` multiplies stacks. Do not call `nnlib.attention.attention_backward` (the check refuses it).
""")

code(r"""
def attention_backward(dout, cache):
    Q, K, V, P, scale = cache
    ### BEGIN SOLUTION
    dV = P.swapaxes(-1, -2) @ dout
    dP = dout @ V.swapaxes(-1, -2)
    dS = P * (dP - np.sum(dP * P, axis=-1, keepdims=True))
    return (dS @ K) * scale, (dS.swapaxes(-1, -2) @ Q) * scale, dV
    ### END SOLUTION
""", nbgrader=solution("attention_backward"))

code(r"""
from course.checks.transformer import check_attention_backward

check_attention_backward(attention_backward)
### BEGIN HIDDEN TESTS
check_attention_backward(attention_backward, hidden=True)
### END HIDDEN TESTS
""", nbgrader=graded("check_attention_backward", 3))

md(r"""
**Check it against numerical gradients.** For the scalar $L = \sum \text{dout} \odot
\text{out}$ with a random `dout`, the gradient with respect to each input is what
`attention_backward(dout, cache)` returns; central differences in float64 must agree (2
examples, 2 heads, 5 positions, $d = 3$):
""")

code(r"""
Qg, Kg, Vg = (rng.normal(size=(2, 2, 5, 3)) for _ in range(3))
dout_g = rng.normal(size=(2, 2, 5, 3))
_, cache_g = attention_forward(Qg, Kg, Vg, causal=True)
for name, array, grad in zip(("dQ", "dK", "dV"), (Qg, Kg, Vg),
                             attention_backward(dout_g, cache_g)):
    numeric = numerical_gradient(
        lambda: float(np.sum(attention_forward(Qg, Kg, Vg, causal=True)[0] * dout_g)), array)
    print(f"{name}: relative error {nnlib.fmt_sci(relative_error(grad, numeric))}")
""")

md(r"""
## 5 · Layer normalisation

A transformer's residual stream passes through many sums; **layer normalisation** (Ba, Kiros and
Hinton, 2016) rescales each position's $D$ features to mean 0 and variance 1 before every
attention and MLP, then applies a learned gain $\gamma$ and shift $\beta$ (a vector here, not
section 2's inverse temperature):

$$\mu = \frac1D \sum_i x_i,\quad \sigma^2 = \frac1D \sum_i (x_i - \mu)^2,\quad
\hat x_i = \frac{x_i - \mu}{\sqrt{\sigma^2 + \epsilon}},\quad \text{out}_i = \gamma_i \hat x_i +
\beta_i .$$

Unlike batch normalisation it uses no statistics across examples, so it works the same at batch
size 1, at every position of a sequence, in training and in sampling. Backwards: $d\beta$ and
$d\gamma$ sum `dout` and `dout` $\odot\, \hat x$ over every position. For $dX$, write
$g = \text{dout} \odot \gamma$ (the gradient reaching $\hat x$) and remember that $\mu$ and
$\sigma^2$ are functions of every $x_i$ of the position.

**Exercise 2 (3 points): the layer-norm backward pass.** Write `layernorm_backward(dout, cache)`
returning `(dX, dgamma, dbeta)` for `nnlib.attention.layernorm_forward(X, gamma, beta, eps)`,
which normalises the last axis of an $(N, T, D)$ input. `cache` is `LayerNormCache(X_hat,
inv_std, gamma)` with `inv_std` $= 1/\sqrt{\sigma^2 + \epsilon}$ of shape $(N, T, 1)$. Derive
$dX$ from the forward pass; the result fits in one line of NumPy.
""")

code(r"""
def layernorm_backward(dout, cache):
    X_hat, inv_std, gamma = cache
    ### BEGIN SOLUTION
    D = X_hat.shape[-1]
    g = dout * gamma
    dX = inv_std * (g - g.mean(axis=-1, keepdims=True)
                    - X_hat * np.mean(g * X_hat, axis=-1, keepdims=True))
    return dX, (dout * X_hat).reshape(-1, D).sum(axis=0), dout.reshape(-1, D).sum(axis=0)
    ### END SOLUTION
""", nbgrader=solution("layernorm_backward"))

code(r"""
from course.checks.transformer import check_layernorm_backward

check_layernorm_backward(layernorm_backward)
### BEGIN HIDDEN TESTS
check_layernorm_backward(layernorm_backward, hidden=True)
### END HIDDEN TESTS
""", nbgrader=graded("check_layernorm_backward", 3))

md(r"""
The worked answer: with $\hat x = (x - \mu)\, r$, $r = (\sigma^2 + \epsilon)^{-1/2}$,
$\partial \mu / \partial x_i = 1/D$ and $\partial \sigma^2 / \partial x_i = 2 (x_i - \mu)/D$,
the chain rule through $\hat x_j$ gives

$$dx_i = r\Big(g_i - \frac1D \sum_j g_j - \hat x_i \frac1D \sum_j g_j \hat x_j\Big):$$

the gradient $g$ with its mean removed (the shift does not matter) and its component along
$\hat x$ removed (the scale does not matter), divided by the standard deviation. Numerical check:
""")

code(r"""
from nnlib.attention import layernorm_forward

X_ln = rng.normal(2.0, 3.0, size=(2, 3, 6))
gamma_ln, beta_ln, dout_ln = rng.normal(size=6), rng.normal(size=6), rng.normal(size=(2, 3, 6))
_, cache_ln = layernorm_forward(X_ln, gamma_ln, beta_ln)
for name, array, grad in zip(("dX", "dgamma", "dbeta"), (X_ln, gamma_ln, beta_ln),
                             layernorm_backward(dout_ln, cache_ln)):
    numeric = numerical_gradient(
        lambda: float(np.sum(layernorm_forward(X_ln, gamma_ln, beta_ln)[0] * dout_ln)), array)
    print(f"{name}: relative error {nnlib.fmt_sci(relative_error(grad, numeric))}")
""")

md(r"""
## 6 · The rest of the transformer, and the nnlib version

The other pieces live in `nnlib.attention` beside the two you wrote, each with its backward:

- **Heads.** One attention with $d = D$ would compare queries and keys in one way only.
  `split_heads(X, heads)` reshapes $(N, T, D)$ to $(N, \text{heads}, T, D/\text{heads})$: each
  head gets its own slice of the projected features and its own softmax; `merge_heads` puts
  them back side by side. A reshape moves gradients back unchanged, so each is the other's
  backward. The three projections are one affine map $W_{QKV}$ of shape $(D, 3D)$.
- **Embeddings.** Characters enter as ids; `embedding_forward(ids, table)` picks rows of a
  $(V, D)$ table (one-hot times the table, without the zeros). Attention itself ignores order
  (permute the keys and values together and each output stays the same), so a learned
  **position embedding**, one row per position $0 \dots T-1$, is added. Its backward adds each
  `dout` row into the row that was picked (`np.add.at`: a character used twice gets both).
- **The MLP**, $\operatorname{relu}(x W_1 + b_1) W_2 + b_2$ at every position. GPT uses GELU
  (Hendrycks and Gimpel, 2016), a smooth ReLU; here it is ReLU, which nnlib already has with an
  exact gradient, and at this size the two train alike (exercise 3 lets you check).
- **Residual connections**, $x + f(\text{layernorm}(x))$ (pre-norm, as in GPT-2 and
  nanoGPT): the gradient reaches $x$ both through $f$ and around it, and the two add. The
  identity path carries the gradient through every block undiminished, as the LSTM's cell did
  in notebook 07.

A block is $A = X + \text{attention}(\text{LN}_1(X))$, then $A + \text{MLP}(\text{LN}_2(A))$;
`nnlib.transformer.Transformer` stacks `layers` blocks between the embeddings and a final layer
norm and affine map to the $V$ logits. It follows the course's model protocol: integer ids
$X$ $(N, T)$ in, `predict_proba` $(N, T, V)$ out, the loss a mean cross-entropy over the $N T$
positions, trained with `nnlib.train.fit`. First, your two functions against the library's, and
then every parameter of a small model (2 blocks, $D = 8$, 2 heads) against central differences:
""")

code(r"""
from nnlib import attention as attention_lib
from nnlib.transformer import Transformer

print("attention_backward = nnlib's:", all(np.allclose(a, b) for a, b in zip(
    attention_backward(dout_g, cache_g), attention_lib.attention_backward(dout_g, cache_g))))
print("layernorm_backward = nnlib's:", all(np.allclose(a, b) for a, b in zip(
    layernorm_backward(dout_ln, cache_ln), attention_lib.layernorm_backward(dout_ln, cache_ln))))

small = Transformer(7, 6, embed_size=8, heads=2, layers=2, mlp_size=12,
                    rng=np.random.default_rng(seed))
X_small, y_small = rng.integers(0, 7, size=(3, 5)), rng.integers(0, 7, size=(3, 5))
_, grads_small = small.loss_and_grads(X_small, y_small)
worst = max(relative_error(grads_small[key],
                           numerical_gradient(lambda: small.loss(X_small, y_small), value))
            for key, value in small.params.items())
print(f"{len(small.params)} parameter arrays, largest relative error {nnlib.fmt_sci(worst)}")
""")

md(r"""
## 7 · Training on chapter 10's corpus, against chapter 10's LSTM

Chapter 10's corpus is Python standard-library source (its checksum is verified on loading),
split by position: the first 90 % trains, the next 5 % validates, the last 5 % tests. The
transformer sees **64 characters** of context, embeds them in $D = 40$ dimensions, and runs 2
blocks of 4 heads ($d = 10$) with an MLP 144 wide; that width was chosen so that it has as many
parameters as chapter 10's LSTM (64 units). The shipped runs (`tools/transformer_train.py`,
seed 0, Adam with learning rate 0.003 and clipping at 1, batches of 32 windows) train the
transformer for 500 updates, timed in CPU seconds, and then chapter 10's LSTM (its settings: windows of 128
characters, learning rate 0.01) **for the same training time** (CPU seconds of one core: a fair clock on a shared
machine), in the same process. The held-out scores read both models on the same positions, in windows of 64
characters each started afresh (the transformer cannot see further; the LSTM's own 128-character
windows are in the table too). First the shipped weights, checked against the record, then a
short live run from scratch.
""")

code(r"""
from course.charlm import load_corpus
from course.transformer import RECORD_FILE, SETTINGS, WEIGHT_FILE, bits, build_transformer
from nnlib.model import load_model

corpus = load_corpus()
vocab_size = corpus.vocabulary.size
record = json.loads(Path("data", RECORD_FILE).read_text())
assert record["settings"] == SETTINGS, "the shipped run used other settings"
for name, digest in record["sha256"].items():
    assert hashlib.sha256(Path("data", name).read_bytes()).hexdigest() == digest, name
transformer = load_model(Path("data", WEIGHT_FILE))
lstm = load_model(Path("data", "transformer_lstm.npz"))
early = corpus.validation[:record["early_characters"] + 1]
shipped = record["models"]["transformer"]
print(f"vocabulary V = {vocab_size}; parameters: transformer {transformer.num_params}, "
      f"LSTM {lstm.num_params}")
print("shipped transformer reproduces its recorded score on the first "
      f"{record['early_characters']} validation characters:",
      np.isclose(bits(transformer, early), shipped["curve"]["early_bits"][-1], rtol=1e-9))
""")

code(r"""
from course.transformer import train_transformer

live = build_transformer(vocab_size, seed)
before = bits(live, early[:4097])
live_record = train_transformer(live, corpus.train, live_updates, seed)
print(f"live run, seed {seed}: {live_updates} updates; bits per character on 4096 validation "
      f"characters {fmt(before, 3)} before, {fmt(bits(live, early[:4097]), 3)} after "
      f"(log2 V = {fmt(np.log2(vocab_size), 3)})")
""")

code(r"""
from course.plotting.transformer import plot_time_curves

rows = record["models"]
print(f"{'model':12s} {'params':>7s} {'updates':>8s} {'seconds':>8s} {'validation':>11s} "
      f"{'test':>6s}   (bits per character, windows of 64)")
for name in ("transformer", "lstm"):
    row = rows[name]
    print(f"{name:12s} {row['params']:7d} {row['updates']:8d} {round(row['seconds']):8d} "
          f"{fmt(row['validation'], 3):>11s} {fmt(row['test'], 3):>6s}")
print(f"LSTM in its own windows of 128: validation {fmt(rows['lstm']['validation_128'], 3)}, "
      f"test {fmt(rows['lstm']['test_128'], 3)}")
ax = plot_time_curves({name: (rows[name]["curve"]["seconds"], rows[name]["curve"]["early_bits"])
                       for name in ("transformer", "lstm")})
plt.show()
""")

md(r"""
COMPARISON_TEXT
""")

md(r"""
## 8 · Looking inside: what each head attends to

The attention weights are the model's own account of where each position reads from.
`Transformer.attention_maps(X)` returns them, (layers, N, heads, T, T). Below, every head on a
passage of the test text (rows: the position that attends; columns: where it looks; darker is
more weight), and then, measured over 256 validation windows of 64 characters, the mean weight
each head puts on the position itself, on the previous character, on the first position of the
window, on earlier copies of the current character, on the first character of the current line,
and, at positions inside brackets, on the innermost open bracket; and the mean distance looked
back.
""")

code(r"""
from course.plotting.transformer import plot_attention_maps
from course.transformer import head_statistics

text_test = corpus.vocabulary.decode(corpus.test)
start = text_test.index("\n    def ") + 5          # the first method definition of the test text
passage = corpus.test[start:start + 24]
maps = transformer.attention_maps(passage[None])[:, 0]
print(repr(corpus.vocabulary.decode(passage)))
axes = plot_attention_maps(maps, corpus.vocabulary.decode(passage))
plt.show()
""")

code(r"""
windows = corpus.validation[:256 * 64].reshape(256, 64)
all_maps = transformer.attention_maps(windows)
measured = [head_statistics(all_maps[:, n], windows[n], corpus.vocabulary) for n in range(256)]
stats = {key: np.nanmean([m[key] for m in measured], axis=0) for key in measured[0]}
print("head  self  previous  first  same char  line start  open bracket  distance")
for layer in range(transformer.layers):
    for head in range(transformer.heads):
        print(f"{layer}.{head}  " + "  ".join(
            f"{fmt(stats[key][layer, head], 2):>{width}s}" for key, width in (
                ("self", 4), ("previous", 8), ("first", 5), ("same_char", 9),
                ("line_start", 10), ("open_bracket", 12), ("distance", 8))))
uniform_previous = np.mean(1 / np.arange(2, 65))
print(f"(a head spreading its weight evenly over the past would put {fmt(uniform_previous, 2)} "
      f"on the previous character)")
""")

md(r"""
HEADS_TEXT
""")

md(r"""
## 9 · Sampling, with a key/value cache

To generate, the model reads a prime, draws the next character from its predicted distribution
(divided by a temperature, as in chapter 10), appends it and repeats. Rerunning the whole
sequence for every new character repeats work: the keys and values of the earlier positions do
not change when a character is appended (the causal mask sees to that). A **key/value cache**
keeps them, per block, and runs only the new position through the network, its query attending
to the cached keys (`nnlib.transformer.sample(..., use_cache=True)`). The two ways must give
the same characters; below, the work each does, counted in positions run through the network,
and samples from both models after the prime `def ` (the LSTM's from `nnlib.charlm.sample`).
`benchmarks/transformer.py` measures the speed-up in seconds.
""")

code(r"""
from nnlib.charlm import sample as lstm_sample
from nnlib.transformer import sample

prime = corpus.vocabulary.encode("def ")
length = transformer.context_size - len(prime) + 1
with_cache = sample(transformer, prime, length, np.random.default_rng(seed), temperature)
without = sample(transformer, prime, length, np.random.default_rng(seed), temperature,
                 use_cache=False)
print("same characters with and without the cache:", np.array_equal(with_cache, without))
fed = len(prime) + length - 1
print(f"positions run through the network for {length} characters: with the cache {fed}, "
      f"without {sum(range(len(prime), fed + 1))}")
print("transformer:", repr("def " + corpus.vocabulary.decode(with_cache)))
lstm_ids = lstm_sample(lstm, prime, length, np.random.default_rng(seed), temperature)
print("LSTM:       ", repr("def " + corpus.vocabulary.decode(lstm_ids)))
""")

md(r"""
## 10 · More exercises

These are for thinking, not graded.

1. **Sinusoidal positions.** Replace the learned position embedding by Vaswani et al.'s fixed
   sines and cosines, $PE_{t, 2i} = \sin(t / 10000^{2i/D})$, $PE_{t, 2i+1} = \cos(\cdot)$.
   Which parameters disappear, and can the model now read windows longer than 64? *Hint:* the
   position rows are added to the token rows in `Transformer._forward`; a constant has no
   gradient.
2. **Weight tying.** Use the token embedding, transposed, as the output map `W_out` (Press and
   Wolf, 2017). How many parameters does it save at $V = 96$, $D = 40$, and what must the
   backward pass add? *Hint:* a parameter used twice gets the sum of both gradients.
3. **GELU.** Swap the MLP's ReLU for $\operatorname{GELU}(x) = x\,\Phi(x)$ (its tanh
   approximation is fine) and gradient-check `mlp_backward`. Does the live run of section 7
   change? *Hint:* $\Phi'(x)$ is the normal density.
4. **A longer context.** Double `context_size` to 128. What happens to the time per update, and
   why does the attention's share grow? *Hint:* count the entries of $P$ per example.
5. **One head or four.** Keep $D = 40$ and use 1 head ($d = 40$). Which of section 8's patterns
   can one head still show? *Hint:* one softmax per position chooses one mixture.

## Summary

- One step of the modern Hopfield network is attention with the stored patterns as keys and
  values; learned maps $W_Q, W_K, W_V$ of the sequence itself make it self-attention.
- Scores of $d$-dimensional random vectors spread as $\sqrt d$; dividing by $\sqrt d$ keeps
  the softmax out of saturation at every $d$ (section 2's measurement).
- The causal mask gives future keys weight exactly 0; the backward pass of attention is two
  matrix products and the softmax's Jacobian, $dS = P \odot (dP - \sum_j P_j dP_j)$; layer
  norm's backward removes the gradient's mean and its component along $\hat x$.
- A pre-norm transformer of 47 264 parameters, every gradient checked, trains with the same
  `fit` as every other model of the course; sections 7–9 compare it with the LSTM, open its
  heads and sample from it with a key/value cache.

## References

- Vaswani, A., Shazeer, N., Parmar, N., Uszkoreit, J., Jones, L., Gomez, A. N., Kaiser, Ł. and
  Polosukhin, I. (2017). Attention is all you need. *NeurIPS*. https://arxiv.org/abs/1706.03762
- Ramsauer, H., Schäfl, B., Lehner, J., et al. (2020). Hopfield networks is all you need.
  https://arxiv.org/abs/2008.02217
- Ba, J. L., Kiros, J. R. and Hinton, G. E. (2016). Layer normalization.
  https://arxiv.org/abs/1607.06450
- Hendrycks, D. and Gimpel, K. (2016). Gaussian error linear units (GELUs).
  https://arxiv.org/abs/1606.08415
- Radford, A., Wu, J., Child, R., Luan, D., Amodei, D. and Sutskever, I. (2019). Language models
  are unsupervised multitask learners (GPT-2). https://openai.com/research/better-language-models
- Karpathy, A. (2023). nanoGPT. https://github.com/karpathy/nanoGPT ; and "Let's build GPT:
  from scratch, in code, spelled out" (2023). https://www.youtube.com/watch?v=kCc8FmEb1nY
- Press, O. and Wolf, L. (2017). Using the output embedding to improve language models. *EACL*.
  https://arxiv.org/abs/1608.05859

## Appendix · bad input

The model checks its inputs once, at its public door:
""")

code(r"""
for bad in (lambda: transformer.predict_proba(corpus.test[:65][None]),
            lambda: Transformer(vocab_size, 64, embed_size=42, heads=4, rng=np.random.default_rng(0)),
            lambda: sample(transformer, prime, 62, np.random.default_rng(0))):
    try:
        bad()
    except ValueError as error:
        print("ValueError:", error)
""")

code(r"""
print(f"Held-out (test) bits per character at {rows['transformer']['params']} vs "
      f"{rows['lstm']['params']} parameters and equal training time "
      f"({round(rows['transformer']['seconds'])} s): transformer "
      f"{fmt(rows['transformer']['test'], 3)}, LSTM {fmt(rows['lstm']['test'], 3)} "
      f"(windows of 64)")
""", tags=["headline"])


def build(texts: dict | None = None) -> None:
    texts = texts or {}
    cells = []
    for kind, source, metadata in CELLS:
        for key, value in texts.items():
            source = source.replace(key, value.strip("\n"))
        cell = {"cell_type": kind, "id": uuid.uuid5(uuid.NAMESPACE_URL, source).hex[:8],
                "metadata": metadata, "source": source.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    notebook = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (nn-from-scratch)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python", "version": "3.11.7"}},
        "nbformat": 4, "nbformat_minor": 5}
    TARGET.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    texts_file = Path(__file__).with_name("notebook11_texts.json")
    build(json.loads(texts_file.read_text()) if texts_file.exists() else None)

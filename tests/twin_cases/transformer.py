"""Chapter 11's pairs: the two graded backward passes and their library twins."""

from twin_cases import Twin


def attention_inputs(rng):
    from nnlib.attention import attention_forward

    N, heads, T, d = rng.integers(1, 4, size=4) + 1
    _, cache = attention_forward(*(rng.normal(size=(N, heads, T, d)) for _ in range(3)),
                                 causal=bool(rng.integers(2)))
    return (rng.normal(size=(N, heads, T, d)), cache), {}


def layernorm_inputs(rng):
    from nnlib.attention import layernorm_forward

    N, T, D = rng.integers(1, 4, size=3) + 1
    _, cache = layernorm_forward(rng.normal(size=(N, T, D)), rng.normal(size=D),
                                 rng.normal(size=D))
    return (rng.normal(size=(N, T, D)), cache), {}


CASES = [Twin("11", "attention_backward", "nnlib.attention.attention_backward", attention_inputs),
         Twin("11", "layernorm_backward", "nnlib.attention.layernorm_backward", layernorm_inputs)]

"""Notebook 11's self-checks: a right answer passes, each typical mistake is named, and an
answer that calls the library's own backward gets no credit."""

import numpy as np
import pytest

import nnlib.attention
import nnlib.transformer
from course.checks import CheckFailed
from course.checks.transformer import check_attention_backward, check_layernorm_backward
from nnlib.attention import attention_backward as imported_twin
from selfcheck_cases import self_check_tests


# Reference answers written independently of the checks, with a switch for each mistake.
def attention(dout, cache, row_sum=True, scale=True, transpose_P=True, transpose_dS=True):
    Q, K, V, P, s = cache
    s = s if scale else 1.0
    dV = np.einsum("nhqk,nhqd->nhkd" if transpose_P else "nhkq,nhqd->nhkd", P, dout)
    dP = np.einsum("nhqd,nhkd->nhqk", dout, V)
    dS = P * (dP - (np.einsum("nhqk,nhqk->nhq", P, dP)[..., None] if row_sum else 0))
    dQ = np.einsum("nhqk,nhkd->nhqd", dS, K) * s
    dK = np.einsum("nhqk,nhqd->nhkd" if transpose_dS else "nhkq,nhqd->nhkd", dS, Q) * s
    return dQ, dK, dV


def layernorm(dout, cache, mean_term=True, var_term=True, use_gamma=True, dgamma_x_hat=True):
    X_hat, inv_std, gamma = cache
    D = X_hat.shape[-1]
    g = dout * gamma if use_gamma else dout
    dX = g - (g.sum(-1, keepdims=True) / D if mean_term else 0)
    dX = dX - (X_hat * (g * X_hat).sum(-1, keepdims=True) / D if var_term else 0)
    dgamma = np.einsum("ntd,ntd->d", dout, X_hat) if dgamma_x_hat else dout.sum((0, 1))
    return dX * inv_std, dgamma, dout.sum((0, 1))


def calls_the_library(dout, cache):
    return nnlib.attention.attention_backward(dout, cache)


def calls_an_imported_twin(dout, cache):
    return imported_twin(dout, cache)


def calls_the_layernorm_twin(dout, cache):
    return nnlib.attention.layernorm_backward(dout, cache)


def calls_the_model_module_twin(dout, cache):
    # nnlib.transformer imported the function by name: its module attribute is not patched.
    return nnlib.transformer.attention_backward(dout, cache)


def calls_a_default_argument_twin(dout, cache, backward=imported_twin):
    return backward(dout, cache)


def calls_the_layernorm_twin_via_the_model_module(dout, cache):
    return nnlib.transformer.layernorm_backward(dout, cache)


CASES = [
    (check_attention_backward, attention, [
        (lambda d, c: attention(d, c, row_sum=False), "subtracted row sum is missing"),
        (lambda d, c: attention(d, c, scale=False), "factor 1 / sqrt\\(d\\)"),
        (lambda d, c: attention(d, c, transpose_P=False), "P transposed"),
        (lambda d, c: attention(d, c, transpose_dS=False), "dS transposed"),
        (lambda d, c: attention(d, c)[:2], "expected a tuple of 3"),
        (lambda d, c: [attention(d, c)], "returned list"),
        (lambda d, c: (attention(d, c)[0][0],) + attention(d, c)[1:], "returned shape"),
        (lambda d, c: (attention(d, c)[0] * 1.01,) + attention(d, c)[1:], "dQ of the right shape"),
        (calls_the_library, "calls the library's nnlib.attention.attention_backward"),
        (calls_an_imported_twin, "calls the library's nnlib.attention.attention_backward"),
        (calls_the_model_module_twin, "calls the library's nnlib.attention.attention_backward"),
        (calls_a_default_argument_twin,
         "calls the library's nnlib.attention.attention_backward"),
    ]),
    (check_layernorm_backward, layernorm, [
        (lambda d, c: layernorm(d, c, mean_term=False, var_term=False), "as constants"),
        (lambda d, c: layernorm(d, c, var_term=False), "only the mean's term"),
        (lambda d, c: layernorm(d, c, mean_term=False), "only the variance's term"),
        (lambda d, c: layernorm(d, c, use_gamma=False), "the gain is missing"),
        (lambda d, c: layernorm(d, c, dgamma_x_hat=False), "not dout alone"),
        (lambda d, c: layernorm(d, c)[:2], "expected a tuple of 3"),
        (calls_the_layernorm_twin, "calls the library's nnlib.attention.layernorm_backward"),
        (calls_the_layernorm_twin_via_the_model_module,
         "calls the library's nnlib.attention.layernorm_backward"),
    ]),
]

test_a_right_answer_passes, test_each_typical_mistake_is_named = self_check_tests(CASES)


def test_the_library_is_restored_after_a_refused_answer():
    original = nnlib.attention.attention_backward
    with pytest.raises(CheckFailed):
        check_attention_backward(calls_an_imported_twin)
    assert nnlib.attention.attention_backward is original and imported_twin is original
    assert globals()["imported_twin"] is original
    code = original.__code__
    with pytest.raises(CheckFailed):
        check_attention_backward(calls_the_model_module_twin)
    assert original.__code__ is code and nnlib.transformer.attention_backward is original


def test_a_hard_coded_answer_fails_because_the_inputs_change():
    rng = np.random.default_rng(0)
    frozen = tuple(rng.normal(size=(2, 2, 4, 3)) for _ in range(3))
    with pytest.raises(CheckFailed):
        check_attention_backward(lambda dout, cache: frozen)

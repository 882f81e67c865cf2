"""Chapter 10's pairs: the exercise's output head over time and its library twin."""

from twin_cases import Twin


def head_inputs(rng):
    N, T, H, C = rng.integers(1, 5, size=4) + 1
    return (rng.uniform(-1, 1, size=(N, T, H)), rng.normal(size=(H, C)), rng.normal(size=C),
            rng.integers(0, C, size=(N, T))), {}


CASES = [Twin("10", "lm_head_loss", "nnlib.charlm.lm_head_loss", head_inputs)]

"""Self-checks for the exercises: test a learner's function against nnlib's reference.

Each check tests the type, then the shape, then the values of what the learner's function
returns, and on the first property that fails raises ``CheckFailed`` with what was wrong and
where to look for the bug. A passing check prints "public checks passed" (the graded hidden
tests are separate, so it never claims that everything passed).

The notebooks call these from their nbgrader test cells; ``hidden=True`` runs extra cases
(other shapes, other values) that only the autograder sees in the student version. When graded,
the hidden block also calls the checks again as ``nnlib.checks.common.fresh_check(name)`` returns
them, from a fresh import of nnlib, so an answer cell that replaced a check does not pass it
(``tools/classroom`` adds these lines to the course's copy; the notebooks are unchanged).
"""

from nnlib.checks.common import CheckFailed
from nnlib.checks.mlp import check_full_backward, check_single_layer_backward
from nnlib.checks.order import check_bidirectional_backward, check_carry_probability
from nnlib.checks.recurrent import check_bptt, check_step_backward
from nnlib.checks.single_neuron import check_sigmoid_slope, check_train_step
from nnlib.checks.two_layer import check_affine_backward, check_two_layer_backward

__all__ = ["CheckFailed", "check_affine_backward", "check_bidirectional_backward", "check_bptt",
           "check_carry_probability", "check_full_backward",
           "check_sigmoid_slope", "check_single_layer_backward", "check_step_backward",
           "check_train_step", "check_two_layer_backward"]

"""Self-checks for the exercises: test a learner's function against nnlib's reference.

Each check tests the type, then the shape, then the values of what the learner's function
returns, and on the first property that fails raises ``CheckFailed`` with what was wrong and
where to look for the bug. A passing check prints "public checks passed" (the graded hidden
tests are separate, so it never claims that everything passed).

The notebooks call these from their nbgrader test cells; ``hidden=True`` runs extra cases
(other shapes, other values) that only the autograder sees in the student version. When graded
(``tools/classroom``), each check call is also recorded, and the recorded answers are checked
again after the kernel has ended, in a separate Python process with a pristine copy of the
grading code, so nothing an answer cell does in the kernel can change a grade.
"""

from course.checks.charlm import check_lm_head_loss
from course.checks.common import CheckFailed
from course.checks.digits import check_log_softmax, check_one_hot, check_softmax_cross_entropy
from course.checks.hopfield import (check_async_sweep, check_flip_energy_change,
                                    check_hebbian_weights, check_modern_energy_gradient,
                                    check_modern_update)
from course.checks.lstm import check_lstm_backward, check_lstm_step_backward
from course.checks.mlp import (check_adam_step, check_full_backward, check_layer_backward,
                              check_momentum_step)
from course.checks.neuron import check_cross_entropy_step, check_sigmoid_slope, check_train_step
from course.checks.order import check_birnn_backward, check_carry_probability
from course.checks.rnn import check_rnn_backward, check_rnn_step_backward
from course.checks.transformer import check_attention_backward, check_layernorm_backward
from course.checks.tree import check_compose_backward, check_transitions, check_tree_backward
from course.checks.twolayer import (check_affine_backward, check_numerical_gradient,
                                   check_two_layer_backward)

__all__ = ["CheckFailed", "check_adam_step", "check_affine_backward", "check_async_sweep",
           "check_attention_backward", "check_layernorm_backward",
           "check_birnn_backward", "check_carry_probability",
           "check_compose_backward", "check_cross_entropy_step", "check_flip_energy_change",
           "check_full_backward", "check_log_softmax", "check_modern_energy_gradient",
           "check_hebbian_weights", "check_lm_head_loss", "check_lstm_backward",
           "check_lstm_step_backward",
           "check_modern_update", "check_momentum_step", "check_numerical_gradient",
           "check_one_hot", "check_sigmoid_slope", "check_layer_backward",
           "check_rnn_backward", "check_rnn_step_backward", "check_softmax_cross_entropy",
           "check_train_step",
           "check_transitions", "check_tree_backward", "check_two_layer_backward"]

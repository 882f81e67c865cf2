"""Data sets for nnlib, each generated in NumPy (or, for the digits, read from the copy that
scikit-learn ships): nothing is downloaded.

- ``nnlib.data.toy``: the small tables of the first chapters (the single neuron's first-column
  rule, XOR, hours studied and slept) and the two moons, with a seeded train/test split;
- ``nnlib.data.bits``: integers as bit vectors, binary-addition sequences and the held-out split
  of the pairs of addends;
- ``nnlib.data.lagtasks``: the adding problem, a task with a long time lag.
"""

from nnlib.data.bits import (addition_data, addition_table, all_pairs, bits_to_int, carry_bits,
                             int_to_bits, split_pairs)
from nnlib.data.lagtasks import ADDING_BASELINE_MSE, adding_problem, marked_positions
from nnlib.data.toy import (first_column_data, make_moons, study_sleep_data, train_test_split,
                            xor_data)

__all__ = ["ADDING_BASELINE_MSE", "adding_problem", "addition_data", "addition_table",
           "all_pairs", "bits_to_int", "carry_bits", "first_column_data", "int_to_bits",
           "make_moons", "marked_positions", "split_pairs", "study_sleep_data",
           "train_test_split", "xor_data"]

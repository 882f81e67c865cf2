"""Data sets for nnlib, each generated in NumPy (or, for the digits, read from the copy that
scikit-learn ships): nothing is downloaded.

- ``nnlib.data.toy``: the small tables of the first chapters (the single neuron's first-column
  rule, XOR, hours studied and slept) and the two moons, with a seeded train/test split;
- ``nnlib.data.bits``: integers as bit vectors, binary-addition sequences and the held-out split
  of the pairs of addends;
- ``nnlib.data.lagtasks``: the adding problem, a task with a long time lag;
- ``nnlib.data.trees``: binary trees as nested pairs (check, traverse, parse, transitions);
- ``nnlib.data.listops``: ListOps-style nested lists, their values and trees;
- ``nnlib.data.digits``: scikit-learn's bundled handwritten digits, one-hot targets, a seeded
  stratified split and the confusion matrix.
"""

from nnlib.data.bits import (addition_data, addition_table, all_pairs, bits_to_int, carry_bits,
                             int_to_bits, split_pairs, split_sizes)
from nnlib.data.digits import confusion_matrix, load_digits_data, one_hot, stratified_split
from nnlib.data.lagtasks import ADDING_BASELINE_MSE, adding_problem, marked_positions
from nnlib.data.listops import (LISTOPS_VOCAB, OPERATORS, listops_depth, listops_text,
                                listops_tree, listops_value, make_listops, one_hot_sequences,
                                parse_listops)
from nnlib.data.toy import (first_column_data, make_moons, study_sleep_data, train_test_split,
                            xor_data)
from nnlib.data.trees import (check_tree, count_nodes, from_transitions, height, is_tree, leaves,
                              left_to_right, parse, to_string, transitions)

__all__ = ["ADDING_BASELINE_MSE", "LISTOPS_VOCAB", "OPERATORS", "adding_problem",
           "addition_data", "addition_table", "all_pairs", "bits_to_int", "carry_bits",
           "check_tree", "confusion_matrix", "count_nodes", "first_column_data",
           "from_transitions", "height", "int_to_bits", "is_tree", "leaves", "left_to_right",
           "listops_depth", "listops_text", "listops_tree", "listops_value", "load_digits_data",
           "make_listops", "make_moons", "marked_positions", "one_hot", "one_hot_sequences",
           "parse", "parse_listops", "split_pairs", "split_sizes", "stratified_split",
           "study_sleep_data", "to_string", "train_test_split", "transitions", "xor_data"]

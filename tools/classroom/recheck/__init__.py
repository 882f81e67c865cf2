"""The graded cells' re-check, run where no answer cell can reach it.

This package is copied, with the grading packages, into each student's own folder and into a
fresh folder for the re-check; it imports nothing from ``classroom`` (only relative imports, the
standard library and NumPy), so it works under any top-level name (``classroom_recheck``).

- ``record`` runs in the kernel: a graded cell's hidden block calls ``record(...)``, which runs
  the check with each learner function wrapped, and writes every call's inputs, the inputs after
  the call (in-place changes) and the result to a JSON file.
- ``replay`` runs in a fresh Python (``-I -S``) after the kernel has ended: it calls the genuine
  checks from the fresh copy and answers their calls to the learner's functions from that file.
  A graded cell keeps its points only if its recorded answers pass there too.
- ``codec`` turns NumPy arrays, numbers, strings, tuples, lists, dicts and random generators into
  JSON and back, exactly (arrays as raw bytes); no pickle, so reading a record runs no code.
"""

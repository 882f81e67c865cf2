"""Test configuration shared by every test file."""

import os

from hypothesis import settings

# The test command must give the same verdict on every run: hypothesis draws its examples from
# a fixed seed. To search harder for new counterexamples, run
#   .venv/bin/python -m pytest tests/test_properties.py --hypothesis-profile=explore
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("explore", max_examples=1000, derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

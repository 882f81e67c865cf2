"""course: what exists only to run the nn-from-scratch course, beside the library ``nnlib``.

``nnlib`` is the neural-network library (usable without the course); this package holds the
course's scaffolding and imports ``nnlib``, never the other way round (a test checks):

- ``course.checks``: the self-checks of the exercises (the graders);
- ``course.plotting``: the figures, one module per chapter;
- ``course.widgets``: the explorers (ipywidgets), one module per chapter;
- ``course.notebook``: papermill parameter guards and run-time budgets of the notebooks;
- ``course.sweeps``: statistics over seeds for the sweep tables;
- experiment drivers that only a chapter runs (``course.hopfield``).

Module stems are the chapters' stems, the same in ``nnlib`` and here.
"""

"""The validation cell of every notebook, in one call.

A notebook's first code cell (tagged ``parameters``) assigns its papermill parameters; its
second imports what it uses and calls its chapter's ``check`` (``course.parameters.chNN``)::

    from course.parameters import ch04
    ch04.check(globals())  # stops at once, naming the parameter, if a value cannot work

``check_parameters`` does the shared work: a misspelt papermill ``-p NAME`` stops the run,
each value is checked against its ``Rule`` (``nnlib.check_number``, or a list of choices) and
replaced by its normalised form, the chapter's own cross-parameter and budget checks run
(``course.notebook.check_budget``), and one line prints the values the run uses.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass

from nnlib.validation import check_number

from course.notebook import check_papermill_parameters


@dataclass(frozen=True)
class Rule:
    """What one parameter may be: a number in a range, or one of ``choices``."""

    name: str
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    exclusive_minimum: bool = False
    choices: tuple | None = None

    def apply(self, value):
        if self.choices is not None:
            if isinstance(value, (list, dict, set)) or value not in self.choices:
                raise ValueError(f"{self.name} must be one of "
                                 f"{', '.join(repr(c) for c in self.choices)}; got {value!r}.")
            return value
        return check_number(self.name, value, minimum=self.minimum, maximum=self.maximum,
                            integer=self.integer, exclusive_minimum=self.exclusive_minimum)


class CheckedParameters(dict):
    """The checked values, name -> value; a notebook cell ending in the call shows nothing
    (the one printed line already lists them)."""

    def _ipython_display_(self) -> None:
        pass


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value) if isinstance(
        value, str) else str(value)


def check_parameters(namespace: MutableMapping, rules: Sequence[Rule],
                     extra: Callable[[dict], None] | None = None) -> CheckedParameters:
    """Check a notebook's parameters in ``namespace`` and store their normalised values.

    Parameters
    ----------
    namespace : the notebook's ``globals()``; must hold every ``rule.name``.
    rules : one ``Rule`` per parameter, in the order the parameters cell assigns them.
    extra : optional function of the checked values (a dict) that raises ``ValueError`` for a
        combination that cannot work, or calls ``course.notebook.check_budget``.

    Returns
    -------
    CheckedParameters : a dict, name -> normalised value (also written into ``namespace``),
        that IPython does not display.
    """
    check_papermill_parameters()
    missing = [rule.name for rule in rules if rule.name not in namespace]
    if missing:
        raise NameError(f"the parameters cell must assign {', '.join(missing)}: run it first.")
    values = CheckedParameters((rule.name, rule.apply(namespace[rule.name])) for rule in rules)
    if extra is not None:
        extra(values)
    namespace.update(values)
    print(", ".join(f"{name}={_shown(value)}" for name, value in values.items()))
    return values

"""Run independent tasks on Dask's distributed scheduler, and hand back each result as it ends.

By default a ``LocalCluster`` on 127.0.0.1 with one single-threaded worker per core; with
``scheduler="tcp://host:port"`` an existing Dask cluster is used unchanged (its workers must see
the same files at the same paths and have the course's packages installed). The task functions
of this package travel by value, so workers need not have ``tools/`` on their path.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

CONNECT_TIMEOUT = "30s"


def _client(scheduler: str | None, workers: int | None, scratch: Path):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler, timeout=CONNECT_TIMEOUT), None
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, host="127.0.0.1", dashboard_address=None,
                           local_directory=str(scratch), silence_logs=logging.ERROR)
    return Client(cluster, timeout=CONNECT_TIMEOUT), cluster


def run_tasks(function: Callable, calls: list[tuple], scheduler: str | None = None,
              workers: int | None = None, scratch: Path | None = None,
              by_value: tuple = ()) -> Iterator[tuple[tuple, object, BaseException | None]]:
    """Yield ``(arguments, result, error)`` for ``function(*arguments)`` in order of finishing.

    A task that raises (or whose worker dies) yields its error; the others go on.
    ``by_value`` names further modules whose functions travel by value (tools/sweep.py would
    pass its own module); this package always does.
    """
    import cloudpickle
    from dask.distributed import as_completed

    import classroom

    # Each module by name: Dask sends a function by value only when its own module is listed.
    modules = (classroom, *[module for name, module in sorted(sys.modules.items())
                            if name.startswith("classroom.")], *by_value)
    for module in modules:
        cloudpickle.register_pickle_by_value(module)
    scratch = scratch or Path.cwd() / "dask-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    client, cluster = _client(scheduler, workers, scratch)
    try:
        def task(*arguments, _function=function):  # a closure: never pickled by reference
            return _function(*arguments)

        futures = {client.submit(task, *arguments, pure=False): arguments
                   for arguments in calls}
        for future in as_completed(futures):
            arguments = futures[future]
            try:
                yield arguments, future.result(), None
            except Exception as error:  # one student's failure must not stop the class
                yield arguments, None, error
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
        for module in modules:
            cloudpickle.unregister_pickle_by_value(module)


def run_serially(function: Callable, calls: list[tuple]
                 ) -> Iterator[tuple[tuple, object, BaseException | None]]:
    """The same contract, one task after another in this process (``--workers 0``)."""
    for arguments in calls:
        try:
            yield arguments, function(*arguments), None
        except Exception as error:
            yield arguments, None, error

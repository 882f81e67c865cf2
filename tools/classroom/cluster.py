"""Run independent tasks on Dask's distributed scheduler, and hand back each result as it ends.

By default a ``LocalCluster`` on 127.0.0.1 with one single-threaded worker per core; with
``scheduler="tcp://host:port"`` an existing Dask cluster is used unchanged (its workers must see
the same files at the same paths, this repository included, and have the course's packages
installed). Dask itself serializes the tasks between these processes; they carry only file
paths and names, and results are plain lists and numbers.
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
                           processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                           local_directory=str(scratch), silence_logs=logging.ERROR)
    return Client(cluster, timeout=CONNECT_TIMEOUT), cluster


def _import_root(function: Callable) -> str:
    """The folder to put on ``sys.path`` so that ``function``'s module imports."""
    top = sys.modules[function.__module__.split(".")[0]]
    path = Path(top.__file__).resolve()
    return str(path.parent.parent if path.name == "__init__.py" else path.parent)


def run_tasks(function: Callable, calls: list[tuple], scheduler: str | None = None,
              workers: int | None = None, scratch: Path | None = None
              ) -> Iterator[tuple[tuple, object, BaseException | None]]:
    """Yield ``(arguments, result, error)`` for ``function(*arguments)`` in order of finishing.

    A task that raises (or whose worker dies) yields its error; the others go on. The task
    sent to the workers names ``function`` by module and name and imports it there from the
    same folder as here (workers share the course's files at the same paths).
    """
    from dask.distributed import as_completed

    module, name, root = function.__module__, function.__qualname__, _import_root(function)

    def task(*arguments):  # a closure travels by value; the function is imported on arrival
        import importlib
        import sys

        if root not in sys.path:
            sys.path.insert(0, root)
        return getattr(importlib.import_module(module), name)(*arguments)

    scratch = scratch or Path.cwd() / "dask-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    client, cluster = _client(scheduler, workers, scratch)
    try:
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


def run_serially(function: Callable, calls: list[tuple]
                 ) -> Iterator[tuple[tuple, object, BaseException | None]]:
    """The same contract, one task after another in this process (``--workers 0``)."""
    for arguments in calls:
        try:
            yield arguments, function(*arguments), None
        except Exception as error:
            yield arguments, None, error

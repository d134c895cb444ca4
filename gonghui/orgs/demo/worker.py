"""Entry point of the processes that prepare member rows (COPY text) for the loader.

Spawned processes start without Django: they unpickle their arguments before running any of
our code, so the arguments are passed as bytes and unpickled only after `django.setup()`,
and this module imports nothing of the project at the top. The city itself is not passed:
each worker generates it again from its scale and seed (the generator is deterministic), which
is quicker than pickling a city's worth of workplaces through a pipe.
"""

from __future__ import annotations

import pickle
import traceback
from dataclasses import dataclass
from typing import Any

import django


@dataclass(frozen=True)
class WorkerFailed:
    details: str


def produce_copy_chunks(payload: bytes, out: Any) -> None:
    """Put the COPY text of some lanes' members on `out` in chunks, then None."""
    try:
        django.setup()
        from gonghui.orgs.demo.generator import generate_city
        from gonghui.orgs.demo.loader import lane_copy_chunks

        scale, seed, bases, lanes = pickle.loads(payload)  # noqa: S301 - written by the parent process
        for chunk in lane_copy_chunks(generate_city(scale, seed), bases, lanes):
            out.put(chunk)
    except BaseException:
        out.put(WorkerFailed(traceback.format_exc()))
        raise
    out.put(None)

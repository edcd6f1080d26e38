"""Run one measured call in a fresh child process, so that its peak memory (``ru_maxrss``) is its own."""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable
from typing import Any


def run_in_child(target: Callable[..., None], *args: Any) -> Any:
    """Call ``target(*args, conn)`` in a spawned process and return what it sends through ``conn``."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=target, args=(*args, child))
    proc.start()
    child.close()
    result = parent.recv()
    proc.join()
    return result

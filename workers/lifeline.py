"""A child process dies with its parent.

`kill -9` of the worker gives it no chance to stop anything, and a child that outlives it
keeps running beside the next worker (two crons, a scheduler holding its lock). On Linux the
kernel sends the child a signal when its parent dies (PR_SET_PDEATHSIG); elsewhere a thread
polls the parent's pid.
"""

import ctypes
import ctypes.util
import os
import signal
import threading
import time

PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """Call first thing in the child; `parent_pid` is the parent's pid as the parent saw it."""
    if not _pdeathsig(sig):
        threading.Thread(target=_watch, args=(parent_pid, sig), name="lifeline",
                         daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the kernel was told
        os.kill(os.getpid(), sig)


def _pdeathsig(sig: int) -> bool:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int, sig: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(1)
    os.kill(os.getpid(), sig)

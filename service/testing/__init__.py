"""Helpers that start real parts of the service for tests and benchmarks (never for production)."""

from pathlib import Path

# Labelled comments under local-news articles (bench/make_spam_set.py writes them): the spam
# benchmarks and the spam model's tests read them.
LABELLED_COMMENTS = Path(__file__).parent / "data" / "spam_comments.jsonl"


def die_with_parent() -> None:
    """Run in a child before exec: the kernel stops it when the test process dies (Linux)."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def stop(proc, timeout: float = 20, group: bool = False) -> None:
    """Stop a child process: politely, then for good after timeout seconds.

    group: signal the whole process group it leads (started with start_new_session=True), for
    a server whose forked workers would outlive it.
    """
    import os
    import signal
    import subprocess

    def send(sig: int) -> None:
        if not group:
            proc.send_signal(sig)
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass  # the whole group has exited already

    send(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)

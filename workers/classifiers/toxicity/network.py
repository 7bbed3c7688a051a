"""Whether the download hosts answer; Hugging Face kept offline, sockets bounded."""

import contextlib
import socket
import threading
import urllib.parse
import urllib.request

# Where Detoxify's weights (GitHub) and configs (Hugging Face) come from.
NETWORK_PROBE = (("github.com", 443), ("huggingface.co", 443))
NETWORK_PROBE_TIMEOUT_S = 3.0
DOWNLOAD_TIMEOUT_S = 60.0


@contextlib.contextmanager
def hub_offline():
    """Make Hugging Face lookups cache-only for the duration (as HF_HUB_OFFLINE=1 would)."""
    # HF_HUB_OFFLINE is read from the environment at import; is_offline_mode() reads
    # this constant on every call, so setting it here takes effect.
    from huggingface_hub import constants

    previous = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = previous


@contextlib.contextmanager
def socket_timeout(seconds: float):
    """Bound every blocking socket call (torch.hub's download sets no timeout of its own)."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def network_reachable(timeout: float = NETWORK_PROBE_TIMEOUT_S) -> bool:
    """Tell quickly whether Detoxify's download hosts (or the HTTPS proxy) answer."""
    proxy = urllib.request.getproxies().get("https")
    targets = NETWORK_PROBE
    if proxy:
        parsed = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        targets = ((parsed.hostname, parsed.port or 80),)
    reachable: list[bool] = []

    def probe() -> None:
        try:
            for host, port in targets:
                socket.create_connection((host, port), timeout=timeout).close()
        except OSError:
            reachable.append(False)
        else:
            reachable.append(True)

    # A thread, because name resolution ignores the socket timeout and can hang.
    thread = threading.Thread(target=probe, name="toxicity-network-probe", daemon=True)
    thread.start()
    thread.join(timeout * len(targets) + 1.0)
    return reachable == [True]

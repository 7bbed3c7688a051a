"""A real WordPress for the client tests: Debian's package (with its Akismet plugin), installed
headless into a MariaDB database of its own and served by PHP's built-in web server.

The package's files are copied to a temporary directory (WordPress finds its wp-config.php
next to wp-load.php, and Debian's own config looks in /etc/wordpress, which the tests leave
alone). The README's must-use plugin sends the Akismet plugin's calls to the service.
"""

import html
import json
import re
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

from tests.support import die_with_parent, stop

WORDPRESS = Path("/usr/share/wordpress")
AKISMET_PLUGIN = WORDPRESS / "wp-content" / "plugins" / "akismet" / "akismet.php"
WP_PHP = Path(__file__).parent / "php" / "wp.php"
README = Path(__file__).parents[2] / "README.md"
MU_PLUGIN_START = "<?php\n// wp-content/mu-plugins/akismet-self-hosted.php\n"
README_SERVICE_URL = "https://moderation.example.org"
MARIADB = {"host": "127.0.0.1", "port": 3306, "user": "root"}
ADMIN_PASSWORD = "admin-" + secrets.token_hex(8)
INSTALL_HINT = "run tests/support/install_clients.sh (as .ci/run does)"


def wordpress_missing() -> str | None:
    """Say what the WordPress tests lack here, or None when everything is in place."""
    if not AKISMET_PLUGIN.is_file():
        return (
            f"Debian's wordpress package (with its Akismet plugin) is not installed: {INSTALL_HINT}"
        )
    if shutil.which("php") is None:
        return f"php-cli is not installed: {INSTALL_HINT}"
    modules = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.split()
    if "mysqli" not in modules:
        return f"php-mysql is not installed: {INSTALL_HINT}"
    if shutil.which("mariadb") is None:
        return f"the MariaDB client and server are not installed: {INSTALL_HINT}"
    try:
        socket.create_connection((MARIADB["host"], MARIADB["port"]), timeout=2).close()
    except OSError:
        return (
            "MariaDB is not listening on 127.0.0.1:3306: start it with `start-stop-daemon "
            "--start --oknodo --background --exec /usr/sbin/mariadbd`"
        )
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def readme_mu_plugin(service_url: str) -> str:
    """Return the README's must-use plugin, pointed at service_url."""
    text = README.read_text()
    start = text.index(MU_PLUGIN_START)
    code = text[start : text.index("```", start)]
    return code.replace(README_SERVICE_URL, service_url)


def sql(statement: str) -> None:
    subprocess.run(
        [
            "mariadb",
            "-h",
            MARIADB["host"],
            "-P",
            str(MARIADB["port"]),
            "-u",
            MARIADB["user"],
            "-e",
            statement,
        ],
        check=True,
        capture_output=True,
    )


WP_CONFIG = """<?php
define( 'DB_NAME', '{db}' );
define( 'DB_USER', '{user}' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '{host}:{port}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}
$table_prefix = 'wp_';
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
// WP-Cron runs when the test says so (Akismet::cron_recheck), not on page loads.
define( 'DISABLE_WP_CRON', true );
// No calls to wordpress.org (update checks) from a test machine; the site's own host is allowed.
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_DEBUG', false );
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""

# For the test site only: WordPress refuses a second comment from one address within 15 s.
TEST_MU_PLUGIN = """<?php
add_filter( 'comment_flood_filter', '__return_false' );
"""


class WordPress:
    """One WordPress site: its files, its database and its web server."""

    def __init__(self, root: Path, title: str = "Daily News"):
        self.root, self.title = root, title
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db = f"wp_test_{secrets.token_hex(4)}"
        self.server: subprocess.Popen | None = None

    def install(self, service_url: str) -> None:
        """Copy WordPress, configure it, install it into a new database, activate Akismet."""
        shutil.copytree(WORDPRESS, self.root, symlinks=True)
        salts = "\n".join(
            f"define( '{name}', '{secrets.token_hex(32)}' );"
            for name in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        (self.root / "wp-config.php").write_text(
            WP_CONFIG.format(db=self.db, salts=salts, url=self.url, **MARIADB)
        )
        mu_plugins = self.root / "wp-content" / "mu-plugins"
        mu_plugins.mkdir()
        (mu_plugins / "akismet-self-hosted.php").write_text(readme_mu_plugin(service_url))
        (mu_plugins / "test-site.php").write_text(TEST_MU_PLUGIN)
        sql(f"CREATE DATABASE {self.db} CHARACTER SET utf8mb4")
        self.php("install", self.title, ADMIN_PASSWORD)
        assert self.php("activate") == {"activated": True}

    def php(self, *args: str) -> dict:
        """Run a command of tests/support/php/wp.php and return its JSON answer."""
        ran = subprocess.run(
            ["php", str(WP_PHP), str(self.root), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={"HTTP_HOST": f"127.0.0.1:{self.port}", "PATH": "/usr/bin:/bin"},
        )
        lines = ran.stdout.strip().splitlines()
        if ran.returncode != 0 or not lines:
            raise RuntimeError(
                f"wp.php {args[0]} failed ({ran.returncode}):\n"
                f"{ran.stdout[-2000:]}\n{ran.stderr[-2000:]}"
            )
        return json.loads(lines[-1])

    def option(self, name: str, value: str) -> None:
        """Set a WordPress option as its Settings screens store it."""
        self.php("option", name, value)

    def comments(self) -> dict[str, dict]:
        """Return WordPress's comments by content: approved ('1', '0', 'spam'...) and meta."""
        return {row["content"]: row for row in self.php("comments")["comments"]}

    def serve(self) -> None:
        log = open(self.root / "php-server.log", "w")  # noqa: SIM115  (closed with the server)
        self.server = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root)],
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
            env={"PATH": "/usr/bin:/bin", "PHP_CLI_SERVER_WORKERS": "2"},
            # Its own process group: the workers php forks outlive a stopped master otherwise.
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/wp-login.php", timeout=5)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"php -S did not answer:\n{(self.root / 'php-server.log').read_text()}")

    def close(self) -> None:
        if self.server is not None:
            stop(self.server, timeout=10, group=True)  # the master and its workers
        sql(f"DROP DATABASE IF EXISTS {self.db}")

    def admin(self) -> httpx.Client:
        """Return an HTTP client logged into wp-admin through wp-login.php's form."""
        client = httpx.Client(base_url=self.url, timeout=60, follow_redirects=True)
        client.cookies.set("wordpress_test_cookie", "WP Cookie check")
        response = client.post(
            "/wp-login.php",
            data={
                "log": "admin",
                "pwd": ADMIN_PASSWORD,
                "wp-submit": "Log In",
                "testcookie": "1",
                "redirect_to": f"{self.url}/wp-admin/",
            },
        )
        assert "wp-admin" in str(response.url) and "Dashboard" in response.text, response.text
        return client


def form_fields(page: str, marker: str) -> dict[str, str]:
    """Return the named inputs' values of the <form> in html that contains marker."""
    for form in re.findall(r"<form\b.*?</form>", page, flags=re.S):
        if marker in form:
            fields = {}
            for tag in re.findall(r"<input\b[^>]*>", form):
                name, value, kind = (attribute(tag, n) for n in ("name", "value", "type"))
                if name is not None and kind not in ("checkbox", "radio"):
                    fields[name] = value or ""
            for tag in re.findall(r"<textarea\b[^>]*>", form):
                fields[attribute(tag, "name") or ""] = ""
            return fields
    raise AssertionError(f"no form with {marker!r} in the page")


def attribute(tag: str, name: str) -> str | None:
    """Return an HTML attribute's value from a tag ('' or "" quoted, as WordPress writes both)."""
    found = re.search(rf"""\b{name}=(["'])(.*?)\1""", tag, flags=re.S)
    return html.unescape(found.group(2)) if found else None

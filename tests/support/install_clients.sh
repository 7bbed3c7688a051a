#!/usr/bin/env bash
# Install what the client tests need, where it is missing: Debian's wordpress (it ships the
# Akismet plugin), php-cli, php-mysql and MariaDB (started on 127.0.0.1:3306) for
# tests/test_wordpress.py, and the npm clients of tests/node for tests/test_node_clients.py.
# Needs root for apt-get; runs with no standard input.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
[ -f /usr/share/wordpress/wp-content/plugins/akismet/akismet.php ] || missing+=(wordpress)
command -v php >/dev/null || missing+=(php-cli)
{ command -v php >/dev/null && php -m | grep -qx mysqli; } || missing+=(php-mysql)
[ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v mariadb >/dev/null || missing+=(mariadb-client)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]} for the WordPress tests"
  apt-get update -qq
  # No recommends: Apache and the default themes are not needed under php -S.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 30); do
    mariadb-admin -h 127.0.0.1 -u root ping >/dev/null 2>&1 && break
    sleep 1
  done
fi

if ! command -v npm >/dev/null; then
  echo "npm is missing: the Node client tests will be skipped" >&2
else
  (cd tests/node && npm ci --no-audit --no-fund --loglevel=error)
fi

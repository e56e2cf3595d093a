#!/usr/bin/env bash
# Installs what the benchmarks need, only what is missing (safe to run again):
#   - Debian packages: nginx and its echo module (the loopback API server), curl, GNU time, gcc and
#     libcurl's headers (the C contestants), pkg-config, python3-venv;
#   - a virtual environment at benchmarks/.venv with `requests` and Cloudflare's `cloudflare` 5.9.0.
# The deployhook binding itself is used from the source tree (bindings/python), not installed.
# Usage: bash benchmarks/setup.sh   (as root, or with sudo available, when packages are missing)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

packages=(nginx libnginx-mod-http-echo curl time gcc libc6-dev libcurl4-openssl-dev pkg-config python3-venv)
missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if ((${#missing[@]})); then
    sudo=()
    if ((EUID != 0)); then sudo=(sudo); fi
    echo "setup: installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
    # Debian starts the packaged nginx service on install; the benchmarks run their own on a free port.
    if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
        "${sudo[@]}" systemctl stop nginx || true
    fi
fi

# requirements: pinned, as the cloudflare package is the contract's reference point
requirements=(requests "cloudflare==5.9.0")
if [[ ! -x "$venv/bin/python" ]]; then
    echo "setup: creating $venv"
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
sys.exit(0 if m.version("cloudflare") == "5.9.0" and m.version("requests") else 1)
PY
then
    echo "setup: installing ${requirements[*]} into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}"
fi
echo "setup: ready ($("$venv/bin/python" --version), $(nginx -v 2>&1 | sed 's/.*: //'), $(curl --version | head -1 | cut -d' ' -f1-2))"

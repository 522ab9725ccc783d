#!/usr/bin/env bash
# Creates the virtualenv the Python servers run from (once) and installs a requirements file into
# it: PRSENTINEL_VENV, default ~/.cache/prsentinel-venv, outside the clone so every checkout shares
# it. A virtualenv, so the machine's own Python packages cannot clash with them (the machine's
# SQLAlchemy 2.1 breaks MLflow 3.5). Used by ./prsentinel (requirements-local.txt: what the local
# runtime starts) and by scripts/test (requirements-ci.txt: that, and what the tests start).
set -euo pipefail
requirements="$1"
venv="${PRSENTINEL_VENV:-$HOME/.cache/prsentinel-venv}"
if [ ! -x "$venv/bin/pip" ]; then
  python3 -m venv "$venv" || {
    echo "python-venv: python3 -m venv failed; on Debian or Ubuntu: apt-get install python3-venv" >&2
    exit 1
  }
fi
"$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"

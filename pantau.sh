#!/usr/bin/env bash
# Pantau's two commands:
#   ./pantau.sh dashboard   set up (venv, packages, sample warehouse when missing) and run the dashboard
#   ./pantau.sh test        set up and run ruff and the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=${PANTAU_VENV:-.venv}
WAREHOUSE=${PANTAU_WAREHOUSE:-data/warehouse}

setup() {
  if [ ! -x "$VENV/bin/python" ]; then
    echo "» Membuat virtualenv $VENV"
    "$PY" -m venv "$VENV"
  fi
  # Install only when requirements.txt changed since the last install.
  local stamp="$VENV/.requirements.sha256"
  local want
  want=$(sha256sum requirements.txt | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "» Memasang paket (requirements.txt; beberapa menit pada mesin baru)"
    # pip's own lines, one per package fetched, numbered so a fresh install shows it is moving
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off -r requirements.txt \
      | awk '/^(Collecting|Processing) /{n++; sub(/.*\//, "", $2); printf "  [%d] %s\n", n, $2; fflush()} /^Installing collected/{print "  memasang…"; fflush()}'
    echo "$want" > "$stamp"
  fi
}

sample_warehouse() {
  if [ ! -e "$WAREHOUSE/current" ]; then
    echo "» Gudang data belum ada: membuat data contoh dan memuatnya"
    "$VENV/bin/python" -m etl sample --out data/sample
    "$VENV/bin/python" -m etl build --source data/sample --warehouse "$WAREHOUSE"
  fi
}

case "${1:-}" in
  dashboard)
    setup
    sample_warehouse
    export PANTAU_WAREHOUSE="$WAREHOUSE"
    # Listens on this machine only (127.0.0.1); ADDRESS=0.0.0.0 listens on every interface: do that only behind
    # a reverse proxy with TLS and with accounts set up (README, "Deploying").
    # browser.serverAddress set by hand keeps Streamlit from asking an outside service for this
    # machine's public IP at start-up (nothing leaves the building); set it to the public host name.
    exec "$VENV/bin/streamlit" run dashboard.py --server.port "${PORT:-8501}" --server.address "${ADDRESS:-127.0.0.1}" \
      --browser.serverAddress "${SERVER_NAME:-localhost}"
    ;;
  test)
    setup
    shift
    "$VENV/bin/ruff" check .
    "$VENV/bin/python" -m pytest -n 2 --dist loadfile "$@"
    ;;
  *)
    echo "usage: ./pantau.sh dashboard | test [pytest args]" >&2
    exit 64
    ;;
esac

#!/usr/bin/env bash
# Installs what the benchmarks need when it is missing: wrk and the Python baseline's Debian packages
# (FastAPI + uvicorn with uvloop/httptools, XGBoost, prometheus_client). Needs root and apt on a fresh machine.
set -euo pipefail
python=/usr/bin/python3
packages=(wrk python3-fastapi python3-uvicorn python3-uvloop python3-httptools python3-xgboost
  python3-prometheus-client)
if command -v wrk >/dev/null && [[ -x "$python" ]] &&
  "$python" -c 'import fastapi, uvicorn, uvloop, httptools, xgboost, prometheus_client' 2>/dev/null; then
  exit 0
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "the benchmarks need: ${packages[*]} (apt-get install them as root)" >&2
  exit 1
fi
echo "installing ${packages[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"

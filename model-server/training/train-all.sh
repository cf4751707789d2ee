#!/usr/bin/env bash
# Regenerates the bundled models (model-server/models/*) and the golden fixtures
# (test/model-server/fixtures/**) from seeded synthetic data, then checks them. `npm run train` runs this.
# Needs Debian's python3-xgboost (1.7.4) and python3-sklearn (1.2.1): /usr/bin/python3, not a venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-/usr/bin/python3}"
cd "$here"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree

"$python" -c 'import xgboost, sklearn; print("xgboost", xgboost.__version__, "scikit-learn", sklearn.__version__)'
"$python" bankchurn.py
"$python" chicagotaxi.py
"$python" nlpinsight.py
"$python" fixtures.py
"$python" check_fixtures.py

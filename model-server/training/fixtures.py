"""Small test-only boosters and their golden rows (test/model-server/fixtures/models + golden).

- multiclass: multi:softprob, 3 classes, 10 rounds of depth 3 on iris-like data; a full bundle.
- bare-booster: binary:logistic trained with missing values and base_score 0.3; model.json only.
- base-score-v1: a small binary:logistic booster as XGBoost 1.7 writes it (base_score "5E-1").
- base-score-v3: the same JSON with base_score in the bracketed form of XGBoost >= 3.1 ("[5E-1]"),
  converted by hand (only 1.7 runs here); base-score-v3-nonhalf: bare-booster converted the same way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

import common

SEED = 20240614


def iris_like(n_per_class: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters with the per-class means and spreads of Fisher's iris measurements (cm)."""
    means = [[5.01, 3.43, 1.46, 0.25], [5.94, 2.77, 4.26, 1.33], [6.59, 2.97, 5.55, 2.03]]
    sds = [[0.35, 0.38, 0.17, 0.11], [0.52, 0.31, 0.47, 0.2], [0.64, 0.32, 0.55, 0.27]]
    X = np.vstack([np.round(np.clip(rng.normal(m, s, (n_per_class, 4)), 0.1, None), 1) for m, s in zip(means, sds)])
    y = np.repeat(np.arange(3), n_per_class).astype(np.float64)
    order = rng.permutation(len(y))
    return X[order], y[order]


MULTICLASS_INPUTS = [
    {"name": n, "type": "number", "minimum": 0, "maximum": 30, "description": f"{n.replace('_', ' ')} in cm"}
    for n in ["sepal_length", "sepal_width", "petal_length", "petal_width"]
]


def multiclass() -> None:
    rng = np.random.default_rng(SEED)
    X, y = iris_like(200, rng)
    specs = common.feature_specs(MULTICLASS_INPUTS)
    names = [s["name"] for s in specs]
    d = xgb.DMatrix(X, label=y, feature_names=names, nthread=1)
    params = {"objective": "multi:softprob", "num_class": 3, "max_depth": 3, "eta": 0.3, "tree_method": "exact",
              "nthread": 1, "seed": SEED}
    booster = xgb.train(params, d, 10)
    bundle = common.FIXTURE_MODELS_DIR / "multiclass"
    bundle.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(bundle / "model.json"))
    accuracy = float((booster.predict(d).argmax(axis=1) == y).mean())
    columns = {n: X[:, j] for j, n in enumerate(names)}
    pool = [common.instance_of(MULTICLASS_INPUTS, columns, i) for i in range(len(y))]
    common.write_json(bundle / "metadata.json", {
        "name": "multiclass",
        "version": "0.1.0",
        "kind": "xgboost",
        "task": "multiclass_classification",
        "artifact": "model.json",
        "classLabels": ["setosa", "versicolor", "virginica"],
        "inputs": MULTICLASS_INPUTS,
        "features": specs,
        "description": "Test fixture: iris-like species from flower measurements, multi:softprob, 3 classes x 10 rounds.",
        "example": pool[0],
    })
    chosen = [(pool[int(i)], f"training row {int(i)}") for i in rng.choice(len(pool), 40, replace=False)]
    chosen += common.threshold_rows(bundle / "model.json", MULTICLASS_INPUTS, specs, pool, 1, rng)
    chosen.append(({n: 0 for n in names}, "all zero"))
    chosen.append(({n: 30 for n in names}, "all at maximum"))
    common.write_booster_golden(booster, bundle, names, specs, chosen, "multiclass.json")
    print("multiclass", {"rows": len(y), "train_accuracy": round(accuracy, 4), "trees": 30})


BARE_NAMES = ["sensor_a", "sensor_b", "temperature", "pressure", "load"]
BARE_INPUTS = [{"name": n, "type": "number", "nullable": True} for n in BARE_NAMES]


def bare_booster() -> None:
    rng = np.random.default_rng(SEED + 1)
    n = 3000
    X = np.column_stack([
        rng.normal(0, 1, n), rng.normal(5, 2, n), rng.normal(60, 15, n), rng.normal(1.0, 0.2, n),
        rng.uniform(0, 100, n),
    ])
    logit = 1.2 * X[:, 0] - 0.4 * (X[:, 1] - 5) + 0.05 * (X[:, 2] - 60) + 3 * (X[:, 3] - 1) + 0.01 * X[:, 4] - 1.3
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    # Missing values depend on the label for sensor_a (a failing sensor signals trouble) so the default
    # directions are learned, not arbitrary; the others are missing at random.
    X[rng.random(n) < np.where(y == 1, 0.25, 0.05), 0] = np.nan
    for j in range(1, 5):
        X[rng.random(n) < 0.1, j] = np.nan
    X = np.round(X, 3)
    d = xgb.DMatrix(X, label=y, feature_names=BARE_NAMES, missing=np.nan, nthread=1)
    params = {"objective": "binary:logistic", "base_score": 0.3, "max_depth": 4, "eta": 0.2,
              "tree_method": "exact", "nthread": 1, "seed": SEED}
    booster = xgb.train(params, d, 20)
    out = common.FIXTURE_MODELS_DIR / "bare-booster"
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "model.json"))

    columns = {nm: X[:, j] for j, nm in enumerate(BARE_NAMES)}
    specs = common.feature_specs(BARE_INPUTS)
    pool = [common.instance_of(BARE_INPUTS, columns, i) for i in range(n)]
    complete = [p for p in pool if all(v is not None for v in p.values())]
    chosen = [(pool[int(i)], "training row " + str(int(i))) for i in rng.choice(n, 50, replace=False)]
    chosen += common.missing_rows(out / "model.json", BARE_INPUTS, specs, complete, 2, rng)
    chosen += common.threshold_rows(out / "model.json", BARE_INPUTS, specs, complete, 1, rng)
    chosen.append(({nm: None for nm in BARE_NAMES}, "every feature null"))
    absent = {k: v for k, v in complete[0].items() if k not in ("sensor_a", "load")}
    chosen.append((absent, "sensor_a and load absent from the instance (absent = missing)"))
    chosen.append(({}, "empty instance: every feature absent"))
    common.write_booster_golden(booster, out, BARE_NAMES, specs, chosen, "bare-booster.json")
    model = json.loads((out / "model.json").read_text())
    print("bare-booster", {"rows": n, "base_score_in_json": model["learner"]["learner_model_param"]["base_score"]})
    convert_v3(out / "model.json", common.FIXTURE_MODELS_DIR / "base-score-v3-nonhalf" / "model.json",
               "bare-booster.json", "base-score-v3-nonhalf.json")


def small_binary() -> None:
    rng = np.random.default_rng(SEED + 2)
    n = 1000
    X = np.round(rng.normal(0, 1, (n, 4)), 3)
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] * X[:, 3])))).astype(float)
    names = ["x0", "x1", "x2", "x3"]
    d = xgb.DMatrix(X, label=y, feature_names=names, nthread=1)
    params = {"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "tree_method": "exact", "nthread": 1,
              "seed": SEED}
    booster = xgb.train(params, d, 15)
    out = common.FIXTURE_MODELS_DIR / "base-score-v1"
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "model.json"))
    inputs = [{"name": nm, "type": "number"} for nm in names]
    specs = common.feature_specs(inputs)
    pool = [{nm: float(X[i, j]) for j, nm in enumerate(names)} for i in range(n)]
    chosen = [(pool[int(i)], f"training row {int(i)}") for i in rng.choice(n, 40, replace=False)]
    chosen += common.threshold_rows(out / "model.json", inputs, specs, pool, 1, rng)
    common.write_booster_golden(booster, out, names, specs, chosen, "base-score-v1.json")
    convert_v3(out / "model.json", common.FIXTURE_MODELS_DIR / "base-score-v3" / "model.json",
               "base-score-v1.json", "base-score-v3.json")


def convert_v3(src: Path, dst: Path, golden_src: str, golden_dst: str) -> None:
    """Hand conversion to the XGBoost >= 3.1 form: base_score becomes a bracketed vector string (one entry
    per output) and `version` says 3.1.0. Nothing else changes, so the same golden rows apply."""
    text = src.read_text()
    base = json.loads(text)["learner"]["learner_model_param"]["base_score"]
    edits = [(f'"base_score":"{base}"', f'"base_score":"[{base}]"'), ('"version":[1,7,4]', '"version":[3,1,0]')]
    for old, new in edits:  # byte-for-byte edits: every other number keeps XGBoost's own spelling
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text)
    golden = json.loads((common.GOLDEN_DIR / golden_src).read_text())
    header = {"model_dir": common.rel(dst.parent), "generator": f"{golden['generator']} (model converted by hand "
              f"to the XGBoost 3.1 base_score form; rows copied from {golden_src})",
              "feature_names": golden["feature_names"]}
    common.write_golden(common.GOLDEN_DIR / golden_dst, header, golden["rows"])
    common.check_golden_rows(dst, golden["rows"])


def main() -> None:
    multiclass()
    bare_booster()
    small_binary()


if __name__ == "__main__":
    main()

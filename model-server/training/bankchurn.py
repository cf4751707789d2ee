"""bankchurn: synthetic bank customers with the Kaggle "Churn_Modelling" schema -> Exited (churns or stays).

Writes model-server/models/bankchurn/{model.json,metadata.json} and
test/model-server/fixtures/golden/bankchurn.json.
"""

from __future__ import annotations

import argparse
import csv
import sys

import numpy as np
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

import common

SEED = 20240611
ROWS = 12_000

INPUTS = [
    {"name": "CreditScore", "type": "number", "integer": True, "minimum": 300, "maximum": 900,
     "description": "Credit score (FICO-like)"},
    {"name": "Geography", "type": "category", "categories": ["France", "Spain", "Germany"],
     "description": "Country of the customer's branch"},
    {"name": "Gender", "type": "category", "categories": ["Female", "Male"]},
    {"name": "Age", "type": "number", "integer": True, "minimum": 18, "maximum": 100, "description": "Years"},
    {"name": "Tenure", "type": "number", "integer": True, "minimum": 0, "maximum": 10,
     "description": "Years as a customer"},
    {"name": "Balance", "type": "number", "minimum": 0, "maximum": 1_000_000, "description": "Account balance"},
    {"name": "NumOfProducts", "type": "number", "integer": True, "minimum": 1, "maximum": 4,
     "description": "Number of bank products held"},
    {"name": "HasCrCard", "type": "number", "integer": True, "minimum": 0, "maximum": 1,
     "description": "1 if the customer has a credit card"},
    {"name": "IsActiveMember", "type": "number", "integer": True, "minimum": 0, "maximum": 1,
     "description": "1 if the customer is active"},
    {"name": "EstimatedSalary", "type": "number", "minimum": 0, "maximum": 1_000_000,
     "description": "Estimated yearly salary"},
]

PARAMS = {
    "objective": "binary:logistic",
    "eval_metric": "auc",
    "tree_method": "exact",
    "max_depth": 5,
    "eta": 0.08,
    "subsample": 0.85,
    "colsample_bytree": 0.9,
    "min_child_weight": 2,
    "lambda": 1.0,
    "nthread": 1,
    "seed": SEED,
}
ROUNDS = 120


def generate(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Customers and whether they left; churn risk follows the patterns of the Kaggle data set (older,
    German, female, inactive, one or 3-4 products, low credit score -> more likely to leave)."""
    rng = np.random.default_rng(seed)
    geography = rng.choice(["France", "Spain", "Germany"], size=n, p=[0.5, 0.25, 0.25])
    gender = rng.choice(["Female", "Male"], size=n, p=[0.45, 0.55])
    credit = np.clip(np.round(rng.normal(650, 97, n)), 350, 850)
    age = np.clip(np.round(18 + rng.gamma(5.0, 4.2, n)), 18, 92)
    tenure = rng.integers(0, 11, n).astype(np.float64)
    zero_balance = rng.random(n) < np.where(geography == "Germany", 0.02, 0.48)
    balance = np.where(zero_balance, 0.0, np.round(np.clip(rng.normal(119_000, 30_000, n), 3_000, 251_000), 2))
    products = rng.choice([1, 2, 3, 4], size=n, p=[0.5, 0.46, 0.03, 0.01]).astype(np.float64)
    has_card = (rng.random(n) < 0.7).astype(np.float64)
    active = (rng.random(n) < 0.515).astype(np.float64)
    salary = np.round(rng.uniform(11.58, 199_992.48, n), 2)

    logit = (
        -1.55
        + 0.085 * (np.minimum(age, 60) - 38)
        - 0.07 * np.maximum(age - 60, 0)
        + 0.8 * (geography == "Germany")
        + 0.5 * (gender == "Female")
        - 1.0 * active
        + 0.5 * (1 - active) * (age > 45)
        + np.select([products == 1, products == 2, products == 3], [0.0, -1.4, 2.4], 4.5)
        + 0.25 * (balance > 0)
        + 0.0000025 * (balance - 100_000) * (balance > 0)
        - 0.0015 * (credit - 650)
        - 0.25 * (credit < 450)
        - 0.025 * (tenure - 5)
        + 0.0000008 * (salary - 100_000)
    )
    exited = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float64)
    columns = {
        "CreditScore": credit, "Geography": geography, "Gender": gender, "Age": age, "Tenure": tenure,
        "Balance": balance, "NumOfProducts": products, "HasCrCard": has_card, "IsActiveMember": active,
        "EstimatedSalary": salary,
    }
    return columns, exited


def split(columns: dict[str, np.ndarray], y: np.ndarray, n_train: int):
    train = {k: v[:n_train] for k, v in columns.items()}
    test = {k: v[n_train:] for k, v in columns.items()}
    return train, y[:n_train], test, y[n_train:]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", help="also write the generated data set to this CSV file")
    args = parser.parse_args(argv)

    columns, y = generate(ROWS, SEED)
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*columns, "Exited"])
            for i in range(ROWS):
                w.writerow([common.instance_of(INPUTS, columns, i)[k] for k in columns] + [int(y[i])])

    specs = common.feature_specs(INPUTS)
    names = [s["name"] for s in specs]
    n_train = int(ROWS * 0.8)
    train, y_train, test, y_test = split(columns, y, n_train)
    d_train = xgb.DMatrix(common.encode(specs, train), label=y_train, feature_names=names,
                          feature_types=common.feature_types(INPUTS), nthread=1)
    d_test = xgb.DMatrix(common.encode(specs, test), label=y_test, feature_names=names, nthread=1)
    booster = xgb.train(PARAMS, d_train, ROUNDS)

    p = booster.predict(d_test)
    metrics = {
        "rows": ROWS, "train_rows": n_train, "test_rows": ROWS - n_train,
        "positive_rate": round(float(y.mean()), 4),
        "test_auc": round(float(roc_auc_score(y_test, p)), 4),
        "test_accuracy": round(float(accuracy_score(y_test, p >= 0.5)), 4),
        "test_logloss": round(float(log_loss(y_test, p)), 4),
    }

    bundle = common.MODELS_DIR / "bankchurn"
    bundle.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(bundle / "model.json"))
    pool = [common.instance_of(INPUTS, test, i) for i in range(ROWS - n_train)]
    common.write_json(
        bundle / "metadata.json",
        {
            "name": "bankchurn",
            "version": "1.0.0",
            "kind": "xgboost",
            "task": "binary_classification",
            "artifact": "model.json",
            "classLabels": ["stays", "churns"],
            "inputs": INPUTS,
            "features": specs,
            "description": (
                "Bank customer churn (Kaggle Churn_Modelling schema, synthetic seeded data): probability "
                f"that the customer leaves (Exited=1 = 'churns'). XGBoost {xgb.__version__} binary:logistic, "
                f"{ROUNDS} trees of depth {PARAMS['max_depth']}; held-out AUC {metrics['test_auc']}."
            ),
            "example": pool[0],
        },
    )

    write_golden(booster, names, specs, pool, bundle)
    print("bankchurn", metrics)


def write_golden(booster, names, specs, pool, bundle) -> None:
    rng = np.random.default_rng(SEED + 1)
    chosen: list[tuple[dict, str]] = []
    for i in rng.choice(len(pool), size=165, replace=False):
        chosen.append((pool[int(i)], f"held-out row {int(i)}"))
    chosen += common.threshold_rows(bundle / "model.json", INPUTS, specs, pool, per_feature=3, rng=rng)

    # One-hot: every Geography x Gender combination on the same customer, so only the one-hot columns differ.
    base = dict(pool[1])
    for geo in ["France", "Spain", "Germany"]:
        for gender in ["Female", "Male"]:
            inst = {**base, "Geography": geo, "Gender": gender}
            chosen.append((inst, f"one-hot: Geography={geo}, Gender={gender} on the same customer"))
    # Bounds of the numeric fields and the most common exact value (Balance 0).
    lows = {f["name"]: f["minimum"] for f in INPUTS if f["type"] == "number"}
    highs = {f["name"]: f["maximum"] for f in INPUTS if f["type"] == "number"}
    chosen.append(({**base, **lows}, "every numeric field at its minimum"))
    chosen.append(({**base, **highs}, "every numeric field at its maximum"))
    chosen.append(({**base, "Balance": 0}, "Balance exactly 0 (integer JSON number)"))
    chosen.append(({**base, "NumOfProducts": 4, "IsActiveMember": 0, "Age": 52, "Geography": "Germany"},
                   "high-risk profile"))

    common.write_booster_golden(booster, bundle, names, specs, chosen, "bankchurn.json")


if __name__ == "__main__":
    main(sys.argv[1:])

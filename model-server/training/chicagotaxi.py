"""chicagotaxi: synthetic Chicago taxi trips (schema of the City of Chicago "Taxi Trips" data) -> fare in USD.

Some trips lack trip_seconds or a community area (pickup/dropoff outside the city, as in the real data), so
the booster learns default directions for missing values, both ways.

Writes model-server/models/chicagotaxi/{model.json,metadata.json} and
test/model-server/fixtures/golden/chicagotaxi.json.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys

import numpy as np
import xgboost as xgb

import common

SEED = 20240612
ROWS = 20_000

PAYMENT_TYPES = ["Cash", "Credit Card", "Mobile", "Prcard", "Unknown"]
COMPANIES = [
    "Flash Cab",
    "Taxi Affiliation Services",
    "Sun Taxi",
    "City Service",
    "Chicago Independents",
    "Other",
]
OHARE, MIDWAY = 76, 56
DOWNTOWN = [8, 32, 28, 33]

INPUTS = [
    {"name": "trip_seconds", "type": "number", "nullable": True, "minimum": 0, "maximum": 86_400,
     "description": "Trip duration in seconds; null when the meter did not record it"},
    {"name": "trip_miles", "type": "number", "minimum": 0, "maximum": 500, "description": "Trip distance in miles"},
    {"name": "pickup_community_area", "type": "number", "integer": True, "nullable": True, "minimum": 1,
     "maximum": 77, "description": "Chicago community area (1-77) of the pickup; null outside the city"},
    {"name": "dropoff_community_area", "type": "number", "integer": True, "nullable": True, "minimum": 1,
     "maximum": 77, "description": "Chicago community area (1-77) of the dropoff; null outside the city"},
    {"name": "trip_start_hour", "type": "number", "integer": True, "minimum": 0, "maximum": 23},
    {"name": "trip_start_day_of_week", "type": "number", "integer": True, "minimum": 1, "maximum": 7,
     "description": "1 = Sunday ... 7 = Saturday"},
    {"name": "payment_type", "type": "category", "categories": PAYMENT_TYPES},
    {"name": "company", "type": "category", "categories": COMPANIES},
]

PARAMS = {
    "objective": "reg:squarederror",
    "eval_metric": "rmse",
    "tree_method": "exact",
    "max_depth": 6,
    "eta": 0.1,
    "subsample": 0.9,
    "colsample_bytree": 0.9,
    "min_child_weight": 3,
    "nthread": 1,
    "seed": SEED,
}
ROUNDS = 150


def area_positions(rng: np.random.Generator) -> np.ndarray:
    """Rough (x, y) in miles of each community area (index 1..77): the Loop near (0, 0), O'Hare far
    north-west, Midway south-west."""
    pos = np.zeros((78, 2))
    pos[1:] = np.column_stack([rng.uniform(-6, 1.5, 77), rng.uniform(-8, 8, 77)])
    for a, xy in {8: (0.3, 1.2), 32: (0.0, 0.0), 28: (-1.8, -0.3), 33: (0.2, -1.5), 6: (-0.8, 4.5),
                  24: (-2.5, 2.0), OHARE: (-13.5, 6.5), MIDWAY: (-6.5, -6.5)}.items():
        pos[a] = xy
    return pos


def pick_areas(rng: np.random.Generator, n: int) -> np.ndarray:
    popular = {8: 0.3, 32: 0.2, 28: 0.1, OHARE: 0.08, 6: 0.05, 24: 0.04, 33: 0.04, MIDWAY: 0.02}
    rest = [a for a in range(1, 78) if a not in popular]
    areas = list(popular) + rest
    weights = list(popular.values()) + [(1 - sum(popular.values())) / len(rest)] * len(rest)
    return rng.choice(areas, size=n, p=weights).astype(np.float64)


def generate(n: int, seed: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    pos = area_positions(np.random.default_rng(seed + 100))
    pickup = pick_areas(rng, n)
    dropoff = pick_areas(rng, n)
    outside_pickup = rng.random(n) < 0.04
    outside_dropoff = rng.random(n) < 0.07

    p_idx, d_idx = pickup.astype(int), dropoff.astype(int)
    manhattan = np.abs(pos[p_idx] - pos[d_idx]).sum(axis=1)
    miles = np.where(p_idx == d_idx, rng.uniform(0.3, 2.0, n), manhattan * rng.uniform(1.0, 1.3, n))
    miles = np.where(outside_pickup | outside_dropoff, miles + rng.uniform(3, 15, n), miles)
    miles = np.round(np.clip(miles, 0.1, 120), 2)
    zero_miles = rng.random(n) < 0.015  # meters that logged no distance
    miles = np.where(zero_miles, 0.0, miles)

    hour = rng.choice(24, size=n, p=_hour_weights()).astype(np.float64)
    dow = rng.integers(1, 8, n).astype(np.float64)
    rush = ((hour >= 7) & (hour <= 9) | (hour >= 16) & (hour <= 18)) & (dow >= 2) & (dow <= 6)
    night = (hour <= 5) | (hour >= 22)
    mph = np.where(rush, 13.0, np.where(night, 28.0, 20.0)) * rng.lognormal(0, 0.2, n)
    true_miles = np.where(zero_miles, np.round(manhattan + 0.5, 2), miles)
    seconds = np.round(np.clip(true_miles / mph * 3600 + rng.normal(120, 60, n), 60, 20_000))

    payment = rng.choice(PAYMENT_TYPES, size=n, p=[0.38, 0.42, 0.1, 0.03, 0.07])
    company = rng.choice(COMPANIES, size=n, p=[0.2, 0.25, 0.1, 0.15, 0.1, 0.2])

    # City of Chicago meter: $3.25 flag pull, $2.25 per mile, $0.20 per 36 seconds; airport pickups pay
    # extra; some companies quote a little above the meter.
    fare = 3.25 + 2.25 * true_miles + 0.20 * seconds / 36
    fare += np.where((p_idx == OHARE) & ~outside_pickup, 4.0, 0.0)
    fare += np.where(company == "Other", 1.5, np.where(company == "Sun Taxi", 0.75, 0.0))
    fare += rng.normal(0, 0.9, n)
    surge = rng.random(n) < 0.03
    fare = np.where(surge, fare * rng.uniform(1.2, 2.0, n), fare)
    fare = np.round(np.maximum(fare, 3.25), 2)

    seconds_missing = rng.random(n) < 0.06
    columns = {
        "trip_seconds": np.where(seconds_missing, np.nan, seconds),
        "trip_miles": miles,
        "pickup_community_area": np.where(outside_pickup, np.nan, pickup),
        "dropoff_community_area": np.where(outside_dropoff, np.nan, dropoff),
        "trip_start_hour": hour,
        "trip_start_day_of_week": dow,
        "payment_type": payment,
        "company": company,
    }
    return columns, fare


def _hour_weights() -> np.ndarray:
    w = np.array([3, 2, 1.5, 1, 1, 1.5, 3, 5, 6, 6, 6, 6, 6.5, 6.5, 6.5, 7, 7.5, 8, 7.5, 6.5, 5.5, 5, 4.5, 4])
    return w / w.sum()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", help="also write the generated data set to this CSV file")
    args = parser.parse_args(argv)

    columns, y = generate(ROWS, SEED)
    if args.csv:
        with open(args.csv, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow([*columns, "fare"])
            for i in range(ROWS):
                inst = common.instance_of(INPUTS, columns, i)
                w.writerow(["" if inst[k] is None else inst[k] for k in columns] + [y[i]])

    specs = common.feature_specs(INPUTS)
    names = [s["name"] for s in specs]
    n_train = int(ROWS * 0.8)
    train = {k: v[:n_train] for k, v in columns.items()}
    test = {k: v[n_train:] for k, v in columns.items()}
    y_train, y_test = y[:n_train], y[n_train:]
    # What XGBoost 2.x would estimate by itself; 1.7 needs it set (its default is 0.5 for every objective).
    params = {**PARAMS, "base_score": float(np.float32(y_train.mean()))}
    d_train = xgb.DMatrix(common.encode(specs, train), label=y_train, feature_names=names,
                          feature_types=common.feature_types(INPUTS), missing=np.nan, nthread=1)
    d_test = xgb.DMatrix(common.encode(specs, test), label=y_test, feature_names=names, missing=np.nan,
                         nthread=1)
    booster = xgb.train(params, d_train, ROUNDS)

    pred = booster.predict(d_test)
    rmse = math.sqrt(float(np.mean((pred - y_test) ** 2)))
    baseline = math.sqrt(float(np.mean((y_train.mean() - y_test) ** 2)))
    metrics = {
        "rows": ROWS, "train_rows": n_train, "test_rows": ROWS - n_train,
        "test_rmse": round(rmse, 3), "test_mae": round(float(np.mean(np.abs(pred - y_test))), 3),
        "test_r2": round(1 - rmse**2 / baseline**2, 4), "rmse_of_mean": round(baseline, 3),
        "base_score": params["base_score"],
    }

    bundle = common.MODELS_DIR / "chicagotaxi"
    bundle.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(bundle / "model.json"))
    model, trees = common.load_trees(bundle / "model.json")
    metrics["base_score_in_json"] = model["learner"]["learner_model_param"]["base_score"]
    metrics["default_left_by_feature"] = {
        f["name"]: sorted({dl for *_, dl in common.split_nodes(trees, names.index(f["name"]))})
        for f in INPUTS if f.get("nullable")
    }
    for name, dirs in metrics["default_left_by_feature"].items():
        assert dirs == [False, True], f"{name}: default_left only {dirs}"

    pool = [common.instance_of(INPUTS, test, i) for i in range(ROWS - n_train)]
    example = next(p for p in pool if all(v is not None for v in p.values()))
    common.write_json(
        bundle / "metadata.json",
        {
            "name": "chicagotaxi",
            "version": "1.0.0",
            "kind": "xgboost",
            "task": "regression",
            "artifact": "model.json",
            "inputs": INPUTS,
            "features": specs,
            "description": (
                "Chicago taxi fare in USD from trip features (City of Chicago Taxi Trips schema, synthetic "
                f"seeded data). XGBoost {xgb.__version__} reg:squarederror, {ROUNDS} trees of depth "
                f"{PARAMS['max_depth']}, trained with missing values; held-out RMSE {metrics['test_rmse']}."
            ),
            "example": example,
        },
    )
    write_golden(booster, names, specs, pool, bundle, example)
    print("chicagotaxi", metrics)


def write_golden(booster, names, specs, pool, bundle, base) -> None:
    rng = np.random.default_rng(SEED + 1)
    chosen: list[tuple[dict, str]] = []
    for i in rng.choice(len(pool), size=140, replace=False):
        inst = pool[int(i)]
        missing = [k for k, v in inst.items() if v is None]
        chosen.append((inst, f"held-out row {int(i)}" + (f" (null: {', '.join(missing)})" if missing else "")))
    complete = [p for p in pool if all(v is not None for v in p.values())]
    chosen += common.missing_rows(bundle / "model.json", INPUTS, specs, complete, per_direction=3, rng=rng)
    nullable = [f["name"] for f in INPUTS if f.get("nullable")]
    for k in range(3):
        inst = {**complete[10 + k], **{n: None for n in nullable}}
        chosen.append((inst, "every nullable field null"))
    chosen += common.threshold_rows(bundle / "model.json", INPUTS, specs, complete, per_feature=2, rng=rng)
    for value in PAYMENT_TYPES:
        chosen.append(({**base, "payment_type": value}, f"one-hot: payment_type={value} on the same trip"))
    for value in COMPANIES:
        chosen.append(({**base, "company": value}, f"one-hot: company={value} on the same trip"))
    chosen.append(({**base, "trip_miles": 0, "trip_seconds": 0}, "zero distance and duration"))
    chosen.append(({**base, "trip_miles": 500, "trip_seconds": 86_400}, "distance and duration at their maximum"))
    chosen.append(({**base, "pickup_community_area": OHARE, "dropoff_community_area": 32, "trip_miles": 17.5,
                    "trip_seconds": 2400}, "O'Hare to the Loop"))

    common.write_booster_golden(booster, bundle, names, specs, chosen, "chicagotaxi.json")


if __name__ == "__main__":
    main(sys.argv[1:])

"""Shared helpers of the training scripts: paths, bundle writing, one-hot encoding, XGBoost golden rows.

Run with /usr/bin/python3 (Debian's xgboost 1.7.4, scikit-learn 1.2.1, numpy). Everything is seeded, so a
rerun on the same library versions writes the same files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import xgboost as xgb

TRAINING_DIR = Path(__file__).resolve().parent
REPO_ROOT = TRAINING_DIR.parent.parent
MODELS_DIR = REPO_ROOT / "model-server" / "models"
FIXTURES_DIR = REPO_ROOT / "test" / "model-server" / "fixtures"
GOLDEN_DIR = FIXTURES_DIR / "golden"
FIXTURE_MODELS_DIR = FIXTURES_DIR / "models"

GENERATOR = f"xgboost {xgb.__version__}"


def rel(path: Path) -> str:
    """Path relative to the repository root, with forward slashes (what fixtures record)."""
    return path.resolve().relative_to(REPO_ROOT).as_posix()


def write_json(path: Path, value: Any, indent: int | None = 2) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")


def write_golden(path: Path, header: dict[str, Any], rows: Sequence[dict[str, Any]]) -> None:
    """Compact but readable: the header keys one per line, then one row per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["{"]
    for key, value in header.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, allow_nan=False)},")
    lines.append('  "rows": [')
    encoded = [json.dumps(r, ensure_ascii=False, allow_nan=False, separators=(",", ":")) for r in rows]
    lines.append(",\n".join("    " + e for e in encoded))
    lines.append("  ]")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def f32(value: float) -> float:
    """The float32 XGBoost sees for a value, as an exact float64 (repr round-trips it)."""
    return float(np.float32(value))


def ulp_down(value: float) -> float:
    return float(np.nextafter(np.float32(value), np.float32(-np.inf)))


def ulp_up(value: float) -> float:
    return float(np.nextafter(np.float32(value), np.float32(np.inf)))


def rounds_to_from_below(value: float) -> float:
    """A float64 strictly below the float32 `value` that still rounds to it when converted to float32.

    A server that compares in float64 sends it left; XGBoost (float32) sends it right.
    """
    v = np.float32(value)
    below = np.nextafter(v, np.float32(-np.inf))
    candidate = float(v) - (float(v) - float(below)) / 4.0
    assert np.float32(candidate) == v and candidate < float(v), (value, candidate)
    return candidate


# --- encoding ------------------------------------------------------------------------------------------


def feature_specs(inputs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Booster columns in order: numbers as identity, each category value as its own one-hot column."""
    specs: list[dict[str, Any]] = []
    for field in inputs:
        if field["type"] == "number":
            specs.append({"name": field["name"], "source": field["name"], "transform": "identity"})
        elif field["type"] == "category":
            for value in field["categories"]:
                specs.append(
                    {
                        "name": f"{field['name']}={value}",
                        "source": field["name"],
                        "transform": "one_hot",
                        "value": value,
                    }
                )
        else:
            raise ValueError(f"field {field['name']}: type {field['type']} has no booster encoding")
    return specs


def feature_types(inputs: Sequence[dict[str, Any]]) -> list[str]:
    """XGBoost feature_types: 'int'/'float' for numbers, 'i' (indicator) for one-hot columns."""
    types: list[str] = []
    for field in inputs:
        if field["type"] == "number":
            types.append("int" if field.get("integer") else "float")
        else:
            types.extend("i" for _ in field["categories"])
    return types


def encode(specs: Sequence[dict[str, Any]], columns: dict[str, np.ndarray]) -> np.ndarray:
    """Raw columns (numbers with NaN for missing, categories as str arrays) -> float64 design matrix."""
    n = len(next(iter(columns.values())))
    out = np.empty((n, len(specs)), dtype=np.float64)
    for j, spec in enumerate(specs):
        col = columns[spec["source"]]
        if spec["transform"] == "identity":
            out[:, j] = col.astype(np.float64)
        else:
            out[:, j] = (col == spec["value"]).astype(np.float64)
    return out


def instance_of(inputs: Sequence[dict[str, Any]], columns: dict[str, np.ndarray], i: int) -> dict[str, Any]:
    """Row i as the JSON instance a client sends (null for a missing number)."""
    inst: dict[str, Any] = {}
    for field in inputs:
        value = columns[field["name"]][i]
        if field["type"] == "number":
            v = float(value)
            if math.isnan(v):
                inst[field["name"]] = None
            elif field.get("integer"):
                inst[field["name"]] = int(v)
            else:
                inst[field["name"]] = v
        else:
            inst[field["name"]] = str(value)
    return inst


def encode_instance(specs: Sequence[dict[str, Any]], inst: dict[str, Any]) -> list[float]:
    """One instance -> float64 feature vector (NaN for null), as the server's encoder must produce it."""
    vec: list[float] = []
    for spec in specs:
        raw = inst.get(spec["source"])
        if spec["transform"] == "identity":
            vec.append(math.nan if raw is None else float(raw))
        else:
            vec.append(1.0 if raw == spec["value"] else 0.0)
    return vec


# --- trees ----------------------------------------------------------------------------------------------


def load_trees(model_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    model = json.loads(model_path.read_text())
    return model, model["learner"]["gradient_booster"]["model"]["trees"]


def goes_left(tree: dict[str, Any], node: int, x: np.ndarray) -> bool:
    """XGBoost's rule: missing follows default_left; otherwise left iff value < threshold, in float32."""
    v = x[tree["split_indices"][node]]
    if np.isnan(v):
        return bool(tree["default_left"][node])
    return bool(np.float32(v) < np.float32(tree["split_conditions"][node]))


def path_of(tree: dict[str, Any], x: np.ndarray) -> list[int]:
    """Node ids from the root to the leaf the row reaches."""
    node = 0
    path = [0]
    left, right = tree["left_children"], tree["right_children"]
    while left[node] != -1:
        node = left[node] if goes_left(tree, node, x) else right[node]
        path.append(node)
    return path


def leaf_value(tree: dict[str, Any], x: np.ndarray) -> float:
    return float(tree["split_conditions"][path_of(tree, x)[-1]])


def base_margin(model: dict[str, Any]) -> float:
    """1.7 stores base_score in output space: binary:logistic turns it into log-odds, others use it as is."""
    base = float(model["learner"]["learner_model_param"]["base_score"].strip("[]"))
    if model["learner"]["objective"]["name"] in ("binary:logistic", "binary:logitraw", "reg:logistic"):
        return math.log(base / (1.0 - base))
    return base


def traverse_margins(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """Margin per output group by walking the JSON trees (an independent check of the saved model)."""
    gb = model["learner"]["gradient_booster"]["model"]
    groups = max(1, int(model["learner"]["learner_model_param"]["num_class"]))
    margins = np.full(groups, base_margin(model), dtype=np.float64)
    for tree, group in zip(gb["trees"], gb["tree_info"]):
        margins[group] += leaf_value(tree, x)
    return margins


def split_nodes(trees: Sequence[dict[str, Any]], feature: int) -> list[tuple[int, int, float, bool]]:
    """(tree, node, threshold, default_left) of every split on a feature."""
    found = []
    for t, tree in enumerate(trees):
        for n, (fi, left) in enumerate(zip(tree["split_indices"], tree["left_children"])):
            if left != -1 and fi == feature:
                found.append((t, n, float(tree["split_conditions"][n]), bool(tree["default_left"][n])))
    return found


def missing_directions(trees: Sequence[dict[str, Any]], x: np.ndarray) -> dict[int, set[bool]]:
    """For each feature the row is missing, the default_left values of the splits its paths take on it."""
    seen: dict[int, set[bool]] = {}
    for tree in trees:
        for node in path_of(tree, x)[:-1]:
            fi = tree["split_indices"][node]
            if np.isnan(x[fi]):
                seen.setdefault(fi, set()).add(bool(tree["default_left"][node]))
    return seen


# --- golden rows ----------------------------------------------------------------------------------------


def num_or_null(v: float) -> float | None:
    return None if math.isnan(v) else float(v)


def xgb_outputs(booster: xgb.Booster, names: Sequence[str], X: np.ndarray) -> dict[str, np.ndarray]:
    d = xgb.DMatrix(X, feature_names=list(names), missing=np.nan, nthread=1)
    return {
        "margin": booster.predict(d, output_margin=True),
        "prediction": booster.predict(d),
        "contribs": booster.predict(d, pred_contribs=True),
    }


def golden_rows(
    booster: xgb.Booster,
    names: Sequence[str],
    instances: Sequence[dict[str, Any]],
    vectors: Sequence[Sequence[float]],
    notes: Sequence[str],
) -> list[dict[str, Any]]:
    """XGBoost's own margin, prediction and pred_contribs for each row (float32 values, written exactly)."""
    X = np.array(vectors, dtype=np.float64)
    out = xgb_outputs(booster, names, X)
    rows = []
    for i, inst in enumerate(instances):
        rows.append(
            {
                "instance": inst,
                # The float32 values XGBoost scores (null = missing).
                "features": [num_or_null(f32(v)) if not math.isnan(v) else None for v in X[i]],
                "margin": _tolist(out["margin"][i]),
                "prediction": _tolist(out["prediction"][i]),
                "contribs": _tolist(out["contribs"][i]),
                "note": notes[i],
            }
        )
    return rows


def write_booster_golden(booster: xgb.Booster, model_dir: Path, names: Sequence[str],
                         specs: Sequence[dict[str, Any]], chosen: Sequence[tuple[dict[str, Any], str]],
                         golden_name: str) -> None:
    """Golden rows of `chosen` (instance, note) from XGBoost itself, checked against the JSON trees, written."""
    instances = [c[0] for c in chosen]
    vectors = [encode_instance(specs, inst) for inst in instances]
    rows = golden_rows(booster, names, instances, vectors, [c[1] for c in chosen])
    check_golden_rows(model_dir / "model.json", rows)
    header = {"model_dir": rel(model_dir), "generator": GENERATOR, "feature_names": list(names)}
    write_golden(GOLDEN_DIR / golden_name, header, rows)


def _tolist(a: np.ndarray | np.floating) -> Any:
    if isinstance(a, np.ndarray):
        return [_tolist(v) for v in a]
    return float(a)


def check_golden_rows(model_path: Path, rows: Sequence[dict[str, Any]], rtol: float = 1e-5) -> None:
    """sum(contribs) == margin, and walking the JSON trees gives XGBoost's margin (float32 tolerance)."""
    model, _ = load_trees(model_path)
    for k, row in enumerate(rows):
        x = np.array([math.nan if v is None else v for v in row["features"]], dtype=np.float64)
        margin = np.atleast_1d(np.array(row["margin"], dtype=np.float64))
        contribs = np.array(row["contribs"], dtype=np.float64).reshape(len(margin), -1)
        tol = rtol * np.maximum(1.0, np.abs(contribs).sum(axis=1))
        assert np.all(np.abs(contribs.sum(axis=1) - margin) <= tol), (model_path, k, "contribs", row)
        walked = traverse_margins(model, x)
        assert np.all(np.abs(walked - margin) <= tol), (model_path, k, "walk", walked, margin)


# --- edge-case rows -------------------------------------------------------------------------------------


def threshold_rows(
    model_path: Path,
    inputs: Sequence[dict[str, Any]],
    specs: Sequence[dict[str, Any]],
    pool: Sequence[dict[str, Any]],
    per_feature: int,
    rng: np.random.Generator,
    per_integer_feature: int = 1,
) -> list[tuple[dict[str, Any], str]]:
    """Rows whose value of a numeric field is exactly a split threshold that the row reaches.

    Continuous fields, `per_feature` splits each: the threshold itself (goes right: XGBoost goes left only
    when value < threshold), one float32 ulp below (left) and above (right), and a float64 just below the
    threshold that rounds to it in float32 (right, as XGBoost compares in float32). Integer fields, up to
    `per_integer_feature` splits whose threshold is a whole number (exact splits fall midway between two
    training values, so a gap gives one): the threshold (right) and the threshold - 1 (left).
    """
    _, trees = load_trees(model_path)
    by_name = {f["name"]: f for f in inputs}
    out: list[tuple[dict[str, Any], str]] = []
    for j, spec in enumerate(specs):
        field = by_name[spec["source"]]
        if spec["transform"] != "identity":
            continue
        integer = bool(field.get("integer"))
        wanted = per_integer_feature if integer else per_feature
        lo, hi = field.get("minimum", -math.inf), field.get("maximum", math.inf)
        found = 0
        used: set[tuple[int, int]] = set()
        for attempt in rng.permutation(len(pool)):
            if found >= wanted:
                break
            base = dict(pool[int(attempt)])
            x = np.array(encode_instance(specs, base))
            for t in rng.permutation(len(trees)):
                t = int(t)
                tree = trees[t]
                hit = [n for n in path_of(tree, x)[:-1] if tree["split_indices"][n] == j and (t, n) not in used]
                if not hit:
                    continue
                node = hit[0]
                thr = f32(tree["split_conditions"][node])
                if integer:
                    if not thr.is_integer() or not (lo <= thr - 1 and thr <= hi):
                        continue
                    variants = [(int(thr), "right", "== threshold"), (int(thr) - 1, "left", "threshold - 1")]
                else:
                    if not (lo <= ulp_down(thr) and ulp_up(thr) <= hi):
                        continue
                    variants = [
                        (thr, "right", "== threshold"),
                        (ulp_down(thr), "left", "threshold - 1 float32 ulp"),
                        (ulp_up(thr), "right", "threshold + 1 float32 ulp"),
                        (rounds_to_from_below(thr), "right", "float64 below threshold that rounds to it in float32"),
                    ]
                built = []
                for value, side, what in variants:
                    inst = {**base, spec["source"]: value}
                    p = path_of(tree, np.array(encode_instance(specs, inst)))
                    if node not in p:
                        break
                    went = "left" if p[p.index(node) + 1] == tree["left_children"][node] else "right"
                    assert went == side, (spec["name"], t, node, value, went)
                    note = f"{spec['name']} = {value!r}: {what} (split_condition {thr!r} of tree {t} node {node})"
                    built.append((inst, f"{note}; goes {side} there"))
                if len(built) == len(variants):
                    used.add((t, node))
                    out.extend(built)
                    found += 1
                    break
        if not integer:
            assert found == per_feature, f"no reachable threshold rows for {spec['name']}"
    return out


def missing_rows(
    model_path: Path,
    inputs: Sequence[dict[str, Any]],
    specs: Sequence[dict[str, Any]],
    pool: Sequence[dict[str, Any]],
    per_direction: int,
    rng: np.random.Generator,
) -> list[tuple[dict[str, Any], str]]:
    """Rows with one nullable field null, noting which default branches their paths take on it.

    Up to `per_direction` rows each whose paths meet only default_left=1 splits on the field, only
    default_left=0 splits, or both; a feature split in many trees has only the last kind, so the rest is
    filled with it. Together the rows of a field always take the default branch both ways.
    """
    _, trees = load_trees(model_path)
    index = {s["name"]: j for j, s in enumerate(specs)}
    out: list[tuple[dict[str, Any], str]] = []
    what = {
        "left": "only default_left=1 splits (missing goes left)",
        "right": "only default_left=0 splits (missing goes right)",
        "both": "default_left=1 splits in some trees and default_left=0 in others",
    }
    for field in inputs:
        if not field.get("nullable") or field["type"] != "number":
            continue
        j = index[field["name"]]
        found: dict[str, list[dict[str, Any]]] = {"left": [], "right": [], "both": []}
        for k in rng.permutation(len(pool)):
            inst = dict(pool[int(k)])
            inst[field["name"]] = None
            dirs = missing_directions(trees, np.array(encode_instance(specs, inst))).get(j, set())
            if not dirs:
                continue
            kind = "both" if len(dirs) == 2 else ("left" if True in dirs else "right")
            if len(found[kind]) < 3 * per_direction:
                found[kind].append(inst)
            if all(len(v) >= per_direction for v in found.values()):
                break
        picked = {kind: rows[:per_direction] for kind, rows in found.items()}
        short = 3 * per_direction - sum(len(v) for v in picked.values())
        for kind in ("both", "left", "right"):
            extra = found[kind][len(picked[kind]) : len(picked[kind]) + short]
            picked[kind] += extra
            short -= len(extra)
        assert picked["both"] or (picked["left"] and picked["right"]), f"{field['name']}: one way only"
        for kind, rows in picked.items():
            out.extend((inst, f"{field['name']} null: its paths meet {what[kind]}") for inst in rows)
    return out

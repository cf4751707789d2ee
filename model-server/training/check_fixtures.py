"""Checks the bundles and golden fixtures as written, independently of the scripts that wrote them.

For every golden file: the model it names loads in XGBoost and reproduces each row's margin, prediction and
contributions bit for bit from the row's features; sum(contribs) == margin; walking the JSON trees gives
the margin; the bundle's metadata `features` equal the booster's feature_names; every instance (and the
bundle's example) is valid for the metadata's inputs and encodes to the row's features. The text model's
rows are recomputed from its exported JSON alone. Exits non-zero on the first failure.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

import common
import nlpinsight

METADATA_KEYS = {"name", "version", "kind", "task", "artifact", "classLabels", "inputs", "features", "description",
                 "example"}
MAX_FIXTURE_BYTES = 2 * 1024 * 1024


def check_metadata(bundle: Path) -> dict[str, Any]:
    meta = json.loads((bundle / "metadata.json").read_text(encoding="utf-8"))
    assert set(meta) <= METADATA_KEYS, set(meta) - METADATA_KEYS
    for key in ("name", "version", "kind", "task", "artifact", "inputs", "example"):
        assert key in meta, f"{bundle}: metadata lacks {key}"
    assert meta["kind"] in ("xgboost", "linear-text")
    assert meta["task"] in ("binary_classification", "multiclass_classification", "regression")
    assert (bundle / meta["artifact"]).is_file()
    if meta["task"] != "regression":
        assert meta.get("classLabels"), f"{bundle}: classification without classLabels"
    for field in meta["inputs"]:
        assert field["type"] in ("number", "category", "string"), field
        allowed = {"name", "type", "nullable", "minimum", "maximum", "integer", "description", "categories",
                   "maxLength"}
        assert set(field) <= allowed, field
    assert_valid(meta["inputs"], meta["example"], f"{bundle} example")
    if meta["kind"] == "xgboost":
        model = json.loads((bundle / meta["artifact"]).read_text())
        names = [f["name"] for f in meta["features"]]
        assert names == model["learner"]["feature_names"], (names, model["learner"]["feature_names"])
        by_name = {f["name"]: f for f in meta["inputs"]}
        for spec in meta["features"]:
            source = by_name[spec["source"]]
            if spec["transform"] == "one_hot":
                assert source["type"] == "category" and spec["value"] in source["categories"], spec
                assert set(spec) == {"name", "source", "transform", "value"}
            else:
                assert spec["transform"] == "identity" and source["type"] == "number", spec
                assert set(spec) == {"name", "source", "transform"}
    return meta


def assert_valid(inputs: list[dict[str, Any]], inst: dict[str, Any], where: str) -> None:
    names = {f["name"] for f in inputs}
    assert set(inst) <= names, f"{where}: unknown fields {set(inst) - names}"
    for field in inputs:
        value = inst.get(field["name"])
        if value is None:
            assert field.get("nullable"), f"{where}: {field['name']} is null but not nullable"
            continue
        if field["type"] == "number":
            assert isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), where
            assert field.get("minimum", -math.inf) <= value <= field.get("maximum", math.inf), (where, field, value)
            if field.get("integer"):
                assert float(value).is_integer(), (where, field["name"], value)
        elif field["type"] == "category":
            assert value in field["categories"], (where, field["name"], value)
        else:
            assert isinstance(value, str) and len(value) <= field.get("maxLength", math.inf), where


# Fixture models converted by hand to the XGBoost >= 3.1 form -> the 1.7 model each was converted from.
CONVERTED = {"base-score-v3": "base-score-v1", "base-score-v3-nonhalf": "bare-booster"}


def check_conversion(original: Path, converted: Path) -> None:
    """The converted JSON differs from the original only in base_score (bracketed) and version."""
    a, b = json.loads(original.read_text()), json.loads(converted.read_text())
    base = a["learner"]["learner_model_param"]["base_score"]
    assert b["learner"]["learner_model_param"]["base_score"] == f"[{base}]"
    assert b["version"] == [3, 1, 0]
    b["learner"]["learner_model_param"]["base_score"], b["version"] = base, a["version"]
    assert a == b, converted


def check_xgboost_golden(path: Path) -> str:
    golden = json.loads(path.read_text(encoding="utf-8"))
    model_dir = common.REPO_ROOT / golden["model_dir"]
    model_path = model_dir / "model.json"
    model = json.loads(model_path.read_text())
    names = model["learner"]["feature_names"]
    assert golden["feature_names"] == names
    meta = check_metadata(model_dir) if (model_dir / "metadata.json").exists() else None
    specs = meta["features"] if meta else [{"name": n, "source": n, "transform": "identity"} for n in names]
    inputs = meta["inputs"] if meta else [{"name": n, "type": "number", "nullable": True} for n in names]

    rows = golden["rows"]
    X = np.array([[math.nan if v is None else v for v in r["features"]] for r in rows], dtype=np.float64)
    # A model converted by hand to a newer format is scored with the 1.7 original it came from (1.7 cannot
    # read a bracketed base_score); the tree walk below still reads the converted file itself.
    source = model_dir
    if model_dir.name in CONVERTED:
        source = model_dir.parent / CONVERTED[model_dir.name]
        check_conversion(source / "model.json", model_path)
    booster = xgb.Booster(model_file=str(source / "model.json"))
    got = common.xgb_outputs(booster, names, X)
    for i, row in enumerate(rows):
        assert_valid(inputs, row["instance"], f"{path.name} row {i}")
        encoded = [math.nan if v is None else common.f32(v) for v in common.encode_instance(specs, row["instance"])]
        assert np.array_equal(np.array(encoded), X[i], equal_nan=True), (path.name, i)
        for key in ("margin", "prediction", "contribs"):
            want = np.array(row[key], dtype=np.float32)
            assert np.array_equal(got[key][i], want), (path.name, i, key)
    common.check_golden_rows(model_path, rows)
    missing = sum(1 for r in rows if any(v is None for v in r["features"]))
    return f"{path.name}: {len(rows)} rows ({missing} with missing values), model {model_path.stat().st_size} B"


def check_text_golden(path: Path) -> str:
    golden = json.loads(path.read_text(encoding="utf-8"))
    model_dir = common.REPO_ROOT / golden["model_dir"]
    meta = check_metadata(model_dir)
    model = json.loads((model_dir / meta["artifact"]).read_text(encoding="utf-8"))
    expected_keys = ["format", "lowercase", "token_pattern", "ngram_range", "norm", "use_idf", "smooth_idf",
                     "sublinear_tf", "vocabulary", "idf", "coef", "intercept", "feature_mean", "classes"]
    assert list(model) == expected_keys, list(model)
    n = len(model["vocabulary"])
    assert sorted(model["vocabulary"].values()) == list(range(n))
    assert len(model["idf"]) == len(model["coef"]) == len(model["feature_mean"]) == n
    assert model["classes"] == meta["classLabels"]
    for i, row in enumerate(golden["rows"]):
        assert_valid(meta["inputs"], row["instance"], f"{path.name} row {i}")
    nlpinsight.check_golden(model_dir / meta["artifact"], golden["rows"])
    return f"{path.name}: {len(golden['rows'])} rows, vocabulary {n}"


def main() -> None:
    reports = []
    for path in sorted(common.GOLDEN_DIR.glob("*.json")):
        assert path.stat().st_size < MAX_FIXTURE_BYTES, path
        golden = json.loads(path.read_text(encoding="utf-8"))
        text = "tokens" in golden["rows"][0]
        reports.append(check_text_golden(path) if text else check_xgboost_golden(path))
    bundles = sorted(p.parent.name for p in common.MODELS_DIR.glob("*/metadata.json"))
    assert bundles == ["bankchurn", "chicagotaxi", "nlpinsight"], bundles
    print("\n".join(reports))
    print("all fixtures check out")


if __name__ == "__main__":
    main()

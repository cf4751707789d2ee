"""The baseline the Node.js server is measured against: the FastAPI service a team writes for one XGBoost
model, as it would run in production (uvicorn with uvloop + httptools, one worker, access log off).

It serves the same bundle as the Node server (default: model-server/models/bankchurn) with the same
request and response shapes:

    POST /v1/models/<name>:predict   {"instances": [...], "parameters": {"explain": bool}}
      -> {"predictions": [{label, probability, probabilities, explanation?}]}

Requests are validated with pydantic models built from the bundle's metadata.json (the same validators a
hand-written `class Instance(BaseModel): CreditScore: conint(ge=300, le=850) ...` gets); raw records are
encoded with the metadata's one-hot rules; probabilities come from `Booster.inplace_predict`, SHAP values
from `Booster.predict(DMatrix, pred_contribs=True)`. Prometheus metrics (a request counter and latency
histograms) are served by prometheus_client on METRICS_PORT, as the Node server serves them on its own.

Choices made in the baseline's favour, so the comparison is conservative: handlers are `async def` (no
thread-pool hop per request), responses are plain dicts (no response_model validation), one booster thread
(OMP_NUM_THREADS=1 and nthread=1: the process is pinned to one core).

Run (bench/run.ts does this):
    OMP_NUM_THREADS=1 MODEL_DIR=model-server/models/bankchurn METRICS_PORT=9091 \
      /usr/bin/python3 -m uvicorn app:app --app-dir bench/baseline --host 127.0.0.1 --port 8081 \
      --loop uvloop --http httptools --no-access-log --log-level warning
"""

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Dict, List, Literal, Optional

import numpy as np
import xgboost as xgb
from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse
from prometheus_client import Counter, Histogram, start_http_server
from pydantic import BaseModel, Extra, confloat, conint, conlist, constr, create_model

DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[2] / "model-server" / "models" / "bankchurn"
MODEL_DIR = Path(os.environ.get("MODEL_DIR", str(DEFAULT_MODEL_DIR)))
METRICS_PORT = int(os.environ.get("METRICS_PORT", "9091"))
MAX_BATCH = int(os.environ.get("MAX_BATCH", "1000"))

METADATA: Dict[str, Any] = json.loads((MODEL_DIR / "metadata.json").read_text())
MODEL_NAME: str = os.environ.get("MODEL_NAME", METADATA["name"])
if METADATA["kind"] != "xgboost" or METADATA["task"] != "binary_classification":
    raise SystemExit(f"baseline serves binary XGBoost bundles only, not {METADATA['kind']}/{METADATA['task']}")

CLASS_LABELS: List[str] = list(METADATA["classLabels"])
FEATURES: List[Dict[str, Any]] = list(METADATA["features"])
FEATURE_NAMES: List[str] = [f["name"] for f in FEATURES]


class Config:
    extra = Extra.forbid


def _field_type(field: Dict[str, Any]) -> Any:
    if field["type"] == "category":
        annotation: Any = Literal[tuple(field["categories"])]
    elif field["type"] == "string":
        annotation = constr(max_length=field.get("maxLength"))
    elif field.get("integer"):
        annotation = conint(ge=field.get("minimum"), le=field.get("maximum"))
    else:
        annotation = confloat(ge=field.get("minimum"), le=field.get("maximum"), allow_inf_nan=False)
    if field.get("nullable"):
        return (Optional[annotation], None)
    return (annotation, ...)


Instance = create_model(  # type: ignore[call-overload]
    "Instance", __config__=Config, **{f["name"]: _field_type(f) for f in METADATA["inputs"]}
)


class Parameters(BaseModel):
    explain: bool = False

    class Config:
        extra = Extra.forbid


class PredictRequest(BaseModel):
    instances: conlist(Instance, min_items=1, max_items=MAX_BATCH)  # type: ignore[valid-type]
    parameters: Parameters = Parameters()

    class Config:
        extra = Extra.forbid


REQUESTS = Counter(f"{MODEL_NAME}_requests_total", "Prediction requests", ["route", "status"])
PREDICT_LATENCY = Histogram(f"{MODEL_NAME}_prediction_latency_seconds", "Time to score a request")
EXPLAIN_LATENCY = Histogram(f"{MODEL_NAME}_explain_latency_seconds", "Time to compute SHAP values")

booster: Optional[xgb.Booster] = None
ready = False
app = FastAPI(title=f"{MODEL_NAME} baseline")


def encode(instances: List[BaseModel]) -> np.ndarray:
    rows = []
    for instance in instances:
        record = instance.dict()
        row = []
        for spec in FEATURES:
            value = record.get(spec["source"])
            if spec["transform"] == "one_hot":
                row.append(1.0 if value == spec["value"] else 0.0)
            else:
                row.append(math.nan if value is None else float(value))
        rows.append(row)
    return np.asarray(rows, dtype=np.float32)


def explain(matrix: np.ndarray) -> List[Dict[str, Any]]:
    assert booster is not None
    contribs = booster.predict(xgb.DMatrix(matrix, feature_names=FEATURE_NAMES), pred_contribs=True)
    explanations = []
    for row in contribs:
        contributions = {name: float(v) for name, v in zip(FEATURE_NAMES, row[:-1])}
        fields: Dict[str, float] = {}
        for spec, v in zip(FEATURES, row[:-1]):
            fields[spec["source"]] = fields.get(spec["source"], 0.0) + float(v)
        base = float(row[-1])
        explanations.append(
            {
                "baseValue": base,
                "margin": base + sum(contributions.values()),
                "contributions": contributions,
                "fieldContributions": fields,
                "outputSpace": "log_odds",
            }
        )
    return explanations


def predict(instances: List[BaseModel], want_explanation: bool) -> List[Dict[str, Any]]:
    assert booster is not None
    started = time.perf_counter()
    matrix = encode(instances)
    probabilities = booster.inplace_predict(matrix)
    predictions = []
    for p in probabilities:
        p = float(p)
        predictions.append(
            {
                "label": CLASS_LABELS[1] if p >= 0.5 else CLASS_LABELS[0],
                "probability": p,
                "probabilities": {CLASS_LABELS[0]: 1.0 - p, CLASS_LABELS[1]: p},
            }
        )
    PREDICT_LATENCY.observe(time.perf_counter() - started)
    if want_explanation:
        started = time.perf_counter()
        for prediction, explanation in zip(predictions, explain(matrix)):
            prediction["explanation"] = explanation
        EXPLAIN_LATENCY.observe(time.perf_counter() - started)
    return predictions


@app.on_event("startup")
def load_model() -> None:
    global booster, ready
    loaded = xgb.Booster()
    loaded.load_model(str(MODEL_DIR / METADATA["artifact"]))
    loaded.set_param({"nthread": 1})
    booster = loaded
    # Self-test with the bundle's example before answering ready, as the Node server does.
    predict([Instance(**METADATA["example"])], True)
    start_http_server(METRICS_PORT, addr="127.0.0.1")
    ready = True


@app.get("/health/live")
async def live() -> Dict[str, str]:
    return {"status": "live"}


@app.get("/health/ready")
async def health_ready() -> JSONResponse:
    if not ready:
        return JSONResponse({"status": "not ready"}, status_code=503)
    return JSONResponse({"status": "ready"})


@app.post(f"/v1/models/{MODEL_NAME}:predict")
async def predict_route(request: PredictRequest, explain: bool = Query(False)) -> Dict[str, Any]:
    route = "/v1/models/{model}:predict"
    try:
        predictions = predict(request.instances, explain or request.parameters.explain)
    except Exception:
        REQUESTS.labels(route, "500").inc()
        raise HTTPException(status_code=500, detail="prediction failed")
    REQUESTS.labels(route, "200").inc()
    return {"predictions": predictions}

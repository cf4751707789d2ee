"""nlpinsight: short customer reviews -> negative/positive (TF-IDF + logistic regression).

Reviews are generated from word lists in several languages (including non-ASCII words such as "café",
"naïve", "übercool", "señor", "日本", "très bon"), product names and filler; the label follows the
polarity of the sentiment words (a negation flips the next one) plus noise.

Writes model-server/models/nlpinsight/{model.json,metadata.json} (format "tfidf-logreg/v1", see
README.md) and test/model-server/fixtures/golden/nlpinsight.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, roc_auc_score

import common

SEED = 20240613
ROWS = 12_000
CLASSES = ["negative", "positive"]

# word -> polarity weight
POSITIVE = {
    "great": 1.2, "excellent": 1.5, "love": 1.3, "loved": 1.3, "amazing": 1.4, "perfect": 1.5, "wonderful": 1.3,
    "fantastic": 1.4, "happy": 1.0, "recommend": 1.1, "delicious": 1.2, "friendly": 0.9, "fast": 0.7,
    "helpful": 0.9, "superb": 1.4, "brilliant": 1.3, "good": 0.8, "nice": 0.7, "awesome": 1.3, "smooth": 0.6,
    "reliable": 0.8, "comfortable": 0.7, "clean": 0.6, "fresh": 0.6, "enjoyed": 1.0, "satisfied": 0.9,
    "best": 1.2, "impressive": 1.1, "cheerful": 0.7, "übercool": 1.3, "génial": 1.3, "magnifique": 1.3,
    "increíble": 1.3, "excelente": 1.3, "gut": 0.8, "très bon": 1.4, "sehr gut": 1.2, "最高": 1.4,
    "素晴らしい": 1.4, "bon": 0.8, "gemütlich": 0.8, "délicieux": 1.2, "encantador": 1.0, "10/10": 1.2,
}
NEGATIVE = {
    "terrible": -1.5, "awful": -1.5, "bad": -1.0, "worst": -1.6, "broken": -1.2, "slow": -0.8, "rude": -1.2,
    "disappointed": -1.3, "disappointing": -1.3, "refund": -1.0, "dirty": -1.0, "cold": -0.5,
    "overpriced": -0.9, "poor": -1.0, "horrible": -1.5, "useless": -1.3, "late": -0.7, "waste": -1.2,
    "naïve": -0.6, "mauvais": -1.1, "schlecht": -1.1, "malo": -1.1, "nul": -1.2, "最悪": -1.5,
    "problem": -0.8, "issue": -0.6, "broke": -1.1, "noisy": -0.7, "stale": -0.8, "bland": -0.7,
    "crashed": -1.0, "error": -0.7, "missing": -0.7, "delayed": -0.7, "décevant": -1.2, "enttäuschend": -1.2,
    "lamentable": -1.3, "übel": -1.0, "1/10": -1.2, "meh": -0.5,
}
NEUTRAL_NOUNS = [
    "café", "señor", "日本", "restaurant", "hotel", "product", "service", "staff", "food", "delivery", "app",
    "phone", "room", "price", "order", "package", "waiter", "menu", "coffee", "team", "support", "weekend",
    "morning", "evening", "breakfast", "lunch", "dinner", "battery", "screen", "charger", "store", "shop",
    "manager", "table", "terrace", "bill", "parking", "website", "checkout", "size", "color", "quality",
    "Straße", "crème", "brûlée", "piñata", "jalapeño", "façade", "smörgåsbord", "crêpe", "東京", "ラーメン",
    "Zürich", "São", "Paulo", "México", "Köln", "Kraków", "Ærø", "Øresund", "naïveté", "résumé", "user_id",
    "wifi", "v2", "x200", "4k", "2023", "2024", "7pm", "pm", "am", "euros", "dollars", "minutes", "hours",
]
FILLER = [
    "the", "was", "is", "it", "and", "but", "this", "that", "with", "for", "our", "my", "we", "they", "very",
    "really", "quite", "so", "too", "at", "in", "on", "of", "to", "from", "again", "there", "here", "overall",
    "also", "just", "still", "after", "before", "would", "will", "had", "have", "has", "been", "a", "i", "an",
]
NEGATIONS = ["not", "never", "no", "hardly", "nicht", "pas", "nunca"]
INTENSIFIERS = ["very", "really", "extremely", "super", "sehr", "muy", "trop", "so"]
EMOJI = ["😊", "👍", "😡", "🙁", "✨", "!!!", "...", "?!", ":)", ":(", "—", "…"]

VECTORIZER = {"lowercase": True, "token_pattern": r"(?u)\b\w\w+\b", "ngram_range": (1, 1), "min_df": 2,
              "max_features": 4000, "norm": "l2", "use_idf": True, "smooth_idf": True, "sublinear_tf": False}


def product_names(rng: np.random.Generator, n: int) -> list[str]:
    """Pseudo-words for brands, dishes and places: the long tail of a real review vocabulary."""
    onsets = ["b", "k", "z", "v", "tr", "pl", "m", "n", "s", "d", "gr", "fl", "ch", "r", "l", "qu", "x", "st"]
    vowels = ["a", "e", "i", "o", "u", "ou", "ai", "é", "ö", "ü", "ä", "ie"]
    codas = ["", "n", "x", "s", "r", "lt", "m", "nd", "k", "t"]
    names: set[str] = set()
    while len(names) < n:
        syllables = int(rng.integers(2, 4))
        word = "".join(
            rng.choice(onsets) + rng.choice(vowels) + (rng.choice(codas) if s == syllables - 1 else "")
            for s in range(syllables)
        )
        names.add(word)
    return sorted(names)


def generate(n: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    names = product_names(np.random.default_rng(seed + 7), 2600)
    zipf = 1.0 / np.arange(1, len(names) + 1) ** 0.9
    zipf /= zipf.sum()
    pos_words, neg_words = list(POSITIVE), list(NEGATIVE)
    texts: list[str] = []
    labels = np.empty(n)
    for i in range(n):
        mood = rng.normal(0, 1)  # the reviewer's overall experience
        score = 0.0
        words: list[str] = []
        for _ in range(int(rng.integers(1, 5))):
            sentence: list[str] = []
            sentence += list(rng.choice(FILLER, size=int(rng.integers(1, 4))))
            if rng.random() < 0.6:
                sentence.append(str(rng.choice(NEUTRAL_NOUNS)))
            if rng.random() < 0.6:
                sentence.append(str(rng.choice(names, p=zipf)))
            for _ in range(int(rng.integers(0, 3))):
                positive = rng.random() < 1 / (1 + np.exp(-1.8 * mood))
                word = str(rng.choice(pos_words if positive else neg_words))
                weight = (POSITIVE if positive else NEGATIVE)[word]
                if rng.random() < 0.12:
                    sentence.append(str(rng.choice(NEGATIONS)))
                    weight = -0.7 * weight
                elif rng.random() < 0.2:
                    sentence.append(str(rng.choice(INTENSIFIERS)))
                    weight *= 1.3
                sentence.append(word)
                score += weight
            opening = sentence[:-2] if len(sentence) > 2 else sentence
            rng.shuffle(opening)
            sentence[: len(opening)] = opening
            text = " ".join(sentence)
            if rng.random() < 0.3:
                text = text.capitalize()
            if rng.random() < 0.05:
                text = text.upper()
            words.append(text + str(rng.choice([".", "!", "", ",", "?", " " + str(rng.choice(EMOJI))])))
        texts.append(" ".join(words))
        labels[i] = float(score + 0.6 * mood + rng.normal(0, 0.6) > 0)
    return texts, labels


EDGE_CASES = [
    ("", "empty string"),
    ("   \t\n ", "whitespace only"),
    ("a b c I x", "single-character words only (no token: the pattern needs two word characters)"),
    ("!!! ??? ... --- :) 😊👍", "punctuation and emoji only"),
    ("Café TRÈS BON!!! 👍 Señor was übercool", "mixed case non-ASCII, lowercased before matching"),
    ("très bon, très bon, TRÈS BON", "repeated words (term frequency 3)"),
    ("The crème brûlée at the café was naïve but délicieux", "accented words (precomposed NFC)"),
    ("The cafe\u0301 was nai\u0308ve", "decomposed NFD accents: combining marks are not \\w, so words split"),
    ("İstanbul İzmir ISTANBUL", "capital dotted I lowercases to i + U+0307 (a combining mark)"),
    ("STRASSE Straße GROẞE", "German sharp s: capital ẞ lowercases to ß"),
    ("ΟΔΟΣ ΚΑΛΟΣ Σ", "Greek capital sigma lowercases to final ς at word end"),
    ("日本のカフェ最高 日本 最高 東京", "CJK runs without spaces are one token"),
    ("10/10 would buy again 2024, 4k screen x200 v2", "digits and alphanumerics"),
    ("user_id __init__ snake_case_word _ __", "underscores are word characters"),
    ("don't won't I'm it's", "apostrophes split words (n't -> 't' is dropped)"),
    ("well-made, high-quality; fast/cheap", "hyphens and slashes split words"),
    ("good\u00a0service\u200bgreat\u2009food", "no-break space, zero-width space, thin space separate words"),
    ("½ ²³ x² 3½", "Unicode numeric characters count as word characters"),
    ("𝐠𝐫𝐞𝐚𝐭 ＧＲＥＡＴ great", "mathematical bold (astral plane) and fullwidth letters are distinct tokens"),
    ("zzqx qqqq vvvv wwww", "only out-of-vocabulary tokens: features empty, decision = intercept"),
    ("terrible awful worst horrible useless", "strongly negative"),
    ("excellent perfect superb fantastic amazing", "strongly positive"),
    ("Not good. Not bad. 最悪 but 最高", "mixed polarity"),
    ("GREAT Great great gReAt", "mixed case of one word"),
]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", help="also write the generated data set to this CSV file")
    args = parser.parse_args(argv)

    texts, y = generate(ROWS, SEED)
    labels = np.array([CLASSES[int(v)] for v in y])
    if args.csv:
        with open(args.csv, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["text", "label"])
            w.writerows(zip(texts, labels))

    n_train = int(ROWS * 0.8)
    vectorizer = TfidfVectorizer(**VECTORIZER)
    X_train = vectorizer.fit_transform(texts[:n_train])
    X_test = vectorizer.transform(texts[n_train:])
    clf = LogisticRegression(C=2.0, max_iter=2000, random_state=SEED)
    clf.fit(X_train, labels[:n_train])
    assert list(clf.classes_) == CLASSES
    round_weights(clf)
    p = clf.predict_proba(X_test)[:, 1]
    metrics = {
        "rows": ROWS, "train_rows": n_train, "test_rows": ROWS - n_train,
        "positive_rate": round(float(y.mean()), 4), "vocabulary": len(vectorizer.vocabulary_),
        "test_accuracy": round(float(accuracy_score(y[n_train:], p >= 0.5)), 4),
        "test_auc": round(float(roc_auc_score(y[n_train:], p)), 4),
    }

    vocabulary = {tok: int(i) for tok, i in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])}
    artifact = {
        "format": "tfidf-logreg/v1",
        "lowercase": True,
        "token_pattern": VECTORIZER["token_pattern"],
        "ngram_range": list(VECTORIZER["ngram_range"]),
        "norm": "l2",
        "use_idf": True,
        "smooth_idf": True,
        "sublinear_tf": False,
        "vocabulary": vocabulary,
        "idf": [float(v) for v in vectorizer.idf_],
        "coef": [float(v) for v in clf.coef_[0]],
        "intercept": float(clf.intercept_[0]),
        "feature_mean": [float(v) for v in np.asarray(X_train.mean(axis=0)).ravel()],
        "classes": CLASSES,
    }
    bundle = common.MODELS_DIR / "nlpinsight"
    common.write_json(bundle / "model.json", artifact, indent=None)
    example = {"text": "The café was übercool and the staff very friendly, très bon!"}
    common.write_json(
        bundle / "metadata.json",
        {
            "name": "nlpinsight",
            "version": "1.0.0",
            "kind": "linear-text",
            "task": "binary_classification",
            "artifact": "model.json",
            "classLabels": CLASSES,
            "inputs": [{"name": "text", "type": "string", "maxLength": 5000,
                        "description": "The review text (any language; up to 5000 characters)"}],
            "description": (
                "Sentiment of a short customer review (synthetic seeded data, several languages). scikit-learn "
                f"{sklearn.__version__} TfidfVectorizer (unigrams, {metrics['vocabulary']} terms) + "
                f"LogisticRegression; held-out accuracy {metrics['test_accuracy']}."
            ),
            "example": example,
        },
    )
    write_golden(vectorizer, clf, texts[n_train:], bundle, example)
    print("nlpinsight", metrics)


# The solver's last digits depend on the BLAS build and the CPU it runs on (up to 6e-13 seen between two
# machines). lbfgs stops at tol=1e-4, so digits past the sixth decimal are solver noise the model cannot
# feel: rounding there makes every machine write the same bytes, unless a weight lands within that noise of
# a rounding boundary (the 1,762 weights moved 7.7e-11 in total between two CPUs: about once in 13,000
# retrains). Everything after this (metrics, the exported model, the golden rows) uses the rounded weights.
WEIGHT_DECIMALS = 6


def round_weights(clf: LogisticRegression) -> None:
    clf.coef_ = np.round(clf.coef_, WEIGHT_DECIMALS)
    clf.intercept_ = np.round(clf.intercept_, WEIGHT_DECIMALS)


def write_golden(vectorizer, clf, held_out: list[str], bundle, example) -> None:
    rng = np.random.default_rng(SEED + 1)
    chosen = [(example["text"], "the bundle's example")]
    chosen += [(held_out[int(i)], f"held-out review {int(i)}") for i in rng.choice(len(held_out), 160, False)]
    chosen += EDGE_CASES
    # As long as maxLength allows in UTF-16 code units (what JavaScript's length counts; emoji take two).
    words = " ".join(held_out[:200]).split(" ")
    while len(" ".join(words).encode("utf-16-le")) // 2 > 5000:
        words.pop()
    long_text = " ".join(words)
    units = len(long_text.encode("utf-16-le")) // 2
    chosen.append((long_text, f"long review: {units} UTF-16 code units, {len(long_text)} code points (maxLength 5000)"))

    analyzer = vectorizer.build_analyzer()
    texts = [c[0] for c in chosen]
    X = vectorizer.transform(texts).tocsr()
    decision = clf.decision_function(X)
    proba = clf.predict_proba(X)
    rows = []
    for i, (text, note) in enumerate(chosen):
        row = X.getrow(i)
        order = np.argsort(row.indices)
        rows.append({
            "instance": {"text": text},
            "tokens": analyzer(text),
            "features": {str(int(row.indices[k])): float(row.data[k]) for k in order},
            "decision": float(decision[i]),
            "proba": [float(proba[i, 0]), float(proba[i, 1])],
            "note": note,
        })
    check_golden(bundle / "model.json", rows)
    common.write_golden(
        common.GOLDEN_DIR / "nlpinsight.json",
        {"model_dir": common.rel(bundle), "generator": f"scikit-learn {sklearn.__version__}"},
        rows,
    )


def check_golden(model_path, rows) -> None:
    """Recompute every row from the exported JSON alone (what the server does) and compare with sklearn."""
    import math
    import re

    m = json.loads(model_path.read_text(encoding="utf-8"))
    pattern = re.compile(m["token_pattern"])
    idf, coef, mean = np.array(m["idf"]), np.array(m["coef"]), np.array(m["feature_mean"])
    for row in rows:
        tokens = pattern.findall(row["instance"]["text"].lower())
        assert tokens == row["tokens"], (tokens, row["tokens"])
        x = np.zeros(len(idf))
        for tok in tokens:
            if tok in m["vocabulary"]:
                x[m["vocabulary"][tok]] += 1.0
        x *= idf
        norm = math.sqrt(float(np.dot(x, x)))
        if norm > 0:
            x /= norm
        want = np.zeros(len(idf))
        for k, v in row["features"].items():
            want[int(k)] = v
        assert np.allclose(x, want, rtol=1e-12, atol=1e-15), row["note"]
        decision = float(np.dot(coef, x) + m["intercept"])
        assert abs(decision - row["decision"]) <= 1e-9 * max(1.0, abs(decision)), row["note"]
        # Exact linear SHAP: base = intercept + coef . mean; contributions coef_j (x_j - mean_j).
        shap = coef * (x - mean)
        base = m["intercept"] + float(np.dot(coef, mean))
        assert abs(base + shap.sum() - row["decision"]) <= 1e-9 * max(1.0, abs(decision)), row["note"]
        p = 1 / (1 + math.exp(-decision))
        assert abs(p - row["proba"][1]) <= 1e-12 and abs(1 - p - row["proba"][0]) <= 1e-12, row["note"]


if __name__ == "__main__":
    main(sys.argv[1:])

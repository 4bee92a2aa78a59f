"""The candidate model stage of `eval/cv.py`: features of each mention of a role's words and
small logistic fits over them (numpy only), for the forward cross-validation; not part of the ETL
(the cross-validation chose no model stage: see eval/CV.md).

Features are traceable: each one is a fact about one mention of the role's anchor words
(`hn_role_terms.csv`'s *_ANCHOR terms): the mention's own word, the words just before and after
it on its line, and the shape of its line (first line, header field, bullet, short line, a hiring
word on the line or just above, an engineer noun after it ...), kept with the character offsets
of the mention it fired at (never the text). A posting's features are those of any of its
mentions (`posting_features`); the mention-level model scores each mention alone (`fit_mil`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from etl.transform.hn_roles import ANCHOR_TERMS, load_role_terms

WINDOW = 4  # tokens either side of a mention, on its line
ABOVE_CHARS = 200  # how far above a mention's line a hiring word counts (a list under its intro)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#.'-]*[a-z0-9+#]|[a-z0-9]")
_LINE_HIRE = re.compile(
    r"\b(?:hiring|hire|looking\s+for|seeking|searching\s+for|recruiting|positions?|openings?|"
    r"roles?|vacanc(?:y|ies)|jobs?|join|opportunit(?:y|ies))\b"
)
_ENGINEER = re.compile(r"\b(?:engineers?|engineering|developers?|devs?|eng|hackers?)\b")
_BULLET = re.compile(r"^[ \t]*(?:[-*•·◦●>+]|\d+[.)])")
_URL = re.compile(r"https?://|www\.")


# LABELLING.md: scientist and researcher titles count as none of the roles ("ML Scientist",
# "NLP Researcher"), so a mention that names one is no evidence of an ML or AI opening
NONE_TITLE_AFTER = re.compile(r"^[\s/&,-]*(?:[a-z]+[\s-]+)?(?:scientists?|researchers?)\b")
NO_TITLE_FILTER = ("data_scientist",)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    features: tuple[str, ...]


def _word_end(text: str, end: int) -> int:
    while end < len(text) and (text[end].isalnum() or text[end] in "-"):
        end += 1
    return end


def _tokens(s: str) -> list[str]:
    return _TOKEN.findall(s)


def mentions(text: str, anchor: re.Pattern[str], titles: bool = True) -> list[Mention]:
    """Each mention of the role's anchor words in `text` with its features; not a mention: a
    domain name ('acme.ai', 'ml.example.com') and, when `titles`, the words of a scientist or
    researcher title (NONE_TITLE_AFTER)."""
    low = text.lower()
    out = []
    for m in anchor.finditer(low):
        start, end = m.start(), _word_end(low, m.end())
        if low[start - 1 : start] in (".", "@") or re.match(r"\.[a-z]", low[end : end + 2]):
            continue
        if titles and NONE_TITLE_AFTER.match(low[end : end + 40]):
            continue
        line_start = low.rfind("\n", 0, start) + 1
        line_end = low.find("\n", end)
        line_end = len(low) if line_end < 0 else line_end
        line = low[line_start:line_end]
        before, after = _tokens(low[line_start:start]), _tokens(low[end:line_end])
        above = low[max(0, line_start - ABOVE_CHARS) : line_start]
        word = re.sub(r"[\s-]+", "_", low[start:end].strip())
        f = [f"term={word}"]
        f += [f"b:{t}" for t in before[-WINDOW:]] + [f"a:{t}" for t in after[:WINDOW]]
        f.append(f"b1={before[-1]}" if before else "b1=<line>")
        f.append(f"a1={after[0]}" if after else "a1=<line>")
        if len(before) >= 2:
            f.append(f"b2={before[-2]}_{before[-1]}")
        if len(after) >= 2:
            f.append(f"a2={after[0]}_{after[1]}")
        if line_start == 0:
            f.append("line:first")
        if "|" in line:
            f.append("line:field")
        if _BULLET.match(line):
            f.append("line:bullet")
        if len(line.strip()) <= 60:
            f.append("line:short")
        if len(after) <= 2:
            f.append("line:ends_soon")
        if _LINE_HIRE.search(line):
            f.append("line:hire")
        if _LINE_HIRE.search(above):
            f.append("above:hire")
        if _ENGINEER.search(" ".join(after[:3])):
            f.append("near:engineer_after")
        if _ENGINEER.search(" ".join(before[-3:])):
            f.append("near:engineer_before")
        if line.count(",") + line.count("/") + line.count("|") >= 2:
            f.append("line:list")
        if low.rfind("(", line_start, start) > low.rfind(")", line_start, start):
            f.append("in:brackets")
        if ":" in low[line_start:start]:
            f.append("after:colon")
        if _URL.search(line):
            f.append("line:url")
        if text[start:end][:1].isupper():
            f.append("case:capital")
        out.append(Mention(start, end, tuple(dict.fromkeys(f))))
    return out


def posting_features(
    text: str, anchor: re.Pattern[str], titles: bool = True
) -> dict[str, tuple[int, int]]:
    """Feature -> (start, end) of the first mention it fired at; {} when no mention."""
    found: dict[str, tuple[int, int]] = {}
    ms = mentions(text, anchor, titles)
    for m in ms:
        for f in m.features:
            found.setdefault(f, (m.start, m.end))
    if ms:
        count = len(ms)
        found["posting:mentions>=2" if count >= 2 else "posting:mentions=1"] = (
            ms[0].start,
            ms[0].end,
        )
        if count >= 4:
            found["posting:mentions>=4"] = (ms[0].start, ms[0].end)
    return found


def fit_mil(
    bags: list[list[Mention]], y: np.ndarray, l2: float, rounds: int = 3
) -> tuple[dict[str, float], float]:
    """A mention-level logistic model from posting labels (multiple-instance learning): a posting
    is an opening when one of its mentions is. First every mention of an opening counts as
    positive; then, `rounds` times, only its mentions scored >= 0.5, or its best one, do."""
    rows = [m.features for bag in bags for m in bag]
    owner = np.array([i for i, bag in enumerate(bags) for _ in bag], dtype=int)
    ys = y[owner].astype(float)
    weights, intercept = fit_logistic(rows, ys, l2)
    for _ in range(rounds):
        z = np.array([intercept + sum(weights.get(f, 0.0) for f in r) for r in rows])
        new = np.zeros(len(rows))
        for i in np.flatnonzero(y > 0):
            at = np.flatnonzero(owner == i)
            if len(at):
                new[at[z[at] >= 0]] = 1.0
                new[at[np.argmax(z[at])]] = 1.0
        if np.array_equal(new, ys):
            break
        ys = new
        weights, intercept = fit_logistic(rows, ys, l2)
    return weights, intercept


def anchors() -> dict[str, re.Pattern[str]]:
    terms = load_role_terms()
    return {role: re.compile(terms[name]) for role, name in ANCHOR_TERMS.items()}


def role_features(role: str, text: str, anchor: re.Pattern[str]) -> dict[str, tuple[int, int]]:
    """`posting_features` of `text` for `role` (the title filter for the ML and AI roles)."""
    return posting_features(text, anchor, role not in NO_TITLE_FILTER)


@dataclass
class RoleModel:
    """One role's logistic model over posting features: weight per feature, intercept."""

    weights: dict[str, float]
    intercept: float

    def score(self, feats: dict[str, tuple[int, int]]) -> float:
        if not feats:
            return 0.0
        z = self.intercept + sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z))


def fit_logistic(
    rows: list, y: np.ndarray, l2: float, min_postings: int = 3
) -> tuple[dict[str, float], float]:
    """L2-penalised logistic regression on binary features (those of at least `min_postings`
    rows), by Newton's method; returns (weights, intercept)."""
    counts: dict[str, int] = {}
    for r in rows:
        for f in r:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, c in counts.items() if c >= min_postings)
    index = {f: i for i, f in enumerate(vocab)}
    x = np.zeros((len(rows), len(vocab) + 1))
    x[:, -1] = 1.0
    for i, r in enumerate(rows):
        for f in r:
            if f in index:
                x[i, index[f]] = 1.0
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 1e-6  # the intercept is not penalised
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    weights = {f: float(w[i]) for f, i in index.items() if abs(w[i]) >= 1e-4}
    return weights, float(w[-1])

"""Skill tables and statistics: shares per group, weighted log-odds (pooled and within strata),
co-occurrence, and the per definition x role x year aggregates the dashboard sums."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd


def skill_shares(
    posting_skills: pd.DataFrame,
    posting_roles: pd.DataFrame,
    group_cols: Sequence[str] = ("role",),
) -> pd.DataFrame:
    """Share of a group's postings that mention each skill.

    `posting_roles` has one row per (posting_id, role) plus any period columns named in
    `group_cols` (e.g. `posted_month`). The denominator `role_postings` is the number of
    distinct postings in the group, whether or not they mention any skill. Output columns:
    the group columns, `skill`, `category`, `postings_with_skill`, `role_postings`,
    `posting_share_pct` (100 * with / role_postings); skills never mentioned in a group are
    omitted. Sorted by group then share descending then skill.
    """
    gcols = list(group_cols)
    roles = posting_roles[["posting_id", *gcols]].drop_duplicates()
    denom = roles.groupby(gcols, observed=True, dropna=False)["posting_id"].nunique()
    denom = denom.rename("role_postings").reset_index()
    ps = posting_skills[["posting_id", "skill", "category"]].drop_duplicates(
        ["posting_id", "skill"]
    )
    joined = roles.merge(ps, on="posting_id", how="inner")
    num = (
        joined.groupby([*gcols, "skill", "category"], observed=True, dropna=False)["posting_id"]
        .nunique()
        .rename("postings_with_skill")
        .reset_index()
    )
    out = num.merge(denom, on=gcols, how="left")
    out["postings_with_skill"] = out["postings_with_skill"].astype("int64")
    out["role_postings"] = out["role_postings"].astype("int64")
    out["posting_share_pct"] = 100.0 * out["postings_with_skill"] / out["role_postings"]
    out = out.sort_values(
        [*gcols, "posting_share_pct", "skill"], ascending=[True] * len(gcols) + [False, True]
    )
    return out.reset_index(drop=True)[
        [
            *gcols,
            "skill",
            "category",
            "postings_with_skill",
            "role_postings",
            "posting_share_pct",
        ]
    ]


def weighted_log_odds(
    counts_a: pd.Series,
    n_a: int,
    counts_b: pd.Series,
    n_b: int,
    prior: pd.Series | None = None,
    alpha0: float | None = None,
) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior ("Fightin' Words").

    Monroe, Colaresi & Quinn (2008), Political Analysis 16(4), eq. 15-22. For skill w, with
    y_a = counts_a[w], y_b = counts_b[w], alpha_w = prior[w] and alpha_0 = sum of alpha:

        delta_w = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w))
                - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
        variance_w ~= 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)
        z_w = delta_w / sqrt(variance_w)

    Positive z means distinctive of group a. Here a "count" is the number of postings that
    mention the skill and n the number of postings of the group (the model's "total words"),
    so n - y is the number of postings without the skill. When `prior` is None the prior is
    the pooled counts (y_a + y_b) scaled to sum to `alpha0` (default: the number of skills,
    i.e. one pseudo-count per skill on average); a given prior is used as is unless `alpha0`
    is given, in which case it is rescaled to that total.

    Returns a frame indexed by skill with `count_a`, `count_b`, `n_a`, `n_b`, `alpha`,
    `delta`, `variance`, `z`, sorted by z descending.
    """
    idx = counts_a.index.union(counts_b.index)
    ya = counts_a.reindex(idx, fill_value=0).astype(float)
    yb = counts_b.reindex(idx, fill_value=0).astype(float)
    if prior is None:
        # A skill absent from both groups carries no information (and would get alpha = 0).
        idx = idx[(ya + yb).to_numpy() > 0]
        ya, yb = ya.loc[idx], yb.loc[idx]
        pooled = ya + yb
        total = alpha0 if alpha0 is not None else float(len(idx))
        alpha = pooled / pooled.sum() * total if pooled.sum() > 0 else pooled + 0.0
    else:
        alpha = prior.reindex(idx, fill_value=0).astype(float)
        if alpha0 is not None:
            alpha = alpha / alpha.sum() * alpha0
    a0 = float(alpha.sum())
    if (alpha <= 0).any():
        raise ValueError("prior must be positive for every skill")
    if ((ya > n_a) | (yb > n_b)).any():
        raise ValueError("a count exceeds its group size")
    delta = np.log((ya + alpha) / (n_a + a0 - ya - alpha)) - np.log(
        (yb + alpha) / (n_b + a0 - yb - alpha)
    )
    variance = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    out = pd.DataFrame(
        {
            "count_a": ya.astype("int64"),
            "count_b": yb.astype("int64"),
            "n_a": int(n_a),
            "n_b": int(n_b),
            "alpha": alpha,
            "delta": delta,
            "variance": variance,
            "z": delta / np.sqrt(variance),
        },
        index=idx,
    )
    out.index.name = "skill"
    return out.sort_values("z", ascending=False)


def stratified_log_odds(counts: pd.DataFrame, min_n: int) -> tuple[pd.DataFrame, list]:
    """Weighted log-odds compared within strata (e.g. years) and combined: like with like.

    `counts`: one row per stratum x skill with `stratum`, `skill`, `count_a`, `count_b` and the
    stratum's group sizes `n_a`, `n_b`. Strata where either group has fewer than `min_n` postings
    are left out. In each stratum `weighted_log_odds` (its own pooled prior) gives delta and its
    variance per skill; a skill's deltas are combined by inverse-variance weights (a fixed-effect
    meta-analysis): delta = sum(w * delta_s) / sum(w), variance = 1 / sum(w), w = 1 / variance_s,
    z = delta / sqrt(variance). So a skill cannot look distinctive of a role only because that
    role's postings come from the years in which the skill was common.

    Returns (a frame like `weighted_log_odds`'s, with counts and group sizes summed over the
    strata used and `strata` = how many strata the skill was seen in; the sorted strata used).
    """
    cols = ["count_a", "count_b", "n_a", "n_b", "delta", "variance", "z", "strata"]
    # sums by integer codes (np.bincount) rather than groupby: this runs on every rerun of the
    # Skills and Overview views, over a few thousand stratum x skill rows
    stratum_codes, strata = pd.factorize(counts["stratum"], sort=True)
    first = np.unique(stratum_codes, return_index=True)[1]
    size_a = counts["n_a"].to_numpy()[first]
    size_b = counts["n_b"].to_numpy()[first]
    ok = (size_a >= min_n) & (size_b >= min_n)
    used = [s.item() if hasattr(s, "item") else s for s in strata[ok]]
    ya = counts["count_a"].to_numpy(dtype=float)
    yb = counts["count_b"].to_numpy(dtype=float)
    keep = ok[stratum_codes] & ((ya + yb) > 0)
    if not keep.any():
        return pd.DataFrame(columns=cols).rename_axis("skill"), used
    ya, yb, stratum = ya[keep], yb[keep], stratum_codes[keep]
    n_a, n_b = size_a[stratum].astype(float), size_b[stratum].astype(float)
    if ((ya > n_a) | (yb > n_b)).any():
        raise ValueError("a count exceeds its group size")
    # weighted_log_odds per stratum, vectorised: the prior of a stratum is its pooled counts
    # scaled to sum to the number of skills seen in it (one pseudo-count per skill on average)
    pooled = ya + yb
    total = np.bincount(stratum, minlength=len(strata))[stratum].astype(float)
    pooled_sum = np.bincount(stratum, weights=pooled, minlength=len(strata))[stratum]
    alpha = pooled / pooled_sum * total
    a0 = total  # the scaled prior sums to the stratum's number of skills
    delta = np.log((ya + alpha) / (n_a + a0 - ya - alpha)) - np.log(
        (yb + alpha) / (n_b + a0 - yb - alpha)
    )
    variance = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    w = 1.0 / variance
    skill_codes, skills = pd.factorize(counts["skill"].to_numpy()[keep], sort=True)
    k = len(skills)
    w_sum = np.bincount(skill_codes, weights=w, minlength=k)
    out = pd.DataFrame(
        {
            "count_a": np.bincount(skill_codes, weights=ya, minlength=k).astype("int64"),
            "count_b": np.bincount(skill_codes, weights=yb, minlength=k).astype("int64"),
            "n_a": int(size_a[ok].sum()),
            "n_b": int(size_b[ok].sum()),
            "delta": np.bincount(skill_codes, weights=w * delta, minlength=k) / w_sum,
            "variance": 1.0 / w_sum,
            "strata": np.bincount(skill_codes, minlength=k).astype("int64"),
        },
        index=pd.Index(skills, name="skill"),
    )
    out["z"] = out["delta"] / np.sqrt(out["variance"])
    return out[cols].sort_values("z", ascending=False), used


def cooccurrence(
    posting_skills: pd.DataFrame,
    posting_ids: Iterable[int] | None = None,
    min_count: int = 5,
    top: int = 20,
) -> pd.DataFrame:
    """Skill pairs that appear together more often than chance.

    Over the postings in `posting_ids` (default: every posting in `posting_skills`; postings
    with no skill still count in `n_postings` when listed), for each pair skill_a < skill_b:
    `pair_postings` (postings with both), `postings_a`, `postings_b`, `n_postings` and
    `lift` = P(a,b) / (P(a) P(b)) = pair * n / (postings_a * postings_b). Keeps pairs with
    pair_postings >= min_count; returns the `top` by lift (ties: more pair postings first).
    """
    ps = posting_skills[["posting_id", "skill"]].drop_duplicates()
    if posting_ids is not None:
        universe = pd.Index(pd.unique(np.fromiter(posting_ids, dtype=np.int64)))
        ps = ps[ps["posting_id"].isin(universe)]
        n = len(universe)
    else:
        n = int(ps["posting_id"].nunique())
    if ps.empty or n == 0:
        none = np.zeros(0, dtype="int64")
        return lift_frame(none.astype(object), none.astype(object), none, none, none, n, none)
    # Integer codes in name order, so code_a < code_b is skill_a < skill_b and the self-join
    # stays cheap on the full corpus.
    codes, names = pd.factorize(ps["skill"], sort=True)
    slim = pd.DataFrame({"posting_id": ps["posting_id"].to_numpy(), "code": codes})
    per_code = np.bincount(codes, minlength=len(names))
    pairs = slim.merge(slim, on="posting_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["code_a"] < pairs["code_b"]]
    out = pairs.groupby(["code_a", "code_b"]).size().rename("pair_postings").reset_index()
    out = out[out["pair_postings"] >= min_count].copy()
    out["skill_a"] = np.asarray(names, dtype=object)[out["code_a"].to_numpy()]
    out["skill_b"] = np.asarray(names, dtype=object)[out["code_b"].to_numpy()]
    return lift_table(out, pd.Series(per_code, index=names), n, min_count, top)


# --- published aggregates: per definition x role x year, summed by the dashboard ---------------


def pair_only(posting_roles: pd.DataFrame, pair: Sequence[str]) -> pd.Series:
    """Per row of `posting_roles` (posting_id, role): True where the role is one of the compared
    `pair` and the posting is not flagged as the other one too (the two groups of the log-odds
    and of the convergence measure, which must not share postings); NA for roles outside it."""
    a, b = pair
    ids_a = set(posting_roles.loc[posting_roles["role"] == a, "posting_id"])
    ids_b = set(posting_roles.loc[posting_roles["role"] == b, "posting_id"])
    both = ids_a & ids_b
    out = pd.Series(pd.NA, index=posting_roles.index, dtype="boolean")
    in_pair = posting_roles["role"].isin(pair)
    out[in_pair] = ~posting_roles.loc[in_pair, "posting_id"].isin(both)
    return out


def role_year_counts(posting_roles: pd.DataFrame, pair: Sequence[str]) -> pd.DataFrame:
    """role, posted_year, role_postings, pair_only_postings (NA outside `pair`).

    `posting_roles`: one row per (posting_id, role) with `posted_year`."""
    pr = posting_roles.assign(_only=pair_only(posting_roles, pair))
    g = pr.groupby(["role", "posted_year"])
    out = g.agg(role_postings=("posting_id", "size")).reset_index()
    only = g["_only"].sum(min_count=1).astype("Int64").to_numpy()
    out["pair_only_postings"] = pd.array(
        np.where(out["role"].isin(pair), only, pd.NA), dtype="Int64"
    )
    out["role_postings"] = out["role_postings"].astype("int64")
    return out.sort_values(["role", "posted_year"]).reset_index(drop=True)


def whole_ad(posting_skills: pd.DataFrame, posting_roles: pd.DataFrame) -> pd.DataFrame:
    """Every skill of the ad for every role it is flagged for: (posting_id, role, skill,
    category) rows, the role skills when no attribution is made."""
    return posting_roles[["posting_id", "role"]].merge(
        posting_skills[["posting_id", "skill", "category"]], on="posting_id"
    )


def role_skill_counts(
    role_skills: pd.DataFrame, posting_roles: pd.DataFrame, pair: Sequence[str]
) -> pd.DataFrame:
    """role, posted_year, skill, category, postings_with_skill, pair_only_with_skill: how many of
    the role's postings of the year have the skill among the role's skills (`role_skills`:
    posting_id, role, skill, category), all of them and those not flagged as the other role of
    `pair` (NA outside the pair). Skills a role never has in a year have no row."""
    pr = posting_roles.assign(_only=pair_only(posting_roles, pair))
    rs = role_skills[["posting_id", "role", "skill", "category"]].drop_duplicates(
        ["posting_id", "role", "skill"]
    )
    j = pr.merge(rs, on=["posting_id", "role"])
    g = j.groupby(["role", "posted_year", "skill", "category"])
    out = g.agg(postings_with_skill=("posting_id", "size")).reset_index()
    only = g["_only"].sum(min_count=1).astype("Int64").to_numpy()
    out["pair_only_with_skill"] = pd.array(
        np.where(out["role"].isin(pair), only, pd.NA), dtype="Int64"
    )
    out["postings_with_skill"] = out["postings_with_skill"].astype("int64")
    return out.sort_values(["role", "posted_year", "skill"]).reset_index(drop=True)


def claim_hits(role_skills: pd.DataFrame, counted: Sequence[str]) -> pd.DataFrame:
    """The (posting_id, role) pairs whose role skills include any of `counted` ("category:X" =
    any skill of category X)."""
    cats = [x.split(":", 1)[1] for x in counted if x.startswith("category:")]
    names = [x for x in counted if not x.startswith("category:")]
    hit = role_skills["skill"].isin(names) | role_skills["category"].isin(cats)
    return role_skills.loc[hit, ["posting_id", "role"]].drop_duplicates()


def claim_counts(
    role_skills: pd.DataFrame,
    posting_roles: pd.DataFrame,
    claims: Sequence[tuple[str, str, str, tuple[str, ...]]],
) -> pd.DataFrame:
    """claim, role, posted_year, postings_mentioning: the role's postings of the year whose role
    skills include any skill the claim counts; every role-year of `posting_roles` has a row per
    claim (zeros too)."""
    cols = ["claim", "role", "posted_year", "postings_mentioning"]
    if not claims:
        return pd.DataFrame({c: [] for c in cols})
    keys = posting_roles[["role", "posted_year"]].drop_duplicates()
    # every claim's (posting, role) hits at once: one merge and one count for all the claims
    hits = pd.concat(
        [claim_hits(role_skills, counted).assign(claim=key) for key, _r, _l, counted in claims],
        ignore_index=True,
    )
    hits = posting_roles[["posting_id", "role", "posted_year"]].merge(
        hits, on=["posting_id", "role"]
    )
    n = hits.groupby(["claim", "role", "posted_year"]).size().rename("postings_mentioning")
    every = pd.DataFrame({"claim": [key for key, *_ in claims]}).merge(keys, how="cross")
    out = every.merge(n.reset_index(), on=["claim", "role", "posted_year"], how="left")
    out["postings_mentioning"] = out["postings_mentioning"].fillna(0).astype("int64")
    return out.sort_values(cols[:3]).reset_index(drop=True)[cols]


def skill_pair_counts(role_skills: pd.DataFrame, posting_roles: pd.DataFrame) -> pd.DataFrame:
    """role, posted_year, skill_a, skill_b (a < b), pair_postings: the role's postings of the year
    with both skills among the role's skills. The dashboard sums these over the selected years and
    divides by the skills' own counts (role_skill_counts) for the lift."""
    rs = role_skills[["posting_id", "role", "skill"]].drop_duplicates()
    rs = rs.merge(posting_roles[["posting_id", "role", "posted_year"]], on=["posting_id", "role"])
    cols = ["role", "posted_year", "skill_a", "skill_b", "pair_postings"]
    if rs.empty:
        return pd.DataFrame({c: [] for c in cols})
    codes, names = pd.factorize(rs["skill"], sort=True)
    slim = pd.DataFrame(
        {
            "posting_id": rs["posting_id"].to_numpy(),
            "role": rs["role"].to_numpy(),
            "posted_year": rs["posted_year"].to_numpy(),
            "code": codes,
        }
    )
    pairs = slim.merge(slim, on=["posting_id", "role", "posted_year"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["code_a"] < pairs["code_b"]]
    out = (
        pairs.groupby(["role", "posted_year", "code_a", "code_b"])
        .size()
        .rename("pair_postings")
        .reset_index()
    )
    names = np.asarray(names, dtype=object)
    out["skill_a"] = names[out["code_a"].to_numpy()]
    out["skill_b"] = names[out["code_b"].to_numpy()]
    out["pair_postings"] = out["pair_postings"].astype("int64")
    return out.sort_values(cols[:4]).reset_index(drop=True)[cols]


def top_lift(
    pair: np.ndarray,
    postings_a: np.ndarray,
    postings_b: np.ndarray,
    rank_a: np.ndarray,
    rank_b: np.ndarray,
    n: int,
    min_count: int,
    top: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(positions, lift): the `top` pairs by lift among those from `min_count` postings, best
    first (ties: more pair postings first, then by rank_a and rank_b, the skills' name order), and
    the lift of every pair: pair postings x n / (postings_a x postings_b), over `n` postings."""
    pair = np.asarray(pair, dtype="int64")
    lift = pair * n / (np.asarray(postings_a, "int64") * np.asarray(postings_b, "int64"))
    chosen = np.flatnonzero(pair >= min_count)
    if n == 0 or not len(chosen):
        return chosen[:0], lift
    # only the pairs that can be among the `top` (every pair tied with the top-th lift kept) are
    # sorted: the full sort of thousands of pairs was most of this function's time
    if len(chosen) > top:
        cut = np.partition(lift[chosen], len(chosen) - top)[len(chosen) - top]
        chosen = chosen[lift[chosen] >= cut]
    order = np.lexsort((rank_b[chosen], rank_a[chosen], -pair[chosen], -lift[chosen]))
    return chosen[order][:top], lift


LIFT_COLUMNS = [
    "skill_a",
    "skill_b",
    "pair_postings",
    "postings_a",
    "postings_b",
    "n_postings",
    "lift",
]


def lift_table(
    pairs: pd.DataFrame, per_skill: pd.Series, n: int, min_count: int, top: int
) -> pd.DataFrame:
    """Co-occurrence from counts: `pairs` (skill_a, skill_b, pair_postings) and `per_skill`
    (postings per skill) over `n` postings; pairs from `min_count` postings, the `top` by lift
    (ties: more pair postings first). Same result as `cooccurrence` on the postings themselves."""
    counts = per_skill.to_numpy("int64")
    a = pairs["skill_a"].to_numpy(dtype=object)
    b = pairs["skill_b"].to_numpy(dtype=object)
    postings_a = counts[per_skill.index.get_indexer(a)]
    postings_b = counts[per_skill.index.get_indexer(b)]
    rank = {s: i for i, s in enumerate(sorted(set(a) | set(b)))}
    pair = pairs["pair_postings"].to_numpy("int64")
    at, lift = top_lift(
        pair,
        postings_a,
        postings_b,
        np.array([rank[s] for s in a], dtype="int64"),
        np.array([rank[s] for s in b], dtype="int64"),
        n,
        min_count,
        top,
    )
    return lift_frame(a[at], b[at], pair[at], postings_a[at], postings_b[at], n, lift[at])


def lift_frame(
    a: np.ndarray,
    b: np.ndarray,
    pair: np.ndarray,
    postings_a: np.ndarray,
    postings_b: np.ndarray,
    n: int,
    lift: np.ndarray,
) -> pd.DataFrame:
    """The co-occurrence table (LIFT_COLUMNS) of the chosen pairs, in their order."""
    return pd.DataFrame(
        {
            "skill_a": a,
            "skill_b": b,
            "pair_postings": np.asarray(pair, dtype="int64"),
            "postings_a": np.asarray(postings_a, dtype="int64"),
            "postings_b": np.asarray(postings_b, dtype="int64"),
            "n_postings": np.full(len(a), n, dtype="int64"),
            "lift": np.asarray(lift, dtype="float64"),
        },
        columns=LIFT_COLUMNS,
    )


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    num = (a * b).sum(axis=-1)
    den = np.sqrt((a * a).sum(axis=-1) * (b * b).sum(axis=-1))
    return np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)


def _resampled_shares(x: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Share vectors of `resamples` bootstrap resamples of the rows (postings) of binary `x`."""
    n = len(x)
    idx = rng.integers(0, n, size=(resamples, n))
    rows = np.repeat(np.arange(resamples), n)
    w = np.bincount(rows * n + idx.ravel(), minlength=resamples * n).reshape(resamples, n)
    return (w.astype(np.float32) @ x) / n


def convergence(
    role_skills: pd.DataFrame,
    posting_roles: pd.DataFrame,
    pair: Sequence[str],
    exclude: Sequence[str],
    min_n: int,
    resamples: int,
    level: float,
    seed: int,
    memo: Callable[[str, Callable[[], dict]], dict] | None = None,
) -> pd.DataFrame:
    """How alike the two roles' skill profiles are, per year: the cosine similarity of the two
    share vectors (share of each role's postings with each skill among its role skills, over every skill but
    `exclude`), from the postings flagged as one role of `pair` and not the other, with a
    percentile bootstrap interval (postings resampled within each role and year).

    Each year is computed from that year's postings alone, with its own random stream (seeded by
    `seed` and the year): a year's figures do not move when another year's postings change, and
    `memo(key, compute)` (e.g. build_cache.ResultCache.get_or_compute) may keep them by the key
    '<year>-<digest of the year's input>'.

    posted_year, n_a, n_b (postings of pair[0] and pair[1]), cosine, ci_low, ci_high; years where
    either role has fewer than `min_n` such postings have n but no cosine."""
    pr = posting_roles.assign(_only=pair_only(posting_roles, pair))
    pr = pr[pr["_only"].fillna(False).astype(bool)]
    rs = role_skills[~role_skills["skill"].isin(exclude)]
    rs = rs[["posting_id", "role", "skill"]].drop_duplicates()
    rs = rs.merge(pr[["posting_id", "role", "posted_year"]], on=["posting_id", "role"])
    # one sort and one grouping for all the years: each year's rows are a slice
    rs = rs.sort_values(["posted_year", "role", "posting_id", "skill"])
    year_rows = rs.groupby("posted_year").indices
    ids_of = pr.groupby(["posted_year", "role"])["posting_id"].unique()
    none = np.array([], dtype="int64")
    recs = []
    for year in sorted(pr["posted_year"].unique()):
        ids = [
            np.sort(ids_of[(year, role)].astype("int64")) if (year, role) in ids_of.index else none
            for role in pair
        ]
        hits = rs.iloc[year_rows.get(year, [])]
        params = (tuple(pair), min_n, resamples, level, seed, int(year))
        h = hashlib.blake2b(repr(params).encode(), digest_size=16)
        for role, role_ids in zip(pair, ids, strict=True):
            part = hits[hits["role"] == role]
            h.update(role_ids.tobytes())
            h.update(part["posting_id"].to_numpy("int64").tobytes())
            h.update("\0".join(part["skill"].astype(str).tolist()).encode())

        def compute(year=year, ids=ids, hits=hits) -> dict:  # type: ignore[no-untyped-def]
            return _convergence_year(hits, ids, pair, min_n, resamples, level, seed, int(year))

        recs.append(memo(f"{int(year)}-{h.hexdigest()}", compute) if memo else compute())
    out = pd.DataFrame(recs, columns=["posted_year", "n_a", "n_b", "cosine", "ci_low", "ci_high"])
    return out.astype({"posted_year": "int64", "n_a": "int64", "n_b": "int64"})


def _convergence_year(
    hits: pd.DataFrame,
    ids: list[np.ndarray],
    pair: Sequence[str],
    min_n: int,
    resamples: int,
    level: float,
    seed: int,
    year: int,
) -> dict:
    """One year of `convergence`: `hits` (posting_id, role, skill) of the year's pair-only
    postings, `ids` each role's postings (sorted); skills as columns in name order."""
    codes, _names = pd.factorize(hits["skill"], sort=True)
    k = max(int(codes.max()) + 1 if len(codes) else 0, 1)
    mats = []
    for role, role_ids in zip(pair, ids, strict=True):
        mine = (hits["role"] == role).to_numpy()
        x = np.zeros((len(role_ids), k), dtype=np.float32)
        rows = np.searchsorted(role_ids, hits["posting_id"].to_numpy("int64")[mine])
        x[rows, codes[mine]] = 1.0
        mats.append(x)
    rec: dict = {"posted_year": year, "n_a": len(ids[0]), "n_b": len(ids[1])}
    if min(len(ids[0]), len(ids[1])) >= min_n:
        rng = np.random.default_rng((seed, year))
        lo_q, hi_q = (1 - level) / 2, 1 - (1 - level) / 2
        rec["cosine"] = float(_cosine(mats[0].mean(axis=0), mats[1].mean(axis=0)))
        boot = _cosine(
            _resampled_shares(mats[0], resamples, rng), _resampled_shares(mats[1], resamples, rng)
        )
        rec["ci_low"], rec["ci_high"] = (float(q) for q in np.nanquantile(boot, [lo_q, hi_q]))
    return rec

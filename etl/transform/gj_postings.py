"""Google Jobs postings (data_jobs): rows of the source files -> distinct postings with roles,
their skills in our taxonomy, yearly salaries, and the small aggregates the views read.

Reads the parsed rows of etl/sources/google_jobs.py, etl/mappings/job_titles.csv (roles) and
etl/mappings/gj_skills.csv + etl/mappings/skills.csv (skills); writes the gj_* tables and the
coverage facts of the manifest.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl import schema
from etl.sources.base import ParseError
from etl.sources.google_jobs import COLUMNS
from etl.transform.roles import assign_roles
from etl.transform.skills import SkillMatcher, default_matcher
from etl.vocab import CLAIMS, HOURS_PER_YEAR, ROLES

SKILL_MAP_FILE = Path(__file__).resolve().parents[1] / "mappings" / "gj_skills.csv"
DEFINITIONS = ("strict", "broad")
SALARY_RATES = ("year", "hour")

# a posting is the same posting whatever place was searched: every column but the place searched
# and the country, which follows it
KEY_COLUMNS = ("source_file", *(c for c in COLUMNS if c not in ("search_location", "job_country")))


# --- skills lists ------------------------------------------------------------------------------


_PLAIN_ITEM = re.compile(r"'[^'\\\n]*'")
_PLAIN_LIST = re.compile(r"\[(?:'[^'\\\n]*'(?:, '[^'\\\n]*')*)?\]")


@lru_cache(maxsize=200_000)
def parse_skill_list(text: str | None) -> tuple[str, ...] | None:
    """ "['sql', 'python']" -> ('sql', 'python'); None or blank -> None (no skills list).

    NOTE: the source writes a Python list literal as text; ast.literal_eval reads literals only
    (never runs code), and anything but a list of strings is refused."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    if not isinstance(text, str):
        raise ValueError(f"not a text: {text!r}")
    s = text.strip()
    if not s:
        return None
    if _PLAIN_LIST.fullmatch(s):
        # NOTE: quoted items without a quote or backslash in them, as nearly every list is:
        # their text is what literal_eval would read (~10x faster than parsing the literal)
        value: object = [item[1:-1] for item in _PLAIN_ITEM.findall(s)]
        return tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))  # type: ignore[attr-defined]
    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a list literal: {s[:60]!r}") from exc
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"not a list of strings: {s[:60]!r}")
    return tuple(dict.fromkeys(v.strip().lower() for v in value if v.strip()))


def load_skill_overrides(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """source skill -> our skills, from gj_skills.csv (skills '|'-separated; empty: none of ours)."""
    df = pd.read_csv(path or SKILL_MAP_FILE, dtype="string", keep_default_na=False)
    expected = ["source_skill", "skills", "reason"]
    if list(df.columns) != expected:
        raise ValueError(
            f"{path or SKILL_MAP_FILE}: columns must be {expected}, got {list(df.columns)}"
        )
    if df["source_skill"].duplicated().any():
        raise ValueError(
            f"duplicate source skills: {sorted(df.loc[df['source_skill'].duplicated(), 'source_skill'])}"
        )
    if (df["reason"].str.strip() == "").any():
        raise ValueError("every row of gj_skills.csv needs a reason")
    return {
        str(k).strip().lower(): tuple(x.strip() for x in str(v).split("|") if x.strip())
        for k, v in zip(df["source_skill"], df["skills"], strict=True)
    }


def map_source_skills(
    names: list[str],
    matcher: SkillMatcher | None = None,
    overrides: dict[str, tuple[str, ...]] | None = None,
) -> pd.DataFrame:
    """source_skill, skill, category, mapped_by for each source skill name: the reviewed override
    when gj_skills.csv lists it, else the taxonomy's own aliases matched on the name; a name that
    maps to none of our skills gets one row with skill '' and mapped_by 'unmapped'."""
    m = matcher or default_matcher()
    ov = load_skill_overrides() if overrides is None else overrides
    unknown = sorted({s for v in ov.values() for s in v} - set(m.skills))
    if unknown:
        raise ValueError(f"gj_skills.csv names skills missing from skills.csv: {unknown}")
    rows = []
    for name in sorted(set(names)):
        if name in ov:
            found, how = ov[name], "override"
        else:
            found, how = tuple(sorted(m.skills_in(name))), "taxonomy"
        if not found:
            rows.append((name, "", "", "unmapped"))
        rows.extend((name, s, m.category_of[s], how) for s in found)
    return pd.DataFrame(rows, columns=["source_skill", "skill", "category", "mapped_by"])


# --- postings ----------------------------------------------------------------------------------


def _clean_text(s: pd.Series) -> pd.Series:
    # NOTE: each distinct text cleaned once (names and places repeat across the rows)
    done: dict[str, str] = {}
    out = []
    for v in s.to_numpy(object):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        if type(v) is not str:  # a number or a date: 1 and 1.0 would share a dict key
            out.append(str(v).strip())
        elif (c := done.get(v)) is None:
            c = done[v] = v.strip()
            out.append(c)
        else:
            out.append(c)
    return pd.Series(out, index=s.index, dtype="string")


def _numbers(s: pd.Series, col: str) -> pd.Series:
    out = pd.to_numeric(s, errors="coerce")
    bad = out.isna() & s.notna()
    if bad.any():
        raise ParseError(
            f"column {col} has {int(bad.sum())} non-numeric values, e.g. {s[bad].iloc[0]!r}"
        )
    return out.astype("float64")


def posting_roles(short: pd.Series, title: pd.Series) -> pd.DataFrame:
    """role_strict / role_broad with the salary survey's title mapping, applied to the posting's own
    title and to the collector's label (job_title_short), in this order: an exact title of the
    posting, an exact label (strict stops here), then a title variant, then a label variant. So
    an AI Engineer is found by its own title (the source has no such class) and a strict role
    always holds under broad."""
    by_title = assign_roles(title.fillna(""))
    by_label = assign_roles(short.fillna(""))
    strict = by_title["role_strict"].where(
        by_title["role_strict"] != "other", by_label["role_strict"]
    )
    broad = strict.where(
        strict != "other",
        by_title["role_broad"].where(by_title["role_broad"] != "other", by_label["role_broad"]),
    )
    return pd.DataFrame(
        {"role_strict": strict.astype("string"), "role_broad": broad.astype("string")},
        index=title.index,
    )


def distinct_postings(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(one row per posting with `gj_posting_id`, `search_rows`, `search_locations`; one row per
    posting x place searched x country with the source rows behind it)."""
    # NOTE: hash_pandas_object uses a fixed key, so an id is the same in every run of the code
    key = rows[list(KEY_COLUMNS)].astype(object).where(rows[list(KEY_COLUMNS)].notna(), None)
    ids = pd.util.hash_pandas_object(key, index=False).to_numpy().view(np.int64)
    rows = rows.assign(gj_posting_id=ids)
    searches = (
        rows.assign(
            search_location=_clean_text(rows["search_location"]).fillna(""),
            job_country=_clean_text(rows["job_country"]).fillna(""),
        )
        .groupby(["gj_posting_id", "search_location", "job_country"], as_index=False)
        .size()
        .rename(columns={"size": "source_rows"})
    )
    per = searches.groupby("gj_posting_id").agg(
        search_rows=("source_rows", "sum"), search_locations=("search_location", "nunique")
    )
    first = rows.drop_duplicates("gj_posting_id", keep="first").set_index("gj_posting_id")
    first = first.join(per).reset_index()
    return first, searches


def postings_table(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """gj_postings and gj_search_rows from the parsed source rows."""
    rate = _clean_text(rows["salary_rate"]).str.lower()
    bad_rate = rate.notna() & ~rate.isin(SALARY_RATES)
    if bad_rate.any():
        raise ParseError(
            f"salary_rate has {int(bad_rate.sum())} values other than {'/'.join(SALARY_RATES)}, "
            f"e.g. {rate[bad_rate].iloc[0]!r}"
        )
    year_avg = _numbers(rows["salary_year_avg"], "salary_year_avg")
    hour_avg = _numbers(rows["salary_hour_avg"], "salary_hour_avg")
    skills = []
    for i, v in enumerate(rows["job_skills"]):
        try:
            skills.append(parse_skill_list(v))
        except ValueError as exc:
            raise ParseError(
                f"{rows['source_file'].iloc[i]}: job_skills of sheet row {i + 2}: {exc}"
            ) from exc
    is_year = rate.eq("year").fillna(False).to_numpy(bool)
    is_hour = rate.eq("hour").fillna(False).to_numpy(bool)
    posted = np.where(is_year, year_avg.to_numpy(), np.where(is_hour, hour_avg.to_numpy(), np.nan))
    rows = rows.assign(
        _rate=rate,
        _posted=posted.astype("float64"),
        _skills=pd.Series(skills, index=rows.index, dtype=object),
    )
    posts, searches = distinct_postings(rows)
    hourly = posts["_rate"].eq("hour").fillna(False).to_numpy(bool)
    pay = np.where(hourly, posts["_posted"] * HOURS_PER_YEAR, posts["_posted"])
    roles = posting_roles(
        posts["job_title_short"].astype("string"), posts["job_title"].astype("string")
    )
    out = pd.DataFrame(
        {
            "gj_posting_id": posts["gj_posting_id"].astype("int64"),
            "source_file": posts["source_file"].astype("string"),
            "sample": posts["sample"].astype("string"),
            "posted_date": posts["job_posted_date"].dt.normalize(),
            "posted_month": posts["job_posted_date"].dt.to_period("M").dt.to_timestamp(),
            "job_title_short": _clean_text(posts["job_title_short"]).fillna(""),
            "job_title": _clean_text(posts["job_title"]).fillna(""),
            "company_name": _clean_text(posts["company_name"]).fillna(""),
            "job_location": _clean_text(posts["job_location"]).fillna(""),
            "job_via": _clean_text(posts["job_via"]).fillna(""),
            "job_schedule_type": _clean_text(posts["job_schedule_type"]).fillna(""),
            "is_remote": posts["job_work_from_home"].fillna(False).astype(bool),
            "search_location": _clean_text(posts["search_location"]).fillna(""),
            "search_rows": posts["search_rows"].astype("int64"),
            "search_locations": posts["search_locations"].astype("int64"),
            "has_skills_list": posts["_skills"].notna().to_numpy(),
            "salary_rate": posts["_rate"].astype("string"),
            "salary_posted": posts["_posted"].astype("float64"),
            "pay_usd_year": pay.astype("float64"),
        }
    )
    out = pd.concat([out, roles.reset_index(drop=True)], axis=1)
    out["_skills"] = posts["_skills"].to_numpy()
    return out, searches


def posting_skills(posts: pd.DataFrame, skill_map: pd.DataFrame) -> pd.DataFrame:
    """gj_posting_id, skill, category: each posting's listed skills in our taxonomy (a source
    skill can stand for two of ours, e.g. 'sql server' = SQL and SQL Server, as in the HN text)."""
    listed = posts[["gj_posting_id", "_skills"]].dropna().explode("_skills")
    listed = listed.rename(columns={"_skills": "source_skill"}).dropna()
    mapped = skill_map[skill_map["skill"] != ""][["source_skill", "skill", "category"]]
    out = listed.merge(mapped, on="source_skill", how="inner")
    out = out.drop_duplicates(["gj_posting_id", "skill"])[["gj_posting_id", "skill", "category"]]
    return out.sort_values(["gj_posting_id", "skill"]).reset_index(drop=True)


def skill_map_table(posts: pd.DataFrame, matcher: SkillMatcher | None = None) -> pd.DataFrame:
    """gj_skill_map: every source skill name with our skill(s) (or none), how, and its postings."""
    listed = posts[["gj_posting_id", "_skills"]].dropna().explode("_skills").dropna()
    counts = listed.groupby("_skills")["gj_posting_id"].nunique()
    sm = map_source_skills(counts.index.tolist(), matcher)
    sm["postings"] = sm["source_skill"].map(counts).astype("int64")
    return sm.sort_values(
        ["postings", "source_skill", "skill"], ascending=[False, True, True]
    ).reset_index(drop=True)


# --- aggregates the views read -------------------------------------------------------------------


def _long_roles(posts: pd.DataFrame) -> pd.DataFrame:
    """One row per posting x definition where the posting is one of our roles."""
    parts = []
    for d in DEFINITIONS:
        p = posts[posts[f"role_{d}"].isin(ROLES)].assign(
            definition=d, role=lambda x, d=d: x[f"role_{d}"]
        )
        parts.append(p)
    return pd.concat(parts, ignore_index=True)


def role_monthly(posts: pd.DataFrame) -> pd.DataFrame:
    """Per definition, role, posted month and sample: the role's postings (zero included), those
    with a skills list, those stating a salary, distinct companies, the source rows behind them,
    and the month's postings of every role (the share's denominator)."""
    month_n = posts.groupby(["posted_month", "sample"]).size().rename("month_postings")
    grid = pd.MultiIndex.from_product(
        [
            list(DEFINITIONS),
            list(ROLES),
            *[month_n.index.get_level_values(i).unique() for i in (0, 1)],
        ],
        names=["definition", "role", "posted_month", "sample"],
    ).to_frame(index=False)
    grid = grid.merge(
        month_n.reset_index(), on=["posted_month", "sample"]
    )  # only months a sample has
    lr = _long_roles(posts)
    agg = lr.groupby(["definition", "role", "posted_month", "sample"]).agg(
        role_postings=("gj_posting_id", "size"),
        postings_with_skills_list=("has_skills_list", "sum"),
        postings_stating_pay=("pay_usd_year", "count"),
        distinct_companies=("company_name", "nunique"),
        source_rows=("search_rows", "sum"),
    )
    out = grid.merge(
        agg.reset_index(), on=["definition", "role", "posted_month", "sample"], how="left"
    )
    for c in (
        "role_postings",
        "postings_with_skills_list",
        "postings_stating_pay",
        "distinct_companies",
        "source_rows",
    ):
        out[c] = out[c].fillna(0).astype("int64")
    out["posting_share_pct"] = 100.0 * out["role_postings"] / out["month_postings"]
    return out.sort_values(["definition", "role", "posted_month", "sample"]).reset_index(drop=True)


def skill_monthly(posts: pd.DataFrame, ps: pd.DataFrame) -> pd.DataFrame:
    """Per definition, role, posted month, sample and skill: the role's postings listing it."""
    lr = _long_roles(posts)[["gj_posting_id", "definition", "role", "posted_month", "sample"]]
    j = lr.merge(ps, on="gj_posting_id")
    out = j.groupby(
        ["definition", "role", "posted_month", "sample", "skill", "category"], as_index=False
    ).size()
    out = out.rename(columns={"size": "postings_with_skill"})
    out["postings_with_skill"] = out["postings_with_skill"].astype("int64")
    return out.sort_values(["definition", "role", "posted_month", "sample", "skill"]).reset_index(
        drop=True
    )


def claim_monthly(posts: pd.DataFrame, ps: pd.DataFrame) -> pd.DataFrame:
    """Per claim (etl.vocab.CLAIMS), definition, role, posted month and sample: the role's postings
    listing any of the claim's skills (a union per posting, which skill counts cannot give)."""
    lr = _long_roles(posts)[["gj_posting_id", "definition", "role", "posted_month", "sample"]]
    parts = []
    for key, _, _, skills in CLAIMS:
        cats = [x.split(":", 1)[1] for x in skills if x.startswith("category:")]
        names = [x for x in skills if not x.startswith("category:")]
        hit = ps.loc[ps["skill"].isin(names) | ps["category"].isin(cats), "gj_posting_id"].unique()
        g = (
            lr[lr["gj_posting_id"].isin(hit)]
            .groupby(["definition", "role", "posted_month", "sample"])
            .size()
        )
        parts.append(g.rename("postings_mentioning").reset_index().assign(claim=key))
    cols = ["claim", "definition", "role", "posted_month", "sample", "postings_mentioning"]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    return out[cols].astype({"postings_mentioning": "int64"}).reset_index(drop=True)


def pay_yearly(posts: pd.DataFrame) -> pd.DataFrame:
    """Per definition, role, posted year and sample: postings, those stating a salary (yearly or
    hourly; hourly converted by etl.vocab.HOURS_PER_YEAR) and the P25 / median / P75 in USD/year."""
    lr = _long_roles(posts).assign(posted_year=lambda d: d["posted_month"].dt.year.astype("int64"))
    rows = []
    for (d, role, y, sample), g in lr.groupby(["definition", "role", "posted_year", "sample"]):
        pay = g["pay_usd_year"].dropna().to_numpy()
        q = np.percentile(pay, [25, 50, 75]) if len(pay) else [np.nan] * 3
        rows.append(
            (
                d,
                role,
                int(y),
                sample,
                len(g),
                len(pay),
                100.0 * len(pay) / len(g),
                int((g["salary_rate"] == "hour").sum()),
                *map(float, q),
            )
        )
    return pd.DataFrame(rows, columns=list(schema.TABLES["gj_pay_yearly"].columns))


def build_tables(
    rows: pd.DataFrame, matcher: SkillMatcher | None = None
) -> dict[str, pd.DataFrame]:
    posts, searches = postings_table(rows)
    smap = skill_map_table(posts, matcher)
    ps = posting_skills(posts, smap)
    return {
        "gj_postings": posts.drop(columns=["_skills"]),
        "gj_search_rows": searches,
        "gj_posting_skills": ps,
        "gj_skill_map": smap,
        "gj_role_monthly": role_monthly(posts),
        "gj_skill_monthly": skill_monthly(posts, ps),
        "gj_claim_monthly": claim_monthly(posts, ps),
        "gj_pay_yearly": pay_yearly(posts),
    }


# --- coverage ----------------------------------------------------------------------------------


def gj_coverage(
    tables: dict[str, pd.DataFrame], expected_files: list[str], top: int = 10
) -> dict[str, Any]:
    """Facts of the published source: files read and months not published, source rows and
    distinct postings (repeats), postings per role, skills lists, unmapped skills, salaries."""
    p, s, sm = tables["gj_postings"], tables["gj_search_rows"], tables["gj_skill_map"]
    files = sorted(set(p["source_file"]))
    rows_by_file = (
        s.merge(p[["gj_posting_id", "source_file"]], on="gj_posting_id")
        .groupby("source_file")["source_rows"]
        .sum()
    )
    unmapped = sm[sm["mapped_by"] == "unmapped"]
    listed = int(p["has_skills_list"].sum())
    salaried = p[p["pay_usd_year"].notna()]
    us = s[s["job_country"] == "United States"]["gj_posting_id"].unique()
    roles = {}
    for d in DEFINITIONS:
        roles[d] = {r: int((p[f"role_{d}"] == r).sum()) for r in ROLES}
    by_title = posting_roles(
        pd.Series([""] * len(p), dtype="string"), p["job_title"].astype("string")
    )
    months = sorted(
        p.loc[p["sample"] == "all_postings", "posted_month"].dt.strftime("%Y-%m").unique()
    )
    return {
        "source_rows": int(s["source_rows"].sum()),
        "postings": int(len(p)),
        "repeated_rows": int(s["source_rows"].sum() - len(p)),
        "postings_found_by_several_searches": int((p["search_locations"] > 1).sum()),
        "files": files,
        "rows_by_file": {k: int(v) for k, v in rows_by_file.items()},
        "files_not_published": [f for f in expected_files if f not in files],
        "all_postings_months": months,
        "salary_stated_years": sorted(
            int(y) for y in p.loc[p["sample"] == "salary_stated", "posted_month"].dt.year.unique()
        ),
        "role_postings": roles,
        "roles_from_own_title": {r: int((by_title["role_broad"] == r).sum()) for r in ROLES},
        "postings_with_skills_list": listed,
        "skills_list_share_pct": round(100 * listed / len(p), 1) if len(p) else None,
        "source_skills": int(sm["source_skill"].nunique()),
        "unmapped_skills": int(len(unmapped)),
        "unmapped_top": [
            {"source_skill": str(r.source_skill), "postings": int(r.postings)}
            for r in unmapped.nlargest(top, "postings").itertuples()
        ],
        "postings_stating_pay": int(len(salaried)),
        "salaries_hourly": int((salaried["salary_rate"] == "hour").sum()),
        "salaried_us_share_pct": round(100 * float(salaried["gj_posting_id"].isin(us).mean()), 1)
        if len(salaried)
        else None,
    }


def describe_gj(cov: dict[str, Any] | None) -> str:
    """The coverage of `gj_coverage` as a sentence (README facts, method notes)."""
    from etl.coverage import format_months
    from etl.vocab import pct, role_label

    if not cov or "postings" not in cov:
        return "coverage not computed for this publish (a refresh computes it)"
    months = cov.get("all_postings_months", [])
    not_pub = [f[13:20] for f in cov.get("files_not_published", [])]
    roles = cov.get("role_postings", {}).get("strict", {})
    text = (
        f"{cov['postings']:,} distinct postings from {cov['source_rows']:,} rows ({cov['repeated_rows']:,} repeats "
        f"counted once); salaried postings of {', '.join(map(str, cov.get('salary_stated_years', []))) or 'no year'}, "
        f"every posting of {format_months(months)}"
        + (f" (not published: {', '.join(not_pub)})" if not_pub else "")
        + "; strict roles "
        + ", ".join(f"{role_label(r)} {k:,}" for r, k in roles.items())
    )
    if cov.get("skills_list_share_pct") is not None:
        text += f"; {pct(cov['skills_list_share_pct'])} carry a skills list"
    return (
        text
        + f"; {cov.get('unmapped_skills', 0):,} of {cov.get('source_skills', 0):,} skill names map to none of ours"
    )

"""Data & methods view: every source with licence, citation, URLs, refresh times, age and row counts
(with the change since the previous publish); the title-to-role mapping and the unmapped titles;
the skill taxonomy, searchable; and the method notes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import data, export, gj_panels, metrics, queries
from dashboard.sources_ui import download_pair
from etl import vocab
from etl.coverage import describe_hn, describe_one_timestamp, describe_salaries
from etl.transform.fx import FX_SOURCE


def method_notes(state: data.DataState) -> str:
    """The method notes, with every fact about the data formatted from the published coverage."""
    hn = state.coverage("hn_whoishiring") if state.ok else {}
    sal = state.coverage("aijobs_salaries") if state.ok else {}
    return f"""
**Share of postings.** A role's share of a month is the number of that month's Hacker News
"Who is hiring?" postings that name the role, divided by all postings of the month's thread. Raw
counts mislead because threads range from {hn.get("postings_per_thread_min", "?")} to
{hn.get("postings_per_thread_max", "?")} postings (median {hn.get("postings_per_thread_median", "?")}).
A posting can name several roles. *Header* matches the role in the posting's first line only;
*anywhere* matches the whole text (more recall, more false positives). "Mentions" are not "openings":
phrases such as "work with our data scientists" are excluded by rule (etl/mappings/hn_role_rules.csv).

**Skill shares.** The share of a role's postings that mention a skill, with both counts. Aliases
count once (postgres / postgresql), and ambiguous names (R, C, Go, Spark vs SparkPost, "excel at")
have rules of their own (the taxonomy below, as published with the skills). A role's skills are
those of its own job inside the ad (hn_role_skills): a skill named only for another job of a
multi-job ad ("Rails engineer: Ruby") does not count for the role; a skill in the lines below a
job's title counts for that job; a stack the ad ties to no job counts for every job of the ad; a
sentence about the company's founders or backers ("backed by the CEO of HuggingFace") counts for
none. The ETL publishes per definition, role and year the counts the
Skills and Overview views sum over the selected years (hn_role_year_counts, hn_skill_counts,
hn_claim_counts, hn_skill_pairs). Distinctive skills use the weighted log-odds ratio with an
informative Dirichlet prior (Monroe, Colaresi and Quinn 2008), by default compared within each year
in which both roles have {vocab.ERA_MATCH_MIN_N} postings and combined by inverse-variance weights,
so the roles' different peak years do not pass for differences between them.

**Converging or splitting.** Per year, the cosine similarity of the two roles' skill-share vectors
(postings flagged as one of the two roles and not the other; every skill but "machine learning" and
"artificial intelligence", which the role definitions select), with a {vocab.INTERVAL_LEVEL:.0%}
percentile bootstrap interval ({vocab.BOOTSTRAP_RESAMPLES:,} resamples of the postings within each
role and year; hn_role_convergence). Sampling noise lowers the cosine of small groups, so a year
with few postings of a role looks less alike than it is: read it with its n.

**Sample sizes.** Pay statistics are computed on the filtered slice: below n = {metrics.MIN_N} no
statistic is shown ("too few responses"); n = {metrics.MIN_N}-{metrics.LOW_N - 1} is low confidence,
{metrics.LOW_N}-{metrics.HIGH_N - 1} medium, {metrics.HIGH_N}+ high.

**Pay gap interval.** The ML-engineer-minus-data-scientist median gap carries a percentile
bootstrap {vocab.INTERVAL_LEVEL:.0%} interval: {vocab.BOOTSTRAP_RESAMPLES:,} resamples of each role's
responses, drawn independently, with a fixed seed so the page is reproducible. A resample's median
is drawn directly as the middle order statistics of n uniform draws mapped through the responses'
distribution (a Beta draw each), which has exactly the distribution of the median of n responses
drawn with replacement.

**Like-for-like pay gap.** The raw gap compares every ML-engineer response with every
data-scientist response, so it mixes in who answered: more seniors, larger companies, more US
companies or more recent years on one side move the gap without any difference in pay for the same
job. The like-for-like gap gives both roles one mix of {" x ".join(d.replace("_", " ") for d in vocab.MIX_DIMENSIONS)}
(country group: {", ".join(vocab.COUNTRY_GROUPS)}): the reference mix is the two roles' responses
pooled over the cells (combinations) that both roles have; each role's responses are weighted by the
reference share of their cell divided by the role's own share of it, and the weighted medians are
compared. Responses in cells only one role has are left out and counted. The interval is a percentile
bootstrap ({vocab.BOOTSTRAP_RESAMPLES:,} resamples of each role's responses, mix and weights
recomputed in each, fixed seed); where both roles have {vocab.POISSON_BOOTSTRAP_MIN_N:,} responses
it is drawn as a Poisson bootstrap: each distinct salary of a cell gets a Poisson count with its
own count as mean, so a resample's size varies by about the square root of n rather than being
exactly n; at such n it agrees with resampling n responses to within Monte Carlo
error. It is computed from the published survey rows on every filter
change, since the mix depends on the filters; the Pay view shows each role's mix beside it.

**Posted pay.** Salary ranges stated in the Hacker News ads (etl/transform/pay.py), each tied to the
role whose job it is for. Amounts are converted to US dollars per year: a monthly, daily or hourly
amount times {", ".join(f"{v:,} ({k})" for k, v in vocab.PERIODS_PER_YEAR.items() if v > 1)}, at the
posting year's average exchange rate ({FX_SOURCE}); a currency or year without a rate is left
unconverted and counted, never taken at 1:1. The percentiles use salaries (yearly or monthly ranges
with both ends) posted in US dollars, beside the survey's US median; the all-currency median adds
the converted ones.

**Salaries.** aijobs.net is a self-reported survey; `salary_usd_annual` is the source's own USD
conversion (the original currency is kept). Published: {describe_salaries(sal)}: year-over-year
trends need care. Rows that repeat another row in every column are kept as published (distinct
people can give identical answers), flagged (`is_exact_duplicate`), and the Pay view can count
them once to show how much n and the interval depend on them.

**Proxies.** BLS has no occupation code for ML engineers: Software Developers (15-1252) and
Computer and Information Research Scientists (15-1221) are shown only as labelled proxies. Indeed
has no series per title: the Mathematics sector (which lists Data Scientist) and Software
Development are sector proxies. "AI Engineer" is kept as its own series, never folded into ML engineer.

**Demand over time.** The {vocab.MOVING_AVERAGE_MONTHS}-month moving average and the pooled
ML-per-DS ratio ({vocab.POOLED_RATIO_MONTHS} calendar months, drawn from {vocab.POOLED_RATIO_MIN_DS}
data-scientist postings) never reach across a missing month. A thread is partial when its snapshot
was taken less than {vocab.EARLY_SNAPSHOT_DAYS} days after it opened or its newest posting is less
than {vocab.LAST_POSTING_DAYS} days after it opened. The Overview compares the latest
{vocab.RECENT_MONTHS} calendar months with the {vocab.RECENT_MONTHS} before.

**Hacker News record.** {describe_hn(hn)}. {describe_one_timestamp(hn)} Texts belong to their
authors: only aggregates are shown or exported.
"""


EVAL_RESULTS = Path(__file__).resolve().parents[2] / "eval" / "results.json"


def counting_quality_table(results: dict) -> pd.DataFrame:
    """The held-out figures of `make eval` for all eras: one row per definition and role."""
    rows = []
    for r in results.get("roles", []):
        if r["split"] != "heldout" or r["era"] != "all":
            continue
        rows.append(
            {
                "definition": r["definition"],
                "role": vocab.role_label(r["role"]),
                "labelled postings": r["n"],
                "openings among them": r["positives"],
                "precision": r["precision"],
                "precision 95% CI": "{:.2f}-{:.2f}".format(*r["precision_95"]),
                "recall": r["recall"],
                "recall 95% CI": "{:.2f}-{:.2f}".format(*r["recall_95"]),
                "F1": r["f1"],
                "counted / true openings": (r["tp"] + r["fp"]) / (r["tp"] + r["fn"])
                if r["tp"] + r["fn"]
                else None,
                "recall, weighted to the record": r.get("recall_weighted"),
                "counted / true, weighted to the record": r.get("counted_per_true_weighted"),
            }
        )
    return pd.DataFrame(rows)


def role_counting_quality() -> None:
    st.subheader("How well the role counting works")
    if not EVAL_RESULTS.is_file():
        st.info("No evaluation figures in this checkout: `make eval` writes eval/results.json.")
        return
    results = json.loads(EVAL_RESULTS.read_text())
    table = counting_quality_table(results)
    ag = results.get("agreement", {})
    st.markdown(
        "Definitions: *anywhere* counts a posting when its text offers the role's job (titles, hiring "
        "sentences, lists of hiring areas; mentions such as 'work with our data scientists' excluded); "
        "*header* only when the first line does. Measured on "
        f"{results['heldout_postings']:,} held-out postings read by hand (LABELLING.md) that no rule was "
        f"tuned on ({results['labelled']:,} labelled in all; the held-out figures were first looked at after one "
        "round of rules, and the rules were then tuned again on newly labelled development postings only; "
        "a second held-out part, drawn later like the first, was scored once after the rules were frozen, "
        "alone and with the rest: eval/RESULTS.md). A "
        "series counts about recall / precision of the role's true openings: where that ratio differs between "
        "roles (here ML and AI engineers lower than data scientists), shares and the ML-per-DS ratio are biased. "
        "The labelled sample is enriched in candidates; the weighted columns reweight each sampling cell (era x "
        "vocabulary stratum) to its share of the whole record."
    )
    st.dataframe(table.round(2), hide_index=True, width="stretch")
    if ag:
        st.caption(
            f"Labeller agreement on {ag['postings']} postings read twice (Cohen's kappa): "
            + ", ".join(
                f"{vocab.role_label(r)} {ag[r]['kappa']:.2f}" for r in vocab.ROLES if r in ag
            )
            + ". The labellers were helper sessions of one model, and their skills and pay labels of these postings "
            "are identical too: this shows consistency, not independent human judgement, and says little about "
            f"validity. Figures of code {results.get('code_version', '?')}, {results.get('generated_at', '?')}."
        )


def _age(iso_text: str | None) -> str:
    d = data.age_days(iso_text)
    if d is None:
        return "never"
    return f"{d * 24:.0f} h" if d < 2 else f"{d:.0f} days"


def sources_table(state: data.DataState) -> pd.DataFrame:
    m = state.manifest or {}
    rs = data.refresh_state()
    rows = []
    prev = m.get("previous_rows", {})
    for name, src in m.get("sources", {}).items():
        o = src.get("origin", {})
        tables = {t: meta for t, meta in m.get("tables", {}).items() if meta.get("source") == name}
        counts = "; ".join(
            f"{t}: {meta.get('rows', 0):,}"
            + (
                f" ({meta.get('rows', 0) - prev[t]:+,} since previous)"
                if prev.get(t) is not None
                else " (new)"
            )
            for t, meta in tables.items()
        )
        st_ = rs.get(name, {})
        rows.append(
            {
                "source": name,
                "publisher": o.get("producer"),
                "licence": o.get("license"),
                "citation": o.get("citation"),
                "live URLs": " ".join(o.get("urls", [])),
                "last successful refresh": st_.get("last_success") or src.get("fetched_at"),
                "data age": _age(src.get("fetched_at")),
                "data through": src.get("data_through") or "",
                "expected cadence (days)": o.get("cadence_days"),
                "rows per table": counts,
                "last error": st_.get("last_error") or "",
            }
        )
    return pd.DataFrame(rows)


def render() -> None:
    st.title("Data & methods")
    state = data.run_state()
    st.header("Sources")
    if state.ok:
        table = sources_table(state)
        st.dataframe(table, hide_index=True, width="stretch")
        download_pair(
            "Download the sources table (CSV)",
            "methods_sources",
            lambda: table,
            lambda n: export.metadata(
                "methods_sources", {}, n, [state.source_of(t) for t in state.manifest["tables"]]
            ),  # type: ignore[index]
            "sources",
        )
        st.caption(
            f"Published version {state.version} at {state.manifest.get('published_at')}; "  # type: ignore[union-attr]
            f"code {state.manifest.get('run', {}).get('code_version', '?')}."
        )  # type: ignore[union-attr]
    else:
        st.info(f"No data published yet ({state.problem}).")

    st.header("Method notes")
    st.markdown(method_notes(state))
    role_counting_quality()

    st.header("Job titles -> roles (aijobs salaries)")
    if state.has("job_title_map"):
        st.dataframe(published_table(state, "job_title_map"), hide_index=True, width="stretch")
        st.caption(
            "Strict: the exact titles. Broad: adds the reviewed variants above. Everything else is "
            "'other'. " + built_by(state, "job_title_map")
        )
    else:
        st.info(
            "The title map is published with the salaries: `python -m etl refresh --source aijobs_salaries`."
        )
    if state.has("salary_title_counts"):
        unm = queries.unmapped_titles(state)
        n_t, n_r = len(unm), int(unm["responses"].sum())
        st.subheader(
            f"Titles in no role ('other', deliberately or unmapped: {n_t:,} title{'s' if n_t != 1 else ''}, {n_r:,} response{'s' if n_r != 1 else ''})"
        )
        st.dataframe(unm, hide_index=True, width="stretch", height=min(400, 35 * (n_t + 1) + 3))
        download_pair(
            f"Download the {len(unm):,} unmapped titles (CSV)",
            "methods_unmapped",
            lambda: unm,
            lambda n: export.metadata(
                "methods_unmapped_titles", {"role_broad": "other"}, n, [state.source_of("salaries")]
            ),
            "unmapped_titles",
        )

    st.header("Skill taxonomy")
    if not state.has("skill_taxonomy"):
        st.info(
            "The taxonomy is published with the skills: `python -m etl refresh --source hn_whoishiring`."
        )
        return
    tax = published_table(state, "skill_taxonomy")
    st.caption(built_by(state, "skill_taxonomy"))
    q = st.text_input("Search skills, aliases or categories", key="tax_q")
    shown = tax
    if q:
        mask = (
            tax.astype(str).apply(lambda c: c.str.contains(q, case=False, regex=False)).any(axis=1)
        )
        shown = tax[mask]
    st.caption(f"{len(shown)} of {len(tax)} skills")
    st.dataframe(shown, hide_index=True, width="stretch")
    gj_panels.methods_section(state)


def published_table(state: data.DataState, table: str) -> pd.DataFrame:
    return data.run_query(state, f"SELECT * FROM {{{table}}}", (), (table,))


def built_by(state: data.DataState, table: str) -> str:
    """Which build the mapping comes from: the published copy, not the checkout's file."""
    info = state.source_of(table)
    return (
        f"As published with {info['source']} (snapshot {info['snapshot_date']}, published version "
        f"{state.version}): the mapping that built the tables shown, not this checkout's file."
    )


render()

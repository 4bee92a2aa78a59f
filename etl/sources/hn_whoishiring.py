"""Hacker News "Ask HN: Who is hiring?" (posts belong to their authors: aggregate use only).

Fetches the Algolia thread list and each thread's item (incremental: final threads are carried
from the previous snapshot, not fetched again); builds `hn_threads`, `hn_postings` (with role flags),
`hn_demand_monthly`, `posting_skills`, `hn_role_skills` (skills tied to each job of the ad) and
the aggregates the Skills and Overview views sum (`skill_aggregates`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow as pa

from etl.http import FetchError
from etl.snapshot import Snapshot, SnapshotBuilder, parse_iso
from etl.sources import hn_parse
from etl.sources.base import FetchContext, Origin, ParseError
from etl.vocab import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    CLAIMS,
    COMPARED_ROLES,
    ERA_MATCH_MIN_N,
    HN_DEFINITIONS,
    INTERVAL_LEVEL,
    ROLE_NAME_SKILLS,
)

NAME = "hn_whoishiring"
SEARCH_URL = (
    "https://hn.algolia.com/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=1000"
)
ITEM_URL = "https://hn.algolia.com/api/v1/items/{id}"
ORIGIN = Origin(
    name=NAME,
    title='Hacker News "Ask HN: Who is hiring?" threads',
    producer="Hacker News (Y Combinator) via the Algolia HN Search API",
    urls=(SEARCH_URL, ITEM_URL),
    license="Posts belong to their authors: aggregate use only, texts are never shown or exported",
    license_url="https://www.ycombinator.com/legal/",
    citation='Hacker News, "Ask HN: Who is hiring?" monthly threads (user whoishiring), via hn.algolia.com',
    cadence_days=1,
    max_lag_days=45,
    data_through=("hn_threads", "thread_month", "month"),
    homepage="https://news.ycombinator.com/submitted?id=whoishiring",
    notes="Months come from thread titles. Some threads are archived copies crawled early in their month: "
    "the published coverage lists them (threads whose postings all carry one reconstructed time).",
)
SKILL_TABLES = (
    "hn_role_year_counts",
    "hn_skill_counts",
    "hn_claim_counts",
    "hn_skill_pairs",
    "hn_role_convergence",
)
TABLES = (
    "hn_threads",
    "hn_postings",
    "hn_role_evidence",
    "hn_role_skills",
    "hn_posted_pay",
    "hn_posted_pay_yearly",
    "hn_demand_monthly",
    "posting_skills",
    *SKILL_TABLES,
    "skill_taxonomy",
)

FINAL_AFTER_DAYS = (
    40  # a thread whose month ended this long before its snapshot gets no new postings
)
MAX_IN_FLIGHT = 4


def search_file(page: int) -> str:
    return f"search_p{page}.json"


def item_file(thread_id: int) -> str:
    return f"item_{thread_id}.json"


def is_final(thread_month: pd.Timestamp, fetched_at: datetime) -> bool:
    month_end = (pd.Timestamp(thread_month).to_period("M") + 1).to_timestamp().tz_localize(UTC)
    return fetched_at - month_end.to_pydatetime() > timedelta(days=FINAL_AFTER_DAYS)


def _thread_list(pages: dict[str, bytes]) -> pd.DataFrame:
    """The hiring threads listed by the search answer pages (file name -> bytes).

    Errors name the source and the page file: they surface during fetch, where no file is named.
    """
    frames = []
    for name, raw in pages.items():
        try:
            frames.append(hn_parse.parse_thread_list(raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise ParseError(f"{NAME}: {name}: {exc}") from exc
    threads = pd.concat(frames, ignore_index=True).drop_duplicates("thread_id")
    if threads.empty:
        raise ParseError(
            f"{NAME}: {', '.join(pages)}: no {hn_parse.THREAD_TITLE_PREFIX!r} thread is listed"
        )
    return threads.reset_index(drop=True)


def _fetch_search(ctx: FetchContext, b: SnapshotBuilder) -> dict[str, bytes]:
    pages = {}
    page, n_pages = 0, 1
    while page < n_pages:
        url = SEARCH_URL if page == 0 else f"{SEARCH_URL}&page={page}"
        name = search_file(page)
        b.fetch(ctx.client, url, name, expect="json")
        raw = (b.tmp / name).read_bytes()
        try:
            n_pages = hn_parse.page_count(raw)
        except ValueError as exc:
            raise ParseError(f"{NAME}: {name}: {exc}") from exc
        pages[name] = raw
        page += 1  # further pages only while page + 1 < nbPages
    return pages


def fetch(ctx: FetchContext) -> Snapshot:
    prev = ctx.previous
    with ctx.store.begin(NAME, prev) as b:
        threads = _thread_list(_fetch_search(ctx, b))
        todo: list[tuple[int, str]] = []
        for t in threads.itertuples():
            name = item_file(int(t.thread_id))
            meta = prev.files.get(name) if prev else None
            if meta is not None and is_final(t.thread_month, parse_iso(meta.fetched_at)):
                b.carry(name)
            else:
                todo.append((int(t.thread_id), name))

        def one(item: tuple[int, str]) -> str:
            tid, name = item
            try:
                b.fetch(ctx.client, ITEM_URL.format(id=tid), name, expect="json")
            except FetchError as exc:
                if exc.status == 404 and prev is not None and name in prev.files:
                    ctx.log.warning(
                        "%s: thread %s answered 404; keeping its previous copy", NAME, tid
                    )
                    b.carry(name)
                elif exc.status == 404:
                    raise FetchError(
                        f"thread {tid} is listed but its item answered 404: {exc}",
                        url=exc.url,
                        status=404,
                    ) from exc
                else:
                    raise
            return name

        done = 0
        with ThreadPoolExecutor(max_workers=MAX_IN_FLIGHT) as pool:
            for name in pool.map(one, todo):
                done += 1
                if ctx.progress:
                    ctx.progress(done - 1, len(todo), name)
        ctx.log.info(
            "%s: %d threads listed, %d fetched, %d carried (final)",
            NAME,
            len(threads),
            len(todo),
            len(threads) - len(todo),
        )
        return b.commit(ORIGIN.to_json())


def _thread_table(snapshot: Snapshot) -> pd.DataFrame:
    """The snapshot's thread list, each thread with the time its file was fetched."""
    pages = sorted(
        (n for n in snapshot.files if n.startswith("search_p")), key=lambda n: int(n[8:-5])
    )
    if not pages:
        raise ParseError(f"{NAME} snapshot {snapshot.snapshot_id} has no thread list")
    threads = _thread_list({p: snapshot.read_bytes(p) for p in pages})
    fetched = []
    for t in threads.itertuples():
        name = item_file(int(t.thread_id))
        if name not in snapshot.files:
            raise ParseError(
                f"{NAME}: thread {t.thread_id} ({t.title}) is listed but not in the snapshot"
            )
        fetched.append(parse_iso(snapshot.files[name].fetched_at))
    threads["snapshot_fetched_at"] = pd.to_datetime(fetched, utc=True)
    return threads


def _no_repeats(postings: pd.DataFrame) -> None:
    dup = postings["posting_id"].duplicated()
    if dup.any():
        # NOTE: a posting can only belong to one thread; a repeat means a mixed-up snapshot
        raise ParseError(f"{NAME}: {int(dup.sum())} postings appear in more than one thread")


log = logging.getLogger("etl.build")

# what a thread's postings yield on their own (each a table with posting_id): kept per thread
PRODUCTS = ("postings", "flags", "evidence", "posting_skills", "role_skills", "posted_pay")
INCREMENTAL = True  # the pipeline passes build() a cache folder


def posting_products(postings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Everything computed posting by posting: role flags and their evidence, whole-ad skills,
    the skills tied to each job, posted pay ranges."""
    from etl.transform import attribution, hn_roles, pay, skills

    flags, evidence = hn_roles.flag_roles_with_evidence(postings)
    evidence = evidence.rename(
        columns={"kind": "rule_kind", "start": "start_char", "end": "end_char"}
    )
    matchers = hn_roles.compile_role_rules(hn_roles.load_role_rules())  # once for both steps
    return {
        "postings": postings,
        "flags": flags,
        "evidence": evidence,
        "posting_skills": skills.extract_skills(postings[["posting_id", "text"]]),
        "role_skills": attribution.attribute_skills(postings, flags, matchers=matchers),
        "posted_pay": pay.posted_pay_by_role(postings, flags, matchers=matchers),
    }


PARALLEL_THREADS = 8  # threads to build from which each process builds a share of the threads
# postings (of fewer threads) from which each process classifies a share of the postings: a
# routine refresh's one new thread (~300-900 postings) is built on every core
PARALLEL_POSTINGS = 200
MAX_BUILD_WORKERS = 4
# shares of the threads to build per process: small shares, taken as processes free up, so that
# no process is left with a long last share while the others wait (threads of a like size in
# bytes differ in work: the later ones name more roles)
SHARES_PER_WORKER = 8


def _parse_threads(items: list[tuple[int, pd.Timestamp, bytes]]) -> pd.DataFrame:
    """The postings of the given threads (id, month, item file bytes), in thread order."""
    parts = []
    for tid, month, raw in items:
        try:
            parts.append(hn_parse.parse_thread(raw, month))
        except ValueError as exc:
            raise ParseError(f"{NAME}: {item_file(tid)}: {exc}") from exc
    fresh = pd.concat(parts, ignore_index=True)
    _no_repeats(fresh)
    return fresh


def _per_thread(
    fresh: pd.DataFrame, made: dict[str, pd.DataFrame], thread_ids: list[int]
) -> dict[int, dict[str, pa.Table]]:
    """PRODUCTS split back per thread (a thread without rows of a product gets an empty table)."""
    thread_of = fresh.set_index("posting_id")["thread_id"]
    rows = {k: v.groupby(v["posting_id"].map(thread_of)).indices for k, v in made.items()}
    return {
        tid: {
            k: pa.Table.from_pandas(v.iloc[rows[k].get(tid, [])], preserve_index=False)
            for k, v in made.items()
        }
        for tid in thread_ids
    }


def _thread_products(
    items: list[tuple[int, pd.Timestamp, bytes]],
) -> dict[int, dict[str, pa.Table]]:
    """Parse the given threads (id, month, item file bytes) and compute their PRODUCTS, split
    back per thread."""
    fresh = _parse_threads(items)
    return _per_thread(fresh, posting_products(fresh), [tid for tid, _, _ in items])


def _share_products(postings: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """posting_products of one share of the postings, without the postings themselves."""
    made = posting_products(postings)
    del made["postings"]
    return made


def _worker_init(vouched: bool) -> None:
    from etl.transform import hn_roles

    # NOTE: each worker already runs one share of the build: no nested process pool for the
    # role rules inside it
    hn_roles.PARALLEL_FROM = sys.maxsize
    if vouched:
        hn_roles.vouch_for_role_rules()


def _compile_here() -> None:
    """Import the posting-level transforms and compile the role rules and the skill matcher in
    this process, before the build processes start: forked from it (the start method on Linux),
    they begin with them compiled instead of each compiling them again (~0.4 s a process)."""
    from etl.transform import attribution, hn_roles, pay, skills  # noqa: F401 - posting_products'

    hn_roles.compile_role_rules(hn_roles.load_role_rules())
    skills.default_matcher()


def _start_build(items: list[tuple[int, pd.Timestamp, bytes]], vouched: bool = False):  # type: ignore[no-untyped-def]
    """Start _thread_products over the threads to build; returns the function that waits for
    and returns the result. Few postings are built in this process, at once; else the work runs
    in one process per core (Python's re and the pandas work hold the GIL, so threads would not
    help), and the caller reads the cached threads meanwhile. Many threads are dealt out whole,
    by size, so the shares are even; a few threads (a routine refresh) are parsed here and their
    postings split. The rules are compiled here first (_compile_here), so the processes start
    with them. `vouched`: the
    build cache holds entries of this code and mapping version, so the role rules passed their
    checks before (the caller vouched for them here, hn_roles.vouch_for_role_rules; the
    processes do too)."""
    workers = min(MAX_BUILD_WORKERS, os.cpu_count() or 1)
    if workers < 2:
        return lambda: _thread_products(items)
    if len(items) >= PARALLEL_THREADS:
        _compile_here()
        shares: list[list] = [[] for _ in range(SHARES_PER_WORKER * workers)]
        sizes = [0] * len(shares)
        for item in sorted(items, key=lambda it: -len(it[2])):
            i = sizes.index(min(sizes))
            shares[i].append(item)
            sizes[i] += len(item[2])
        pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_worker_init, initargs=(vouched,)
        )
        futures = [pool.submit(_thread_products, s) for s in shares if s]

        def by_thread() -> dict[int, dict[str, pa.Table]]:
            out: dict[int, dict[str, pa.Table]] = {}
            try:
                for f in futures:
                    out.update(f.result())
            finally:
                pool.shutdown(cancel_futures=True)
            return out

        return by_thread
    fresh = _parse_threads(items)
    ids = [tid for tid, _, _ in items]
    if len(fresh) < PARALLEL_POSTINGS:
        made = posting_products(fresh)
        return lambda: _per_thread(fresh, made, ids)
    _compile_here()
    n = min(workers, len(fresh) // (PARALLEL_POSTINGS // 2))
    bounds = [len(fresh) * i // n for i in range(n + 1)]
    pool = ProcessPoolExecutor(max_workers=n, initializer=_worker_init, initargs=(vouched,))
    futures = [
        pool.submit(_share_products, fresh.iloc[a:b].reset_index(drop=True))
        for a, b in zip(bounds, bounds[1:], strict=False)
    ]

    def by_postings() -> dict[int, dict[str, pa.Table]]:
        try:
            parts = [f.result() for f in futures]
        finally:
            pool.shutdown(cancel_futures=True)
        # each share's rows are its postings' rows, in posting order: the shares in order are
        # the rows of one build (rows of one posting keep their order; _products orders the rest)
        made = {"postings": fresh}
        for p in PRODUCTS[1:]:
            made[p] = pd.concat([part[p] for part in parts], ignore_index=True)
        return _per_thread(fresh, made, ids)

    return by_postings


def _keep_rule_literals(cache_dir: Path | None, vouched: bool) -> None:
    """The role rules' literal requirements (hn_roles.keep_requirements) read back from the build
    cache, <cache>/hn_whoishiring-rule-literals/<code key>/<digest of the rules>.json, or
    derived and kept there: a refresh whose rules did not change derives none."""
    from etl.build_cache import ResultCache
    from etl.transform import hn_roles

    if vouched:
        hn_roles.vouch_for_role_rules()  # loading the rules then compiles none of them alone
    kept = ResultCache(cache_dir, f"{NAME}-rule-literals")
    hn_roles.keep_requirements(hn_roles.load_role_rules(), kept.get_or_compute)
    kept.prune()


def _products(snapshot: Snapshot, threads: pd.DataFrame, cache_dir: Path | None) -> dict:
    """PRODUCTS over every thread: from the cache where the thread file and the code are the same
    as when it was built, computed (in one batch, started before the cached threads are read) for
    the others."""
    from etl.build_cache import ThreadCache

    cache = ThreadCache(cache_dir, NAME, PRODUCTS)
    keys = [
        (int(t.thread_id), snapshot.files[item_file(int(t.thread_id))].sha256, t.thread_month)
        for t in threads.itertuples()
    ]
    todo = [(tid, sha, month) for tid, sha, month in keys if not cache.has(tid, sha)]
    per_thread: dict[int, dict[str, pa.Table]] = {}
    built = None
    if todo:
        # entries of this code key were built, so its rule files were checked in full then
        vouched = len(todo) < len(keys)
        _keep_rule_literals(cache_dir, vouched)
        built = _start_build(
            [(tid, month, snapshot.read_bytes(item_file(tid))) for tid, _, month in todo],
            vouched=vouched,
        )
    to_build = {tid for tid, _, _ in todo}
    late = []  # entries that could not be read back: rebuilt after the others
    for tid, sha, month in keys:
        if tid in to_build:
            continue
        got = cache.get(tid, sha)
        if got is None:
            late.append((tid, sha, month))
        else:
            per_thread[tid] = got
    if built is not None:
        per_thread.update(built())
    if late:
        items = [(tid, month, snapshot.read_bytes(item_file(tid))) for tid, _, month in late]
        per_thread.update(_thread_products(items))
    for tid, sha, _ in todo + late:
        cache.put(tid, sha, per_thread[tid])
    cache.prune({(tid, sha) for tid, sha, _ in keys})
    log.info(
        "%s: %d threads from the build cache, %d built",
        NAME,
        len(keys) - len(todo) - len(late),
        len(todo) + len(late),
    )
    # one conversion per product; a thread without rows of a product may type its columns null
    out = {
        p: pa.concat_tables(
            [per_thread[tid][p] for tid, _, _ in keys], promote_options="default"
        ).to_pandas()
        for p in PRODUCTS
    }
    _no_repeats(out["postings"])
    # one order whatever was cached: postings in thread order, the rest by posting then as made
    position = pd.Series(range(len(out["postings"])), index=out["postings"]["posting_id"])
    for p in ("evidence", "role_skills", "posted_pay"):
        order = out[p]["posting_id"].map(position).to_numpy()
        out[p] = out[p].iloc[order.argsort(kind="stable")].reset_index(drop=True)
    out["posting_skills"] = out["posting_skills"].sort_values(
        ["posting_id", "skill"], kind="stable", ignore_index=True
    )
    return out


def build(snapshot: Snapshot, cache_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table of the source. With `cache_dir`, the posting-level work of a thread whose file
    and code are unchanged since the last build is read back instead of done again."""
    from etl.transform import demand, pay

    threads = _thread_table(snapshot)
    made = _products(snapshot, threads, cache_dir)
    postings, flags = made["postings"], made["flags"]
    flagged = pd.concat(
        [postings, flags.drop(columns=[c for c in flags.columns if c in postings.columns])], axis=1
    )
    rest: dict[str, pd.DataFrame] = {}

    def demand_and_pay() -> None:
        nonlocal threads
        stats = flagged.groupby("thread_id").agg(
            postings=("posting_id", "size"), last_posting_at=("created_at", "max")
        )
        threads = threads.merge(stats, left_on="thread_id", right_index=True, how="left")
        threads["postings"] = threads["postings"].fillna(0).astype("int64")
        threads["last_posting_at"] = threads["last_posting_at"].fillna(threads["created_at"])
        threads["is_partial"] = demand.partial_threads(threads)
        rest["hn_demand_monthly"] = demand.monthly_demand(flagged, threads)
        # the cache keeps the ranges as posted; the conversion to annual USD is one pass over all
        rest["hn_posted_pay"] = pay.with_usd_annual(made["posted_pay"], postings)
        rest["hn_posted_pay_yearly"] = pay.posted_pay_yearly(
            rest["hn_posted_pay"], postings, flagged
        )

    role_skills = made["role_skills"]
    sums = skill_aggregates(flagged, role_skills, cache_dir=cache_dir, meanwhile=demand_and_pay)
    return {
        "hn_threads": threads,
        "hn_postings": flagged,
        "hn_role_evidence": made["evidence"],
        "hn_role_skills": role_skills,
        "hn_posted_pay": rest["hn_posted_pay"],
        "hn_posted_pay_yearly": rest["hn_posted_pay_yearly"],
        "hn_demand_monthly": rest["hn_demand_monthly"],
        "posting_skills": made["posting_skills"],
        **sums,
    }


# postings from which the sums of the two definitions are computed in two processes at once
PARALLEL_AGGREGATES_FROM = 20_000


def skill_aggregates(
    flagged: pd.DataFrame,
    role_skills: pd.DataFrame,
    skip: tuple[str, ...] = (),
    cache_dir: Path | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, pd.DataFrame]:
    """What the Skills and Overview views sum over the selected years, per definition x role x
    year: postings per role, skill counts, claim counts, skill-pair counts, and the roles'
    convergence per year; plus the taxonomy that built them. `role_skills` (posting_id, role,
    skill): each role's skills as attributed inside the ad (hn_role_skills), so a skill named only
    in another job's part of a multi-job ad does not count for the role. `skip`: tables not to
    compute (the benchmark's scaled stores carry the 1x convergence). With `cache_dir`, each
    year's convergence bootstrap is kept by a digest of that year's input (build_cache.ResultCache):
    a refresh in which one thread changed recomputes its year only; and on a record of
    PARALLEL_AGGREGATES_FROM postings the last definition's sums are computed in a second
    process meanwhile (inputs and results are small frames: ids, flags, years, role skills).
    `meanwhile`: the caller's other work, run here first (while that process sums, if any)."""
    from etl.build_cache import ResultCache
    from etl.transform import hn_roles
    from etl.transform.skills import load_taxonomy

    taxonomy = load_taxonomy()
    category = dict(zip(taxonomy["skill"], taxonomy["category"], strict=True))
    role_skills = role_skills.assign(category=role_skills["skill"].map(category))
    flag_cols = [hn_roles.flag_column(r, d) for d in HN_DEFINITIONS for r in hn_roles.ROLES]
    slim = flagged[["posting_id", "thread_month", *flag_cols]]
    definitions = list(HN_DEFINITIONS)
    here, elsewhere = definitions, []
    workers = min(2, os.cpu_count() or 1)
    if cache_dir is not None and workers > 1 and len(flagged) >= PARALLEL_AGGREGATES_FROM:
        here, elsewhere = definitions[:-1], definitions[-1:]
    made: dict[str, tuple[dict[str, pd.DataFrame], set[str], int, int]] = {}
    if elsewhere:
        with ProcessPoolExecutor(max_workers=1) as pool:
            future = pool.submit(
                _definition_aggregates, elsewhere[0], slim, role_skills, skip, cache_dir
            )
            if meanwhile is not None:
                meanwhile()
            for definition in here:
                made[definition] = _definition_aggregates(
                    definition, slim, role_skills, skip, cache_dir
                )
            made[elsewhere[0]] = future.result()
    else:
        if meanwhile is not None:
            meanwhile()
        for definition in here:
            made[definition] = _definition_aggregates(
                definition, slim, role_skills, skip, cache_dir
            )
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in SKILL_TABLES}
    for definition in definitions:  # one order whichever process computed a definition
        for name, df in made[definition][0].items():
            parts[name].append(df)
    if "hn_role_convergence" not in skip:
        kept = ResultCache(cache_dir, f"{NAME}-convergence")
        kept.used = set().union(*(m[1] for m in made.values()))
        kept.prune()
        log.info(
            "%s: convergence of %d years kept, %d computed",
            NAME,
            sum(m[2] for m in made.values()),
            sum(m[3] for m in made.values()),
        )
    out = {name: pd.concat(dfs, ignore_index=True) for name, dfs in parts.items() if dfs}
    out["skill_taxonomy"] = taxonomy
    return out


def _definition_aggregates(
    definition: str,
    flagged: pd.DataFrame,
    role_skills: pd.DataFrame,
    skip: tuple[str, ...],
    cache_dir: Path | None,
) -> tuple[dict[str, pd.DataFrame], set[str], int, int]:
    """skill_aggregates' tables of one definition, each with its `definition` column; and the
    convergence results this used from the cache (their digests, kept, computed)."""
    from etl.build_cache import ResultCache
    from etl.transform import hn_roles
    from etl.transform.skills import tables

    kept = ResultCache(cache_dir, f"{NAME}-convergence")
    year = flagged["thread_month"].dt.year.astype("int64").rename("posted_year")
    years = pd.concat([flagged["posting_id"], year], axis=1)
    roles = hn_roles.posting_roles_long(flagged, definition).merge(years, on="posting_id")
    yearly = [t for t in YEARLY_SUMS if t not in skip]
    made = _yearly_sums(definition, yearly, roles, role_skills, cache_dir)
    make = {
        "hn_role_convergence": lambda: tables.convergence(
            role_skills,
            roles,
            COMPARED_ROLES,
            ROLE_NAME_SKILLS,
            ERA_MATCH_MIN_N,
            BOOTSTRAP_RESAMPLES,
            INTERVAL_LEVEL,
            BOOTSTRAP_SEED,
            memo=kept.get_or_compute,
        ),
    }
    made.update({name: build() for name, build in make.items() if name not in skip})
    made = {name: made[name] for name in SKILL_TABLES if name in made}
    for df in made.values():
        df.insert(0, "definition", definition)
    return made, kept.used, kept.hits, kept.misses


# skill_aggregates' tables of sums per role and year, each sorted by these columns
YEARLY_SUMS: dict[str, list[str]] = {
    "hn_role_year_counts": ["role", "posted_year"],
    "hn_skill_counts": ["role", "posted_year", "skill"],
    "hn_claim_counts": ["claim", "role", "posted_year"],
    "hn_skill_pairs": ["role", "posted_year", "skill_a", "skill_b"],
}


def _sums(names: list[str], roles: pd.DataFrame, role_skills: pd.DataFrame) -> dict:
    from etl.transform.skills import tables

    make = {
        "hn_role_year_counts": lambda: tables.role_year_counts(roles, COMPARED_ROLES),
        "hn_skill_counts": lambda: tables.role_skill_counts(role_skills, roles, COMPARED_ROLES),
        "hn_claim_counts": lambda: tables.claim_counts(role_skills, roles, CLAIMS),
        "hn_skill_pairs": lambda: tables.skill_pair_counts(role_skills, roles),
    }
    return {name: make[name]() for name in names}


def _year_digests(definition: str, roles: pd.DataFrame, role_skills: pd.DataFrame) -> dict:
    """Per posted year, a digest of what its sums are computed from: the year's (posting, role)
    rows and the role skills of those (posting, role) pairs, each in one order."""
    r = roles[["posted_year", "posting_id", "role"]].sort_values(
        ["posted_year", "posting_id", "role"], ignore_index=True
    )
    rs = role_skills[["posting_id", "role", "skill", "category"]].merge(
        r, on=["posting_id", "role"]
    )
    rs = rs.sort_values(["posted_year", "posting_id", "role", "skill"], ignore_index=True)
    spans = {
        "roles": (r, r.groupby("posted_year").indices),
        "skills": (rs, rs.groupby("posted_year").indices),
    }
    # each row as one 64-bit hash of its values (pandas' stable row hash), hashed per year
    rows = {k: pd.util.hash_pandas_object(f, index=False).to_numpy() for k, (f, _) in spans.items()}
    out = {}
    for year in spans["roles"][1]:
        h = hashlib.blake2b(repr((definition, int(year))).encode(), digest_size=16)
        for k, (_frame, at) in spans.items():
            h.update(rows[k][at.get(year, [])].tobytes() + b"|")
        out[int(year)] = h.hexdigest()
    return out


def _yearly_sums(
    definition: str,
    names: list[str],
    roles: pd.DataFrame,
    role_skills: pd.DataFrame,
    cache_dir: Path | None,
) -> dict[str, pd.DataFrame]:
    """The YEARLY_SUMS tables `names` of one definition. With `cache_dir`, each year's rows are
    kept by a digest of the year's input (a ThreadCache entry per year, <cache>/hn_whoishiring-
    sums-<definition>/<code key>/<year>-<digest>/): a refresh in which one thread changed sums
    its year only. Every sum is over one year's postings, so a year's rows computed alone are its
    rows of the whole table."""
    from etl.build_cache import ThreadCache

    if cache_dir is None or not names or roles.empty:
        return _sums(names, roles, role_skills)
    cache = ThreadCache(cache_dir, f"{NAME}-sums-{definition}", tuple(names))
    digests = _year_digests(definition, roles, role_skills)
    per_year = {y: cache.get(y, d) for y, d in digests.items() if cache.has(y, d)}
    todo = [y for y in digests if per_year.get(y) is None]
    if todo:
        mine = roles[roles["posted_year"].isin(todo)]
        made = _sums(names, mine, role_skills[role_skills["posting_id"].isin(mine["posting_id"])])
        for y in todo:
            per_year[y] = {
                n: pa.Table.from_pandas(df[df["posted_year"] == y], preserve_index=False)
                for n, df in made.items()
            }
            cache.put(y, digests[y], per_year[y])
    cache.prune(set(digests.items()))
    out = {}
    for n in names:
        whole = pa.concat_tables(
            [per_year[y][n] for y in sorted(digests)], promote_options="default"
        ).to_pandas()
        out[n] = whole.sort_values(YEARLY_SUMS[n], ignore_index=True)
    return out


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.coverage import hn_coverage

    return hn_coverage(tables["hn_threads"], tables["hn_postings"])

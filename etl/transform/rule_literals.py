"""The words a regex's every match needs, so a text without them is not scanned with it.

Reads a regex source (Python `re` syntax, matched case-insensitively); writes a requirement: a
small and/or formula of lower-case literals that every text the regex matches somewhere
contains, once folded (`fold`). Used by the role rules (`hn_roles.RoleMatcher`): a rule whose
requirement fails cannot match, so it is left out of the scan; the result is unchanged.

The derivation is conservative: a part it cannot read exactly (a character class, a `.`, a
repeat, a negative look-around) requires nothing, and a construct it does not know (a
back-reference, a conditional, verbose mode) makes the whole regex require nothing, so that
regex always runs. `tests/unit/test_rule_literals.py` checks that every rule's requirement holds
on texts it matches.
"""

from __future__ import annotations

import functools
import re
import sys
from collections import defaultdict
from collections.abc import Set
from dataclasses import dataclass

import ahocorasick

# A requirement: None (nothing required), a literal (str: the folded text must contain it), or
# ("&", parts) / ("|", parts): all / any of the parts hold.
Requirement = str | tuple[str, tuple["Requirement", ...]] | None

MAX_STRINGS = 16  # exact strings of a part kept before it becomes a plain requirement
MIN_LITERAL = 2  # shorter literals are not worth a look-up: they require nothing
_ZERO_WIDTH = "bBAZ"
_CLASS_ESCAPES = "sSdDwW"
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}
_HEX_DIGITS = {"x": 2, "u": 4, "U": 8}
_REPEAT = re.compile(r"\{(\d*)(?:(,)(\d*))?\}")
_RUN = re.compile(r"[^\\()\[\]{}|.^$*+?]+")  # plain characters, literals outside a class
_FLAGS = re.compile(r"\?([aiLmsux]*)(?:-([imsx]+))?([:)])")


class Unsupported(ValueError):
    """The regex uses a construct the derivation does not read: it requires nothing."""


@dataclass(frozen=True)
class _Info:
    """What a part of a regex matches: `exact`, the only strings it can consume (folded), when
    known; `req`, what the whole text must contain besides (from look-arounds inside it).
    Where `exact` is not known: `starts`, strings (folded, non-empty) one of which every
    non-empty match of the part begins with (None: not known), and `nullable`, whether the part
    can match the empty string."""

    exact: frozenset[str] | None
    req: Requirement = None
    starts: frozenset[str] | None = None
    nullable: bool = False
    at_start: bool = False  # every match begins at the start of the string (\A asserted first)


def _starts_of(info: _Info) -> tuple[frozenset[str] | None, bool]:
    """(starts, nullable) of a part, from its exact strings where they are known."""
    if info.exact is not None:
        return frozenset(e for e in info.exact if e), "" in info.exact
    return info.starts, info.nullable


def _sequence_at_start(items: list[_Info]) -> bool:
    """Whether every match of parts matched one after the other begins at the start of the
    string: \\A (or a part whose matches do) before anything that consumes text."""
    for item in items:
        if item.at_start:
            return True
        if item.exact != frozenset({""}):
            return False
    return False


def _sequence_starts(items: list[_Info]) -> tuple[frozenset[str] | None, bool]:
    """(starts, nullable) of parts matched one after the other: the exact strings of the leading
    run of parts, and while that run can be empty, the starts of the part after it."""
    found: set[str] = set()
    run: frozenset[str] = frozenset({""})
    for item in items:
        if item.exact is not None and len(run) * len(item.exact) <= MAX_STRINGS:
            run = frozenset(a + b for a in run for b in item.exact)
            continue
        found |= {r for r in run if r}
        if "" not in run:
            return frozenset(found), False
        starts, nullable = _starts_of(item)
        if starts is None:
            return None, False
        found |= starts
        if not nullable:
            return frozenset(found), False
        run = frozenset({""})
    found |= {r for r in run if r}
    return frozenset(found), "" in run


_EMPTY = _Info(frozenset({""}))
_TEXT_START = _Info(frozenset({""}), at_start=True)
_ANY = _Info(None)


def all_of(*parts: Requirement) -> Requirement:
    """The requirement that all `parts` hold (None parts require nothing)."""
    flat: list[Requirement] = []
    for p in parts:
        if p is None:
            continue
        if isinstance(p, tuple) and p[0] == "&":
            flat.extend(q for q in p[1] if q not in flat)
        elif p not in flat:
            flat.append(p)
    if not flat:
        return None
    if len(flat) == 1:
        return flat[0]
    return ("&", tuple(flat))


def any_of(*parts: Requirement) -> Requirement:
    """The requirement that one of `parts` holds (None if one of them requires nothing)."""
    flat: list[Requirement] = []
    for p in parts:
        if p is None:
            return None  # one part requires nothing: the alternation requires nothing
        if isinstance(p, tuple) and p[0] == "|":
            flat.extend(p[1])
        else:
            flat.append(p)
    words = {p for p in flat if isinstance(p, str)}
    # a literal that contains another one of the alternation adds nothing to it
    kept = [p for p in flat if not (isinstance(p, str) and any(w != p and w in p for w in words))]
    unique: list[Requirement] = []
    for p in kept:
        if p not in unique:
            unique.append(p)
    return unique[0] if len(unique) == 1 else ("|", tuple(unique))


def _strings(exact: frozenset[str] | None) -> Requirement:
    if exact is None or any(len(s) < MIN_LITERAL for s in exact):
        return None
    return any_of(*sorted(exact))


def _whole(info: _Info) -> Requirement:
    return all_of(info.req, _strings(info.exact))


class _Parser:
    def __init__(self, source: str) -> None:
        self.s = source
        self.i = 0

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def alternation(self) -> _Info:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        if len(branches) == 1:
            return branches[0]
        exact: set[str] = set()
        for b in branches:
            if b.exact is None:
                return self.branches(branches)
            exact |= b.exact
        if len(exact) > MAX_STRINGS:
            return self.branches(branches)
        at_start = all(b.at_start for b in branches)
        return _Info(frozenset(exact), any_of(*(b.req for b in branches)), at_start=at_start)

    @staticmethod
    def branches(branches: list[_Info]) -> _Info:
        """An alternation whose exact strings are not kept: what one of its branches needs, and
        the starts of them all."""
        req = any_of(*(_whole(x) for x in branches))
        found: set[str] = set()
        nullable = False
        for b in branches:
            starts, empty = _starts_of(b)
            if starts is None:
                return _Info(None, req, at_start=all(b.at_start for b in branches))
            found |= starts
            nullable = nullable or empty
        return _Info(None, req, frozenset(found), nullable, all(b.at_start for b in branches))

    def sequence(self) -> _Info:
        run: frozenset[str] = frozenset({""})  # exact strings of the current unbroken run
        req: Requirement = None
        broken = False
        items: list[_Info] = []
        while self.peek() not in ("", "|", ")"):
            item = self.repeat(self.atom())
            items.append(item)
            req = all_of(req, item.req)
            if item.exact is None:
                req = all_of(req, _strings(run))
                run, broken = frozenset({""}), True
            elif len(run) * len(item.exact) > MAX_STRINGS:
                req = all_of(req, _strings(run))
                run, broken = item.exact, True
            else:
                run = frozenset(a + b for a in run for b in item.exact)
        at_start = _sequence_at_start(items)
        if broken:
            starts, nullable = _sequence_starts(items)
            return _Info(None, all_of(req, _strings(run)), starts, nullable, at_start)
        return _Info(run, req, at_start=at_start)

    def repeat(self, item: _Info) -> _Info:
        c = self.peek()
        if c in ("*", "+", "?"):
            self.i += 1
            low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[c]
        elif c == "{" and (m := _REPEAT.match(self.s, self.i)):
            if not m.group(1) and not m.group(2):
                return item  # "{}" is a literal brace pair: read as characters after this one
            self.i = m.end()
            low = int(m.group(1) or 0)
            high = int(m.group(3)) if m.group(3) else (None if m.group(2) else low)
        else:
            return item
        if self.peek() in ("?", "+"):  # lazy or possessive: same strings
            self.i += 1
        starts, nullable = _starts_of(item)
        if low == 0:
            if high == 1 and item.exact is not None:
                return _Info(item.exact | {""})
            return _Info(None, None, starts, True)
        if low == high == 1:
            return item
        # repeated at least once: its own requirement holds, its exact strings are not known
        return _Info(None, _whole(item), starts, nullable, item.at_start)

    def atom(self) -> _Info:
        c = self.peek()
        self.i += 1
        if c == "(":
            return self.group()
        if c == "[":
            self.char_class()
            return _ANY
        if c == "\\":
            return self.escape()
        if c == ".":
            return _ANY
        if c in ("^", "$"):
            return _EMPTY
        if c in ("*", "+", "?"):
            raise Unsupported(f"nothing to repeat at {self.i - 1}")
        run = _RUN.match(self.s, self.i - 1)
        if run is not None and run.end() - run.start() > 1 and run.group().isascii():
            # a run of plain characters at once; its last one stays apart if a repeat follows
            end = run.end() - (run.end() < len(self.s) and self.s[run.end()] in "*+?{")
            if end > self.i:
                self.i = end
                return _Info(frozenset({self.s[run.start() : end].lower()}))
        return _char(c)

    def group(self) -> _Info:
        look = None
        if self.peek() == "?":
            head = self.s[self.i : self.i + 4]
            if head.startswith("?:"):
                self.i += 2
            elif head.startswith(("?P<", "?<")) and not head.startswith(("?<=", "?<!")):
                end = self.s.find(">", self.i)
                if end < 0:
                    raise Unsupported("unterminated group name")
                self.i = end + 1
            elif head.startswith(("?=", "?!")):
                look, self.i = head[1], self.i + 2
            elif head.startswith(("?<=", "?<!")):
                look, self.i = head[2], self.i + 3
            elif head.startswith("?#"):
                end = self.s.find(")", self.i)
                if end < 0:
                    raise Unsupported("unterminated comment")
                self.i = end + 1
                return _EMPTY
            elif m := _FLAGS.match(self.s, self.i):
                if "x" in (m.group(1) or "") + (m.group(2) or ""):
                    raise Unsupported("verbose mode")
                self.i = m.end()
                if m.group(3) == ")":
                    return _EMPTY  # global flags: they change no literal once folded
            else:
                raise Unsupported(f"group construct {head!r}")
        inner = self.alternation()
        if self.peek() != ")":
            raise Unsupported("unbalanced parenthesis")
        self.i += 1
        if look == "=":
            return _Info(frozenset({""}), _whole(inner))  # zero-width, but it must be there
        if look == "!":
            return _EMPTY
        return inner

    def char_class(self) -> None:
        if self.peek() == "^":
            self.i += 1
        if self.peek() == "]":
            self.i += 1
        while self.peek() not in ("", "]"):
            self.i += 2 if self.peek() == "\\" else 1
        if self.peek() != "]":
            raise Unsupported("unterminated character class")
        self.i += 1

    def escape(self) -> _Info:
        c = self.peek()
        self.i += 1
        if c == "":
            raise Unsupported("trailing backslash")
        if c == "A":
            return _TEXT_START
        if c in _ZERO_WIDTH:
            return _EMPTY
        if c in _CLASS_ESCAPES:
            return _ANY
        if c in _CHAR_ESCAPES:
            return _char(_CHAR_ESCAPES[c])
        if c in _HEX_DIGITS:
            digits = self.s[self.i : self.i + _HEX_DIGITS[c]]
            self.i += len(digits)
            return _char(chr(int(digits, 16)))
        if c.isdigit() or c.isalpha():
            raise Unsupported(f"escape \\{c}")  # a back-reference, \N{...}, an octal ...
        return _char(c)


def _char(c: str) -> _Info:
    # NOTE: only ASCII characters are literals: folding (below) makes re's case-insensitive
    # matches of ASCII letters plain equality; a non-ASCII character requires nothing
    return _Info(frozenset({c.lower()})) if c.isascii() else _ANY


@functools.lru_cache(maxsize=1024)
def requirement(source: str) -> Requirement:
    """What every text `source` matches (case-insensitively, anywhere) contains once folded;
    None when nothing can be said (see the module docstring)."""
    info = _parsed(source)
    return None if info is None else _whole(info)


@functools.lru_cache(maxsize=1024)
def _parsed(source: str) -> _Info | None:
    """What `source` matches, as the parser reads it; None for a construct it does not read."""
    try:
        p = _Parser(source)
        info = p.alternation()
        if p.i != len(p.s):
            raise Unsupported(f"unbalanced parenthesis at {p.i}")
    except (Unsupported, ValueError):
        return None
    return info


@functools.lru_cache(maxsize=1024)
def starts(source: str, shortest: int = MIN_LITERAL) -> frozenset[str] | None:
    """Literals (folded, at least `shortest` long) one of which every match of `source`
    (case-insensitively) begins with, in the folded text at the match's start; None when that
    cannot be said (a match may begin with a class, a `.`, a non-ASCII character, or be empty).
    A literal that begins with another one of them is dropped: its places are among the other's.
    RoleMatcher tries a rule only where one of its starts is (`at_starts`)."""
    info = _parsed(source)
    if info is None:
        return None
    found, nullable = _starts_of(info)
    if found is None or nullable or not found or any(len(w) < shortest for w in found):
        return None
    return frozenset(w for w in found if not any(v != w and w.startswith(v) for v in found))


def encode(req: Requirement) -> str | list | None:
    """`req` as JSON values (a formula as [op, [parts]]), for the build cache; `decode` reverses it."""
    if req is None or isinstance(req, str):
        return req
    return [req[0], [encode(p) for p in req[1]]]


def decode(obj: str | list | None) -> Requirement:
    """The requirement `encode` wrote."""
    if obj is None or isinstance(obj, str):
        return obj
    op, parts = obj
    return (op, tuple(decode(p) for p in parts))


def literals(req: Requirement) -> set[str]:
    """Every literal a requirement names."""
    if req is None:
        return set()
    if isinstance(req, str):
        return {req}
    return set().union(*(literals(p) for p in req[1]))


# NOTE: the non-ASCII characters that re's case-insensitive matching takes for an ASCII letter
# (sre's case equivalences): the Kelvin sign, the long s, dotless and dotted capital i. Folding
# maps them to that letter, so a literal re would find is found; `all_ascii_equivalents` asks
# re itself, over every code point, and a test checks this table against it.
ASCII_EQUIVALENTS: dict[str, str] = {"\u212a": "k", "\u017f": "s", "\u0131": "i", "\u0130": "i"}
_FOLD_TABLE = str.maketrans(ASCII_EQUIVALENTS)


def all_ascii_equivalents() -> dict[str, str]:
    """Every non-ASCII character re.IGNORECASE matches with an ASCII letter (~0.5 s)."""
    others = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    return {
        hit: letter
        for letter in "abcdefghijklmnopqrstuvwxyz"
        for hit in re.findall(letter, others, re.IGNORECASE)
    }


def fold(text: str) -> str:
    """`text` as requirements are checked on: lower case, with the characters of
    ASCII_EQUIVALENTS replaced by their ASCII letters (before lowering: 'İ' lowers to two)."""
    if text.isascii():
        return text.lower()
    if any(c in text for c in ASCII_EQUIVALENTS):
        text = text.translate(_FOLD_TABLE)
    return text.lower()


Clauses = tuple[frozenset[str], ...]
MAX_CLAUSES = 16  # clauses an alternation of conjunctions is spelled out into before merging


def clauses(req: Requirement) -> Clauses:
    """`req` weakened to clauses (each a set of literals, one of which the text must contain;
    all clauses must hold): checked with set operations instead of walking the formula. What a
    text meets `req` with, it meets the clauses with (an alternation spelled out into more than
    MAX_CLAUSES clauses is merged into one, which requires less)."""
    if req is None:
        return ()
    if isinstance(req, str):
        return (frozenset({req}),)
    op, parts = req
    subs = [clauses(p) for p in parts]
    if op == "&":
        return _simplest([c for sub in subs for c in sub])
    if any(not sub for sub in subs):
        return ()
    spelled: list[frozenset[str]] = [frozenset()]
    for sub in subs:
        spelled = [a | b for a in spelled for b in sub]
        if len(spelled) > MAX_CLAUSES:
            return _simplest([frozenset().union(*(min(sub, key=_weakest) for sub in subs))])
    return _simplest(spelled)


def _weakest(c: frozenset[str]) -> tuple[int, int]:
    # the clause to keep of a conjunction: few literals, the shortest of them long (rarer)
    return (len(c), -min(len(w) for w in c))


def _simplest(found: list[frozenset[str]]) -> Clauses:
    # a literal containing another one of its clause adds nothing to it; a clause holding all
    # the literals of another one is implied by it
    trimmed = {frozenset(w for w in c if not any(v != w and v in w for v in c)) for c in found}
    return tuple(
        sorted(
            (c for c in trimmed if not any(d < c for d in trimmed)),
            key=lambda c: (len(c), sorted(c)),
        )
    )


class RuleGate:
    """Which of a list of rules a text can match: those whose clauses (of their requirements)
    the words found in the folded text meet (`words`: every literal of the clauses, for the
    caller's StartScan to find)."""

    def __init__(self, requirements: list[Requirement]) -> None:
        self.clauses: tuple[Clauses, ...] = tuple(clauses(r) for r in requirements)
        self.words = frozenset().union(*(c for cl in self.clauses for c in cl))
        # NOTE: each word is a bit and each clause the mask of its words: a clause holds when its
        # mask shares a bit with the text's (integer ANDs, several times faster than set tests)
        self._bit = {w: 1 << i for i, w in enumerate(sorted(self.words))}
        self._masks = [sum(self._bit[w] for w in c) for cl in self.clauses for c in cl]
        self._rule_of = [k for k, cl in enumerate(self.clauses) for _ in cl]

    def active_among(self, present: Set[str]) -> tuple[int, ...]:
        """Indices of the rules whose clauses a text meets in which exactly the words of
        `present` (of at least self.words) were found."""
        bit = self._bit
        mask = 0
        for w in present:
            mask |= bit.get(w, 0)
        failed = {k for k, c in zip(self._rule_of, self._masks, strict=True) if not c & mask}
        return tuple(k for k in range(len(self.clauses)) if k not in failed)


class StartScan:
    """Where in a folded text each of a set of literals (the `starts` of some regexes) begins,
    found in one pass (Aho-Corasick, in C)."""

    def __init__(self, words: frozenset[str]) -> None:
        self.words = words
        self._scan = ahocorasick.Automaton()
        for w in sorted(words):
            self._scan.add_word(w, (w, len(w) - 1))  # the word, and how far back it begins
        if words:
            self._scan.make_automaton()

    def places(self, folded: str) -> dict[str, list[int]]:
        """Each word found in `folded` -> its start offsets, ascending (words not found are not
        keys: the keys are the words present)."""
        out: defaultdict[str, list[int]] = defaultdict(list)
        if self.words:
            for end, (word, back) in self._scan.iter(folded):
                out[word].append(end - back)
        return dict(out)  # a plain dict: looking a word up never adds it


def at_starts(places: dict[str, list[int]], starts: frozenset[str]) -> list[int]:
    """The offsets, ascending, where one of `starts` begins (`places` from StartScan.places)."""
    found = [places[w] for w in starts if w in places]
    if len(found) == 1:
        return found[0]
    return sorted({p for ps in found for p in ps})


@functools.lru_cache(maxsize=1024)
def at_text_start(source: str) -> bool:
    """Whether every match of `source` begins at the start of the string searched (each branch
    asserts \\A before consuming anything, outside an optional part): `search` then finds what
    `match` finds, without trying every offset."""
    info = _parsed(source)
    return info is not None and info.at_start

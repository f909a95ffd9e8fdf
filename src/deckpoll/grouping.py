"""Answers grouped by meaning. Word-cloud entries are one word when their Snowball stems
agree (Swedish, English, German), ignoring case, spacing, punctuation, stop words and the
diacritics the language does not count as letters: "Innovationsledning",
"innovationsledningen" and "Innovationsledningens" are one word, shown in the spelling sent
most often. Open answers are clustered by token-set similarity (rapidfuzz) for a synthesis
view with counts: "Kommunerna och regionerna" and "regionerna, kommunerna" are one."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Snowball's algorithm names for the languages deckpoll groups by meaning.
STEMMERS = {"sv": "swedish", "en": "english", "de": "german"}
# Letters with marks that a language counts as letters of their own (Swedish "å" is not an
# "a"); every other mark is dropped ("café" groups with "cafe").
LETTERS = {"sv": "åäö", "de": "äöüß", "en": ""}
# Function words that carry no meaning in a word-cloud entry ("Mod att misslyckas" and
# "mod misslyckas" are one); a shortened form of the Snowball project's lists.
STOP_WORDS = {
    "sv": set(
        "och att det som en ett i på är av för med till den de om så men har inte var jag "
        "vi ni man från eller nu när också vid under hos alla mer mycket sin sina sitt".split()
    ),
    "en": set(
        "a an the and or of to in on at for with by from is are be as that this it its "
        "we our you your they their not more very so also".split()
    ),
    "de": set(
        "der die das und oder zu im in am an auf für mit von ist sind ein eine einer "
        "wir ihr sie nicht mehr sehr auch".split()
    ),
}
CLUSTER_CUTOFF = 80  # token-set similarity (0-100) at which two open answers are one cluster
# A word; hyphens join its parts ("innovations-ledning" is the compound "innovationsledning").
_WORD = re.compile(r"\w+(?:-\w+)*")


def base(lang: str | None) -> str:
    return (lang or "").split("-")[0].lower()


@functools.cache
def _stemmer(lang: str):
    import snowballstemmer

    return snowballstemmer.stemmer(STEMMERS[lang]) if lang in STEMMERS else None


def fold(text: str, lang: str | None) -> str:
    """`text` in one case, without the marks the language does not count as letters."""
    text = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())
    if base(lang) not in LETTERS:  # a language whose letters we do not know: keep every mark
        return text
    keep = LETTERS[base(lang)]
    out = []
    for ch in text:
        if ch in keep:
            out.append(ch)
        else:
            out.extend(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return "".join(out)


@functools.lru_cache(maxsize=65536)
def stems(text: str, lang: str | None) -> tuple[str, ...]:
    """The stems of `text`'s words, stop words left out (unless nothing else is left)."""
    lang = base(lang)
    words = [w.replace("-", "") for w in _WORD.findall(fold(text, lang))]
    meaningful = [w for w in words if w not in STOP_WORDS.get(lang, ())] or words
    stemmer = _stemmer(lang)
    return tuple(stemmer.stemWords(meaningful) if stemmer else meaningful)


def word_key(text: str, lang: str | None) -> str:
    """What a word-cloud entry is grouped by: its words' stems, or for text with no word in
    it (an emoji) the text folded."""
    found = stems(text, lang)
    return " ".join(found) if found else " ".join(fold(text, lang).split())


@dataclass(frozen=True)
class Cluster:
    """Similar open answers: the one sent most (first on ties), how many, the others."""

    text: str
    count: int
    members: tuple[str, ...]


def clusters(texts: list[str], lang: str | None, cutoff: int = CLUSTER_CUTOFF) -> list[Cluster]:
    """Open answers clustered: each joins the first cluster (most answers first) whose
    leading answer it resembles by token-set similarity of stems, else starts one."""
    from rapidfuzz import fuzz, process

    heads: list[str] = []  # each cluster's leading answer, as stems
    members: list[list[str]] = []
    for text in texts:
        key = " ".join(stems(text, lang)) or fold(text, lang)
        found = (
            process.extractOne(key, heads, scorer=fuzz.token_set_ratio, score_cutoff=cutoff)
            if heads
            else None
        )
        if found is None:
            heads.append(key)
            members.append([text])
        else:
            members[found[2]].append(text)
    result = []
    for group in members:
        counts: dict[str, int] = {}
        for text in group:
            counts[text] = counts.get(text, 0) + 1
        lead = max(counts, key=lambda t: counts[t])  # first among the most sent
        others = tuple(t for t in counts if t != lead)
        result.append(Cluster(lead, len(group), others))
    return sorted(result, key=lambda c: -c.count)


# -- the presenter's corrections: merge and split (the speaker console) -------------------

MAX_GROUP_RULES = 500  # merges and splits one poll keeps at most (meta values stay small)


def group_key(text: str, lang: str | None, groups: dict | None = None) -> str:
    """What a word-cloud entry is grouped by, after the presenter's corrections: a `split`
    word group counts each spelling apart ("=" + the spelling), and `merge` sends a group
    into another."""
    key = word_key(text, lang)
    if groups:
        if key in groups.get("split", ()):
            key = "=" + " ".join(fold(text, lang).split())
        key = groups.get("merge", {}).get(key, key)
    return key


def merged(groups: dict | None, keys: list[str]) -> dict:
    """`groups` with the groups `keys` merged into the first (and whatever was merged into
    them following)."""
    merge = dict((groups or {}).get("merge", {}))
    into, rest = keys[0], set(keys[1:]) - {keys[0]}
    for source, target in list(merge.items()):
        if target in rest:
            merge[source] = into
    for key in rest:
        merge[key] = into
    merge.pop(into, None)
    return _bounded({**(groups or {}), "merge": merge})


def split(groups: dict | None, key: str) -> dict:
    """`groups` with `key` taken apart: a merged group back into its parts, a word group
    into its spellings."""
    groups = dict(groups or {})
    merge = {s: t for s, t in groups.get("merge", {}).items() if t != key}
    if len(merge) < len(groups.get("merge", {})):
        return _bounded({**groups, "merge": merge})
    rules = list(groups.get("split", []))
    if key not in rules and not key.startswith("="):
        rules.append(key)
    return _bounded({**groups, "split": rules})


def _bounded(groups: dict) -> dict:
    if len(groups.get("merge", {})) + len(groups.get("split", [])) > MAX_GROUP_RULES:
        raise ValueError(f"at most {MAX_GROUP_RULES} merges and splits in one poll")
    return groups

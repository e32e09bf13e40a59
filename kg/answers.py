"""Answers: the canned questions answered from an index beside the store, in time that does not grow with the corpus.

Oxigraph evaluates the questions' joins at 100-400 µs per answer row and every question scans all
the evidence of what it asks about: at 1 GB of text (37 M triples) regions-running took 5 s and
metrics-of 11 s. A build therefore also writes, into its generation, ``.kg-answers.sqlite``: the
same facts as a few denormalised tables shaped for the questions (one row per adoption and
evidence, per observation and evidence, region ancestry for ``--below``/``--within``, agency
mentions per document), with indexes matching each question's filter and order. It is filled
from the store by simple streaming SELECTs (the store stays the one source of truth) and answers
with one SQLite query per question: the same Result (variables, rows, order, terms) as the
question's SPARQL on the store, which stays the definition of each question (``kg/queries``);
tests/test_answers.py asserts the two agree on every question, argument and option.

Its SQL mirrors the SPARQL: each table is one of the questions' graph patterns, the joins are the
questions' joins, and the order is SPARQL's (unbound first; strings by code point, as SQLite's
BINARY collation of UTF-8 orders them; decimals by value, through an order-preserving text key).
The index is written only when the graph has the shape it models (one label per region, one
zh label per policy, one value per observation ...); where a store holds something else the
build writes no index and the questions are answered by SPARQL, as for rdflib sources and older
builds. The index also records a digest of the question files: a build whose questions were
edited since is answered by SPARQL too.

Updates (kg/update.py): rows are keyed by document; ``update_answers`` copies the previous
index, deletes the changed and removed documents' rows and inserts theirs (SELECTs restricted to
those documents), recomputes the facts those documents touched, and refills the small tables.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import ExportError
from kg.ontology import READING_PREFIX_IRIS, STATUS
from kg.query import QueryError, Result, Term

ANSWERS_FILE = ".kg-answers.sqlite"
FORMAT = 2
_XSD = "http://www.w3.org/2001/XMLSchema#"
_STRING, _DECIMAL, _INTEGER = f"{_XSD}string", f"{_XSD}decimal", f"{_XSD}integer"
_BATCH = 20_000  # rows inserted at a time
_VALUES_CHUNK = 500  # IRIs or names in one restricted SELECT
_CACHE_KIB = 256 * 1024  # SQLite's page cache while the index is written
_MMAP_BYTES = 1 << 40  # at most: address space, not memory (pages are the OS's file cache)
_T = TypeVar("_T")


class Unmodelled(Exception):
    """The store holds something the index does not model (two labels of one region ...): no index."""


# --- identifiers and terms ---------------------------------------------------------------------


def node_id(iri: str) -> int:
    """A resource's key in the index: 63 bits of a hash of its IRI (no table of IRIs to keep in step)."""
    return int.from_bytes(hashlib.blake2b(iri.encode("utf-8"), digest_size=8).digest(), "big") >> 1


def decimal_key(lexical: str) -> str:
    """A text that sorts as the decimal sorts (SPARQL orders numbers by value): fixed point, offset, padded."""
    try:
        value = Decimal(lexical)
    except InvalidOperation:
        raise Unmodelled(f"{lexical!r} is not a decimal") from None
    scaled = int(value.scaleb(18).to_integral_value())  # Oxigraph's decimals have 18 fractional digits
    if scaled != value.scaleb(18) or abs(scaled) >= 10**40:
        raise Unmodelled(f"{lexical!r} has more digits than the index orders")
    return f"{scaled + 10**40:041d}"


def _iri(term: object, what: str) -> str:
    if not isinstance(term, ox.NamedNode):
        raise Unmodelled(f"{what} {term} is not an IRI")
    return term.value


def _literal(term: object, what: str, *, lang: str | None = None, datatype: str | None = _STRING) -> str:
    """A literal's text, if it has the language (or datatype) the answers give it."""
    if not isinstance(term, ox.Literal):
        raise Unmodelled(f"{what} {term} is not a literal")
    if lang is not None:
        if term.language != lang:
            raise Unmodelled(f"{what} {term} is not a @{lang} label")
    elif datatype is not None and (term.language is not None or term.datatype.value != datatype):
        raise Unmodelled(f"{what} {term} is not of type {datatype}")
    return term.value


def _optional(term: object, read: Callable[[object], str]) -> str | None:
    return None if term is None else read(term)


# --- the tables ---------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- documents and their sentences: the rows an update replaces (by document)
CREATE TABLE document (id INTEGER PRIMARY KEY, file TEXT NOT NULL, date TEXT);
CREATE TABLE evidence (id INTEGER PRIMARY KEY, doc INTEGER NOT NULL, text TEXT NOT NULL, start TEXT);
CREATE TABLE adoption_evidence (adoption INTEGER NOT NULL, evidence INTEGER NOT NULL, policy INTEGER NOT NULL,
  region INTEGER NOT NULL, status INTEGER NOT NULL, period TEXT, PRIMARY KEY (adoption, evidence)) WITHOUT ROWID;
CREATE TABLE observation_evidence (observation INTEGER NOT NULL, evidence INTEGER NOT NULL,
  PRIMARY KEY (observation, evidence)) WITHOUT ROWID;
CREATE TABLE agency_mention (doc INTEGER NOT NULL, agency INTEGER NOT NULL, PRIMARY KEY (agency, doc)) WITHOUT ROWID;
-- facts: an update recomputes those its documents touched
CREATE TABLE adoption (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, policy INTEGER NOT NULL, region INTEGER NOT NULL,
  status INTEGER NOT NULL);
CREATE TABLE adoption_agency (adoption INTEGER NOT NULL, agency TEXT NOT NULL);
-- regions-running's summary of each policy, region and status (a daily archive repeats them thousands of times)
CREATE TABLE running (policy INTEGER NOT NULL, region INTEGER NOT NULL, status INTEGER NOT NULL,
  documents INTEGER NOT NULL, first TEXT NOT NULL, latest TEXT NOT NULL, PRIMARY KEY (policy, region, status))
  WITHOUT ROWID;
CREATE TABLE observation (id INTEGER PRIMARY KEY, region INTEGER NOT NULL, indicator INTEGER NOT NULL,
  value TEXT NOT NULL, value_key TEXT NOT NULL, unit TEXT NOT NULL, qualifier INTEGER NOT NULL,
  measure INTEGER NOT NULL, kind INTEGER NOT NULL, period TEXT);
-- compare's summary of each figure: how many documents give it, and its first sentence (by the document's date)
CREATE TABLE observation_summary (observation INTEGER PRIMARY KEY, documents INTEGER NOT NULL,
  first INTEGER NOT NULL);
-- the small tables, refilled whole by an update
CREATE TABLE region (id INTEGER PRIMARY KEY, label TEXT NOT NULL, level TEXT, code TEXT, province TEXT);
CREATE TABLE ancestry (region INTEGER NOT NULL, ancestor INTEGER NOT NULL, PRIMARY KEY (ancestor, region))
  WITHOUT ROWID;
CREATE TABLE policy (id INTEGER PRIMARY KEY, label TEXT NOT NULL, category TEXT);
CREATE TABLE indicator (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE indicator_name (indicator INTEGER NOT NULL, written TEXT NOT NULL, name TEXT NOT NULL);
CREATE TABLE label (kind TEXT NOT NULL, id INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE agency (id INTEGER NOT NULL, label TEXT NOT NULL, jurisdiction INTEGER NOT NULL);
-- what a policy or region argument may be written as (kg.query.resolve's first SELECT)
CREATE TABLE name (kind TEXT NOT NULL, text TEXT NOT NULL, iri TEXT NOT NULL, PRIMARY KEY (kind, text, iri))
  WITHOUT ROWID;
"""
# made once the tables are filled (sorting once is faster than keeping them in order row by row)
_INDEXES = """
CREATE INDEX document_file ON document (file);
CREATE INDEX evidence_doc ON evidence (doc);
CREATE INDEX adoption_evidence_policy ON adoption_evidence (policy, region);
CREATE INDEX adoption_evidence_region ON adoption_evidence (region);
CREATE INDEX adoption_evidence_evidence ON adoption_evidence (evidence);
CREATE INDEX observation_evidence_evidence ON observation_evidence (evidence);
CREATE INDEX agency_mention_doc ON agency_mention (doc);
CREATE INDEX adoption_policy ON adoption (policy, region, status);
CREATE INDEX adoption_agency_adoption ON adoption_agency (adoption);
CREATE INDEX observation_region ON observation (region, indicator);
CREATE INDEX observation_indicator ON observation (indicator);
CREATE INDEX agency_jurisdiction ON agency (jurisdiction);
"""
# regions-running's groups: a sentence's key, as its SPARQL writes it (the document's date, file, offset in ten
# digits, sentence); MIN is the first, MAX the latest (undated after every date for MIN, before for MAX)
_PLACE = "char(9) || d.file || char(9) || substr('000000000' || e.start, length(e.start)) || char(9) || e.text"
_RUNNING = f"""SELECT ae.policy, ae.region, ae.status, COUNT(DISTINCT e.doc),
    MIN(COALESCE(d.date, '~') || {_PLACE}), MAX(COALESCE(d.date, ' ') || {_PLACE})
  FROM adoption_evidence ae CROSS JOIN evidence e ON e.id = ae.evidence CROSS JOIN document d ON d.id = e.doc
  WHERE e.start IS NOT NULL {{group}} GROUP BY ae.policy, ae.region, ae.status ORDER BY 1, 2, 3"""
# a figure's first sentence: SQLite takes a bare column (e.id) from the row that gave the one MIN()
_SUMMARY = f"""INSERT INTO observation_summary SELECT observation, documents, first FROM (
  SELECT oe.observation AS observation, COUNT(DISTINCT e.doc) AS documents, e.id AS first,
    MIN(COALESCE(d.date, '~') || {_PLACE})
  FROM observation_evidence oe CROSS JOIN evidence e ON e.id = oe.evidence CROSS JOIN document d ON d.id = e.doc
  WHERE e.start IS NOT NULL {{which}} GROUP BY oe.observation)"""
_SMALL_TABLES = ("region", "ancestry", "policy", "indicator", "indicator_name", "label", "agency", "name")

# The graph patterns, one per table; {where} restricts them to some documents or facts (an update).
_DOCUMENTS = "SELECT ?doc ?file ?date WHERE { {where} ?doc zc:sourceFile ?file . OPTIONAL { ?doc dcterms:date ?date } }"
_EVIDENCE = """SELECT ?ev ?doc ?text ?start WHERE { {where}
  ?ev zc:source ?doc ; zc:text ?text . OPTIONAL { ?ev zc:start ?start } }"""
_ADOPTION_EVIDENCE = """SELECT ?a ?ev ?p ?r ?s ?period WHERE { {where}
  ?a zc:evidence ?ev ; zc:policy ?p ; zc:region ?r ; zc:status ?s . OPTIONAL { ?a zc:period ?period } }"""
_OBSERVATION_EVIDENCE = "SELECT ?o ?ev WHERE { {where} ?o zc:evidence ?ev ; zc:indicator ?i }"
_MENTIONS = "SELECT ?doc ?a WHERE { {where} ?doc zc:mentions ?a . ?a a zc:Agency }"
_ADOPTIONS = "SELECT ?a ?p ?r ?s WHERE { {where} ?a a zc:PolicyAdoption ; zc:policy ?p ; zc:region ?r ; zc:status ?s }"
_ADOPTION_AGENCIES = "SELECT ?a ?agency WHERE { {where} ?a zc:agency/rdfs:label ?agency }"
_OBSERVATIONS = """SELECT ?o ?r ?i ?v ?u ?q ?m ?k ?period WHERE { {where}
  ?o zc:region ?r ; zc:indicator ?i ; zc:value ?v ; zc:unit ?u ; zc:qualifier ?q ; zc:measure ?m ; zc:figureKind ?k .
  OPTIONAL { ?o zc:period ?period } }"""
_REGIONS = """SELECT ?r ?label ?level ?code ?province WHERE { ?r a zc:Region ; rdfs:label ?label .
  OPTIONAL { ?r zc:adminLevel ?level } OPTIONAL { ?r zc:adminCode ?code }
  OPTIONAL { ?r zc:province/rdfs:label ?province } }"""
_PART_OF = "SELECT ?r ?up WHERE { ?r zc:partOf ?up }"
_POLICIES = """SELECT ?p ?label ?category WHERE { ?p skos:prefLabel ?label . FILTER(lang(?label) = "zh")
  OPTIONAL { ?p skos:broader/skos:prefLabel ?category . FILTER(lang(?category) = "zh") } }"""
_INDICATORS = "SELECT ?i ?label WHERE { ?i a zc:Indicator ; rdfs:label ?label }"
_INDICATOR_NAMES = """SELECT ?i ?written ?close WHERE { ?i a zc:Indicator ; rdfs:label ?written .
  OPTIONAL { ?i skos:closeMatch/rdfs:label ?close } }"""
_LABELS = """SELECT ?type ?x ?label WHERE { VALUES ?type { zc:AdoptionStatus zc:Qualifier zc:Measure zc:FigureKind }
  ?x a ?type ; rdfs:label ?label . FILTER(lang(?label) = "en") }"""
_AGENCIES = "SELECT ?a ?label ?r WHERE { ?a zc:jurisdiction ?r ; a zc:Agency ; rdfs:label ?label }"
_REGION_NAMES = """SELECT DISTINCT ?x ?l WHERE {
  ?x a zc:Region ; rdfs:label ?label ; rdfs:label|skos:altLabel|zc:adminCode ?l }"""
_POLICY_NAMES = """SELECT DISTINCT ?x ?l WHERE {
  ?x a zc:Policy ; skos:prefLabel ?label ; skos:prefLabel|skos:altLabel ?l . FILTER(lang(?label) = "zh") }"""
_LABEL_KINDS = {"AdoptionStatus": "status", "Qualifier": "qualifier", "Measure": "measure", "FigureKind": "kind"}


def _select(store: ox.Store, sparql: str, where: str = "") -> Iterator[ox.QuerySolution]:
    answer = store.query(sparql.replace("{where}", where), prefixes=READING_PREFIX_IRIS)
    assert isinstance(answer, ox.QuerySolutions)
    return iter(answer)


def _values(variable: str, terms: Iterable[str]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(terms)} }}"


class _Writer:
    """Fills the index's tables from a store (all of it, or what some documents and facts give)."""

    def __init__(self, store: ox.Store, con: sqlite3.Connection) -> None:
        self.store = store
        self.con = con
        self.ids: dict[str, int] = {}

    def id(self, term: object, what: str) -> int:
        iri = _iri(term, what)
        found = self.ids.get(iri)
        if found is None:
            found = self.ids[iri] = node_id(iri)
        return found

    def insert(self, table: str, rows: Iterable[tuple[object, ...]], *, replace: bool = False) -> int:
        """Insert rows in batches; a repeated key means the graph has a shape the index does not model."""
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        count = 0
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                count += self._insert(verb, table, batch)
                batch = []
        return count + self._insert(verb, table, batch)

    def _insert(self, verb: str, table: str, batch: list[tuple[object, ...]]) -> int:
        if not batch:
            return 0
        marks = ",".join("?" * len(batch[0]))
        try:
            self.con.executemany(f"{verb} INTO {table} VALUES ({marks})", batch)
        except sqlite3.IntegrityError as e:
            raise Unmodelled(f"{table}: {e} (a fact, region or label with two values)") from None
        return len(batch)

    # each method: the rows of one table, from the store, restricted by ``where`` (a VALUES block)

    def documents(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for doc, file, date in _select(self.store, _DOCUMENTS, where):
            yield self.id(doc, "document"), _literal(file, "file"), None if date is None else date.value

    def evidence(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for ev, doc, text, start in _select(self.store, _EVIDENCE, where):
            start_text = None if start is None else _literal(start, "start", datatype=_INTEGER)
            yield self.id(ev, "evidence"), self.id(doc, "document"), _literal(text, "sentence"), start_text

    def adoption_evidence(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for a, ev, p, r, s, period in _select(self.store, _ADOPTION_EVIDENCE, where):
            yield (
                self.id(a, "adoption"), self.id(ev, "evidence"), self.id(p, "policy"), self.id(r, "region"),
                self.id(s, "status"), _optional(period, lambda t: _literal(t, "period")),
            )  # fmt: skip

    def observation_evidence(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for o, ev in _select(self.store, _OBSERVATION_EVIDENCE, where):
            yield self.id(o, "observation"), self.id(ev, "evidence")

    def mentions(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for doc, a in _select(self.store, _MENTIONS, where):
            yield self.id(doc, "document"), self.id(a, "agency")

    def adoptions(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for a, p, r, s in _select(self.store, _ADOPTIONS, where):
            yield self.id(a, "adoption"), a.value, self.id(p, "policy"), self.id(r, "region"), self.id(s, "status")

    def adoption_agencies(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for a, agency in _select(self.store, _ADOPTION_AGENCIES, where):
            yield self.id(a, "adoption"), _literal(agency, "agency", lang="zh")

    def observations(self, where: str = "") -> Iterator[tuple[object, ...]]:
        for o, r, i, v, u, q, m, k, period in _select(self.store, _OBSERVATIONS, where):
            value = _literal(v, "value", datatype=_DECIMAL)
            yield (
                self.id(o, "observation"), self.id(r, "region"), self.id(i, "indicator"), value, decimal_key(value),
                _literal(u, "unit"), self.id(q, "qualifier"), self.id(m, "measure"), self.id(k, "kind"),
                _optional(period, lambda t: _literal(t, "period")),
            )  # fmt: skip

    def regions(self) -> Iterator[tuple[object, ...]]:
        for r, label, level, code, province in _select(self.store, _REGIONS):
            yield (
                self.id(r, "region"), _literal(label, "region", lang="zh"),
                _optional(level, lambda t: _literal(t, "level")), _optional(code, lambda t: _literal(t, "code")),
                _optional(province, lambda t: _literal(t, "province", lang="zh")),
            )  # fmt: skip

    def ancestry(self) -> Iterator[tuple[object, ...]]:
        """Each region with every region it lies in (zc:partOf+; itself is matched by the queries)."""
        parents: dict[int, list[int]] = {}
        for r, up in _select(self.store, _PART_OF):
            parents.setdefault(self.id(r, "region"), []).append(self.id(up, "region"))
        for region in parents:
            seen: set[int] = set()
            stack = list(parents[region])
            while stack:
                up = stack.pop()
                if up not in seen:
                    seen.add(up)
                    stack.extend(parents.get(up, ()))
            for up in sorted(seen):
                yield region, up

    def policies(self) -> Iterator[tuple[object, ...]]:
        for p, label, category in _select(self.store, _POLICIES):
            yield (
                self.id(p, "policy"), _literal(label, "policy", lang="zh"),
                _optional(category, lambda t: _literal(t, "category", lang="zh")),
            )  # fmt: skip

    def indicators(self) -> Iterator[tuple[object, ...]]:
        for i, label in _select(self.store, _INDICATORS):
            yield self.id(i, "indicator"), _literal(label, "indicator", lang="zh")

    def indicator_names(self) -> Iterator[tuple[object, ...]]:
        for i, written, close in _select(self.store, _INDICATOR_NAMES):
            text = _literal(written, "indicator", lang="zh")
            yield self.id(i, "indicator"), text, text if close is None else _literal(close, "indicator", lang="zh")

    def labels(self) -> Iterator[tuple[object, ...]]:
        for kind, x, label in _select(self.store, _LABELS):
            name = _LABEL_KINDS[_iri(kind, "type").rsplit("#", 1)[-1].rsplit("/", 1)[-1]]
            yield name, self.id(x, name), _literal(label, name, lang="en")

    def agencies(self) -> Iterator[tuple[object, ...]]:
        for a, label, r in _select(self.store, _AGENCIES):
            yield self.id(a, "agency"), _literal(label, "agency", lang="zh"), self.id(r, "region")

    def names(self) -> Iterator[tuple[object, ...]]:
        """Each text that names one policy or region, as kg.query.resolve's first SELECT matches it."""
        ids = f"{READING_PREFIX_IRIS['id']}policy/"
        for kind, sparql in (("region", _REGION_NAMES), ("policy", _POLICY_NAMES)):
            for x, name in _select(self.store, sparql):
                iri = _iri(x, kind)
                yield kind, str(name.value), iri
                if kind == "policy" and iri.startswith(ids):
                    yield kind, iri[len(ids) :], iri

    def small_tables(self) -> None:
        for table, rows in (
            ("region", self.regions()),
            ("ancestry", self.ancestry()),
            ("policy", self.policies()),
            ("indicator", self.indicators()),
            ("indicator_name", self.indicator_names()),
            ("label", self.labels()),
            ("agency", self.agencies()),
            ("name", self.names()),
        ):
            self.insert(table, rows, replace=table == "name")


@cache
def questions_digest() -> str:
    """A digest of the question files: an index made for other questions is not used."""
    digest = hashlib.blake2b(digest_size=16)
    folder = resources.files("kg") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()


def _connect_new(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path)
    # the generation is fsynced when published, and thrown away whole if the build dies
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    # rows come in hash order: with SQLite's 2 MB cache every insert reads and writes pages again
    con.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
    con.execute(f"PRAGMA temp.cache_size=-{_CACHE_KIB}")
    return con


# A full build reads each predicate once, by one single-pattern SELECT (a scan of the store's index,
# a few µs a triple), into a staging table, and joins them in SQLite: Oxigraph evaluates the same
# joins at 100-200 µs an answer row. Each predicate's objects must be of the one kind the answers
# give (an IRI, a plain string, a decimal ...); any other value means an unmodelled graph.
_IRI, _ANY = "iri", "any"
_SCANS: dict[str, tuple[str, str]] = {
    "sourceFile": ("zc:sourceFile", _STRING), "date": ("dcterms:date", _ANY), "source": ("zc:source", _IRI),
    "text": ("zc:text", _STRING), "start": ("zc:start", _INTEGER), "evidence": ("zc:evidence", _IRI),
    "policy": ("zc:policy", _IRI), "region": ("zc:region", _IRI), "status": ("zc:status", _IRI),
    "period": ("zc:period", _STRING), "agency": ("zc:agency", _IRI), "label": ("rdfs:label", _ANY),
    "indicator": ("zc:indicator", _IRI), "value": ("zc:value", _DECIMAL), "unit": ("zc:unit", _STRING),
    "qualifier": ("zc:qualifier", _IRI), "measure": ("zc:measure", _IRI), "figureKind": ("zc:figureKind", _IRI),
    "mentions": ("zc:mentions", _IRI), "isAgency": ("rdf:type", "zc:Agency"),
    "isAdoption": ("rdf:type", "zc:PolicyAdoption"),
}  # fmt: skip
_FILL = {
    "document": "SELECT f.s, f.o, d.o FROM s_sourceFile f LEFT JOIN s_date d ON d.s = f.s ORDER BY 1",
    "evidence": """SELECT src.s, src.oid, t.o, st.o FROM s_source src JOIN s_text t ON t.s = src.s
      LEFT JOIN s_start st ON st.s = src.s ORDER BY 1""",
    "adoption_evidence": """SELECT e.s, e.oid, p.oid, r.oid, st.oid, per.o FROM s_evidence e
      JOIN s_policy p ON p.s = e.s JOIN s_region r ON r.s = e.s JOIN s_status st ON st.s = e.s
      LEFT JOIN s_period per ON per.s = e.s ORDER BY 1, 2""",
    "observation_evidence": "SELECT e.s, e.oid FROM s_evidence e JOIN s_indicator i ON i.s = e.s ORDER BY 1, 2",
    "agency_mention": "SELECT m.s, m.oid FROM s_mentions m JOIN s_isAgency a ON a.s = m.oid ORDER BY 2, 1",
    "adoption": """SELECT a.s, a.o, p.oid, r.oid, st.oid FROM s_isAdoption a JOIN s_policy p ON p.s = a.s
      JOIN s_region r ON r.s = a.s JOIN s_status st ON st.s = a.s ORDER BY 1""",
    "adoption_agency": "SELECT ag.s, l.o FROM s_agency ag JOIN s_label l ON l.s = ag.oid",
    "observation": """SELECT i.s, r.oid, i.oid, v.o, v.key, u.o, q.oid, m.oid, k.oid, per.o FROM s_indicator i
      JOIN s_region r ON r.s = i.s JOIN s_value v ON v.s = i.s JOIN s_unit u ON u.s = i.s
      JOIN s_qualifier q ON q.s = i.s JOIN s_measure m ON m.s = i.s JOIN s_figureKind k ON k.s = i.s
      LEFT JOIN s_period per ON per.s = i.s ORDER BY 1""",
}
# labels that are answers, in the language the answers give them
_FILL_CHECKS = {
    "adoption_agency": "SELECT COUNT(*) FROM s_agency ag JOIN s_label l ON l.s = ag.oid WHERE l.lang IS NOT 'zh'",
}


def _stage(store: ox.Store, con: sqlite3.Connection) -> None:
    """Each predicate's triples into a staging table s_NAME (s, o, oid, lang, key), indexed by subject."""
    ids: dict[str, int] = {}  # the few objects that recur (regions, policies, statuses ...): hashed once

    def of(iri: str) -> int:
        found = ids.get(iri)
        if found is None:
            found = ids[iri] = node_id(iri)
        return found

    for name, (predicate, kind) in _SCANS.items():
        con.execute(f"CREATE TEMP TABLE s_{name} (s INTEGER NOT NULL, o TEXT, oid INTEGER, lang TEXT, key TEXT)")
        if predicate == "rdf:type":
            sparql = f"SELECT ?s WHERE {{ ?s a {kind} }}"
            rows: Iterable[tuple[object, ...]] = (
                (node_id(_iri(s, name)), s.value, None, None, None) for (s,) in _select(store, sparql)
            )
        else:
            rows = _staged(_select(store, f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}"), name, kind, of)
        batch: list[tuple[object, ...]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= _BATCH:
                con.executemany(f"INSERT INTO s_{name} VALUES (?, ?, ?, ?, ?)", batch)
                batch = []
        con.executemany(f"INSERT INTO s_{name} VALUES (?, ?, ?, ?, ?)", batch)
        con.execute(f"CREATE INDEX temp.s_{name}_s ON s_{name} (s)")


_MANY_OBJECTS = {"evidence", "source"}  # objects as many as subjects: not worth remembering


def _staged(
    solutions: Iterable[ox.QuerySolution], name: str, kind: str, of: Callable[[str], int]
) -> Iterator[tuple[object, ...]]:
    of_object = node_id if name in _MANY_OBJECTS else of
    for s, o in solutions:
        subject = node_id(_iri(s, name))
        if kind == _IRI:
            yield subject, None, of_object(_iri(o, name)), None, None
        elif kind == _ANY:
            yield subject, o.value, None, getattr(o, "language", None), None
        elif kind == _DECIMAL:
            value = _literal(o, name, datatype=_DECIMAL)
            yield subject, value, None, None, decimal_key(value)
        else:
            yield subject, _literal(o, name, datatype=kind), None, None, None


def write_answers(store: ox.Store, folder: Path) -> Path | None:
    """Write the answers index of ``store`` into the generation ``folder`` (before it is published).

    Returns its path, or None when the graph has a shape the index does not model (then the
    questions are answered by SPARQL).
    """
    path = folder / ANSWERS_FILE
    path.unlink(missing_ok=True)

    def fill(con: sqlite3.Connection) -> None:
        con.executescript(_SCHEMA)
        _stage(store, con)
        for table, check in _FILL_CHECKS.items():
            if con.execute(check).fetchone()[0]:
                raise Unmodelled(f"{table}: a label in another language")
        for table, sql in _FILL.items():
            try:
                con.execute(f"INSERT INTO {table} {sql}")
            except sqlite3.IntegrityError as e:
                raise Unmodelled(f"{table}: {e} (a fact or document with two values)") from None
        for name in _SCANS:
            con.execute(f"DROP TABLE s_{name}")
        _Writer(store, con).small_tables()
        con.executescript(_INDEXES)
        con.execute(f"INSERT INTO running {_RUNNING.format(group='')}")
        _summarise(con)

    return _written(path, fill)


def _written(path: Path, fill: Callable[[sqlite3.Connection], None]) -> Path | None:
    """The index at ``path``, filled by ``fill`` and sealed; None (the file removed) when the graph has a
    shape the index does not model. A SQLite error (a full disk) is one line: the build stops, the previous
    one stays."""
    con = _connect_new(path)
    try:
        fill(con)
        _seal(con)
    except Unmodelled:
        con.close()
        path.unlink(missing_ok=True)
        return None
    except sqlite3.Error as e:
        con.close()
        raise ExportError(f"{path}: cannot write the answers index: {e}") from None
    con.close()
    return path


def _seal(con: sqlite3.Connection) -> None:
    con.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)", [("format", str(FORMAT)), ("questions", questions_digest())]
    )
    con.commit()
    con.execute("ANALYZE")  # the planner then picks the region or the policy index by their sizes
    con.commit()


def update_answers(
    store: ox.Store, previous: Path, folder: Path, documents: Collection[str], *, named: bool = True
) -> Path | None:
    """The answers index of ``store`` (the previous build's, with ``documents`` changed, added or removed).

    ``previous``: the previous generation's folder; ``documents``: the file names whose triples
    changed. Their rows are deleted and inserted again from the store, the adoptions they touched
    recomputed, the small tables refilled when ``named`` (a triple about a region, policy, agency or
    indicator entered or left the store). Without a usable previous index, all is filled.
    """
    if open_answers(previous) is None:
        return write_answers(store, folder)
    path = folder / ANSWERS_FILE
    shutil.copyfile(previous / ANSWERS_FILE, path)

    def fill(con: sqlite3.Connection) -> None:
        writer = _Writer(store, con)
        names = sorted(documents)
        touched: dict[int, str] = {}  # adoption -> IRI
        groups: set[tuple[int, int, int]] = set()  # regions-running's (policy, region, status)
        figures: set[int] = set()  # observations whose evidence came or went (compare's summaries)
        for chunk in _chunks(names):
            marks = ",".join("?" * len(chunk))
            evidence = f"SELECT e.id FROM evidence e JOIN document d ON d.id = e.doc WHERE d.file IN ({marks})"
            touched.update(
                con.execute(
                    f"SELECT id, iri FROM adoption WHERE id IN (SELECT adoption FROM adoption_evidence"
                    f" WHERE evidence IN ({evidence}))",
                    chunk,
                )
            )
            old_groups = f"SELECT policy, region, status FROM adoption_evidence WHERE evidence IN ({evidence})"
            groups.update(con.execute(old_groups, chunk))
            old_figures = f"SELECT observation FROM observation_evidence WHERE evidence IN ({evidence})"
            figures.update(row[0] for row in con.execute(old_figures, chunk))
            for table in ("adoption_evidence", "observation_evidence"):
                con.execute(f"DELETE FROM {table} WHERE evidence IN ({evidence})", chunk)
            docs = f"SELECT id FROM document WHERE file IN ({marks})"
            for table, column in (("evidence", "doc"), ("agency_mention", "doc"), ("document", "id")):
                con.execute(f"DELETE FROM {table} WHERE {column} IN ({docs})", chunk)
        observations: set[str] = set()
        new_adoptions: set[int] = set()
        for chunk in _chunks(names):
            by_doc = f"{_values('file', map(_string, chunk))} ?doc zc:sourceFile ?file ."
            by_evidence = f"{by_doc} ?ev zc:source ?doc ."
            writer.insert("document", writer.documents(by_doc))
            writer.insert("evidence", writer.evidence(by_doc))
            adopted = list(writer.adoption_evidence(by_evidence))
            writer.insert("adoption_evidence", adopted)
            new_adoptions.update(int(str(row[0])) for row in adopted)
            groups.update((int(str(p)), int(str(r)), int(str(st))) for _a, _ev, p, r, st, _period in adopted)
            rows = list(_select(store, _OBSERVATION_EVIDENCE, by_evidence))
            observations.update(_iri(o, "observation") for o, _ev in rows)
            figures.update(writer.id(o, "observation") for o, _ev in rows)
            writer.insert("observation_evidence", ((writer.id(o, "-"), writer.id(ev, "-")) for o, ev in rows))
            writer.insert("agency_mention", writer.mentions(by_doc))
        iri_of = {node: iri for iri, node in writer.ids.items()}
        touched.update((node, iri_of[node]) for node in new_adoptions)
        # the adoptions those documents touched, as the store now has them (or gone); new observations
        # (an observation's IRI is a hash of all it says: one with no evidence left is in no answer)
        for ids in _chunks(sorted(touched)):
            marks = ",".join("?" * len(ids))
            con.execute(f"DELETE FROM adoption WHERE id IN ({marks})", ids)
            con.execute(f"DELETE FROM adoption_agency WHERE adoption IN ({marks})", ids)
            where = _values("a", (f"<{touched[i]}>" for i in ids))
            writer.insert("adoption", writer.adoptions(where))
            writer.insert("adoption_agency", writer.adoption_agencies(where))
        for iris in _chunks(sorted(observations)):
            writer.insert("observation", writer.observations(_values("o", (f"<{o}>" for o in iris))), replace=True)
        for ids in _chunks(sorted(figures)):
            marks = ",".join("?" * len(ids))
            con.execute(f"DELETE FROM observation_summary WHERE observation IN ({marks})", ids)
            _summarise(con, f"AND oe.observation IN ({marks})", ids)
        group = "AND ae.policy = ? AND ae.region = ? AND ae.status = ?"
        for key in sorted(groups):
            con.execute("DELETE FROM running WHERE policy = ? AND region = ? AND status = ?", key)
            con.execute(f"INSERT INTO running {_RUNNING.format(group=group)}", key)
        if named:  # the tables of named things (regions, policies ...) change only with a triple about one
            for table in _SMALL_TABLES:
                con.execute(f"DELETE FROM {table}")
            writer.small_tables()

    return _written(path, fill)


def _summarise(con: sqlite3.Connection, which: str = "", parameters: Sequence[object] = ()) -> None:
    """Each figure's number of documents and first sentence (observation_summary), of all or ``which``."""
    con.execute(_SUMMARY.format(which=which), parameters)


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), _VALUES_CHUNK):
        yield items[start : start + _VALUES_CHUNK]


def _string(text: str) -> str:
    """A plain literal in SPARQL syntax (pyoxigraph escapes it)."""
    return str(ox.Literal(text))


# --- answering ----------------------------------------------------------------------------------


def open_answers(folder: Path) -> Path | None:
    """The answers index of a generation, if it has one made by this format for these questions."""
    path = folder / ANSWERS_FILE
    if not path.is_file():
        return None
    try:
        con = _connect(path)
        try:
            meta = dict(con.execute("SELECT key, value FROM meta"))
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return path if meta == {"format": str(FORMAT), "questions": questions_digest()} else None


def _connect(path: Path) -> sqlite3.Connection:
    # immutable: a published generation never changes, so SQLite need not lock or check it
    con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    # read through a memory map: a question's rows are random reads of an index that is in the OS's cache,
    # and a read(2) a page costs a fifth of a large answer's time
    con.execute(f"PRAGMA mmap_size={_MMAP_BYTES}")
    return con


# How each column of an answer is made a term: a label's language, a literal's datatype.
_Shape = tuple[str | None, str | None]
_ZH: _Shape = ("zh", None)
_EN: _Shape = ("en", None)
_PLAIN: _Shape = (None, None)
_NUMBER: _Shape = (None, _DECIMAL)
_COUNT: _Shape = (None, _INTEGER)


def _in(column: str, target: str, below: bool) -> str:
    """SQL for ``?r zc:partOf* ?target`` (below), or ``?r = ?target``, on the region ``column``."""
    if not below:
        return f"{column} = :{target}"
    return f"{column} IN (SELECT :{target} UNION ALL SELECT region FROM ancestry WHERE ancestor = :{target})"


def _regions_running(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = ["g.policy = :policy"]
    if "statusFilter" in b:
        where.append("g.status = :statusFilter")
    if "within" in b:
        where.append(_in("g.region", "within", True))
    sql = f"""SELECT r.label, r.code, r.level, r.province, st.label, g.documents, g.first, g.latest
    FROM running g CROSS JOIN region r ON r.id = g.region AND r.level IS NOT NULL
    CROSS JOIN label st ON st.kind = 'status' AND st.id = g.status
    WHERE {" AND ".join(where)}
    ORDER BY r.province, r.label, st.label, r.code, r.level"""
    columns = [("region", _ZH), ("code", _PLAIN), ("level", _PLAIN), ("province", _ZH), ("status", _EN),
               ("documents", _COUNT), ("firstKey", _PLAIN), ("latestKey", _PLAIN)]  # fmt: skip
    return sql, columns


def _regions_running_all(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = ["ae.policy = :policy"]
    if "statusFilter" in b:
        where.append("ae.status = :statusFilter")
    if "within" in b:
        where.append(_in("ae.region", "within", True))
    sql = f"""SELECT r.label, r.code, r.level, r.province, st.label, ae.period, ag.agency, e.text, d.file
    FROM adoption_evidence ae CROSS JOIN evidence e ON e.id = ae.evidence CROSS JOIN document d ON d.id = e.doc
    CROSS JOIN region r ON r.id = ae.region AND r.level IS NOT NULL
    CROSS JOIN label st ON st.kind = 'status' AND st.id = ae.status
    LEFT JOIN adoption_agency ag ON ag.adoption = ae.adoption
    WHERE {" AND ".join(where)}
    ORDER BY r.province, r.label, st.label, ae.period, d.file, e.text, ag.agency, r.code, r.level"""
    columns = [("region", _ZH), ("code", _PLAIN), ("level", _PLAIN), ("province", _ZH), ("status", _EN),
               ("period", _PLAIN), ("agency", _ZH), ("sentence", _PLAIN), ("document", _PLAIN)]  # fmt: skip
    return sql, columns


def _policies_of(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = [_in("ae.region", "target", "below" in b)]
    if "statusFilter" in b:
        where.append("ae.status = :statusFilter")
    sql = f"""SELECT r.label, p.label, p.category, st.label, ae.period, e.text, d.file
    FROM adoption_evidence ae CROSS JOIN evidence e ON e.id = ae.evidence CROSS JOIN document d ON d.id = e.doc
    CROSS JOIN region r ON r.id = ae.region CROSS JOIN policy p ON p.id = ae.policy
    CROSS JOIN label st ON st.kind = 'status' AND st.id = ae.status
    WHERE {" AND ".join(where)}
    ORDER BY r.label, p.label, st.label, ae.period, d.file, e.text, p.category"""
    columns = [("region", _ZH), ("policy", _ZH), ("category", _ZH), ("status", _EN), ("period", _PLAIN),
               ("sentence", _PLAIN), ("document", _PLAIN)]  # fmt: skip
    return sql, columns


_FIGURE_LABELS = """CROSS JOIN label q ON q.kind = 'qualifier' AND q.id = o.qualifier
    CROSS JOIN label m ON m.kind = 'measure' AND m.id = o.measure
    CROSS JOIN label k ON k.kind = 'kind' AND k.id = o.kind"""


def _metrics_of(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = [_in("o.region", "target", "below" in b)]
    if "indicatorText" in b:
        where.append("instr(i.label, :indicatorText) > 0")
    sql = f"""SELECT r.label, i.label, m.label, k.label, o.value, o.unit, q.label, o.period, e.text, d.file
    FROM observation o CROSS JOIN indicator i ON i.id = o.indicator
    CROSS JOIN observation_evidence oe ON oe.observation = o.id
    CROSS JOIN evidence e ON e.id = oe.evidence CROSS JOIN document d ON d.id = e.doc
    CROSS JOIN region r ON r.id = o.region {_FIGURE_LABELS}
    WHERE {" AND ".join(where)}
    ORDER BY r.label, i.label, o.period, m.label, o.value_key, o.unit, q.label, k.label, d.file, e.text"""
    columns = [("region", _ZH), ("indicator", _ZH), ("measure", _EN), ("kind", _EN), ("value", _NUMBER),
               ("unit", _PLAIN), ("qualifier", _EN), ("period", _PLAIN), ("sentence", _PLAIN),
               ("document", _PLAIN)]  # fmt: skip
    return sql, columns


def _compare_all(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = ["instr(n.written, :indicatorText) > 0"]
    if "within" in b:
        where.append(_in("o.region", "within", True))
    sql = f"""SELECT n.name, m.label, k.label, r.label, r.code, o.period, o.value, o.unit, q.label, n.written,
      e.text, d.file
    FROM indicator_name n CROSS JOIN observation o ON o.indicator = n.indicator
    CROSS JOIN observation_evidence oe ON oe.observation = o.id
    CROSS JOIN evidence e ON e.id = oe.evidence CROSS JOIN document d ON d.id = e.doc
    CROSS JOIN region r ON r.id = o.region {_FIGURE_LABELS}
    WHERE {" AND ".join(where)}
    ORDER BY n.name, m.label, o.unit, o.period, r.label, o.value_key, q.label, k.label, n.written, d.file, e.text,
      r.code"""
    columns = [("indicator", _ZH), ("measure", _EN), ("kind", _EN), ("region", _ZH), ("code", _PLAIN),
               ("period", _PLAIN), ("value", _NUMBER), ("unit", _PLAIN), ("qualifier", _EN), ("written", _ZH),
               ("sentence", _PLAIN), ("document", _PLAIN)]  # fmt: skip
    return sql, columns


def _compare(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    """Each figure once, with the number of documents that give it and its first sentence's key (both made at build
    time: counting a frequent indicator's sentences at question time takes a second at 1 GB)."""
    where = ["instr(n.written, :indicatorText) > 0"]
    if "within" in b:
        where.append(_in("o.region", "within", True))
    sql = f"""SELECT n.name, m.label, k.label, r.label, r.code, o.period, o.value, o.unit, q.label, n.written,
      s.documents, d.date, e.text, d.file
    FROM indicator_name n CROSS JOIN observation o ON o.indicator = n.indicator
    CROSS JOIN observation_summary s ON s.observation = o.id
    CROSS JOIN evidence e ON e.id = s.first CROSS JOIN document d ON d.id = e.doc
    CROSS JOIN region r ON r.id = o.region {_FIGURE_LABELS}
    WHERE {" AND ".join(where)}
    ORDER BY n.name, m.label, o.unit, o.period, r.label, o.value_key, q.label, k.label, n.written, r.code"""
    columns = [("indicator", _ZH), ("measure", _EN), ("kind", _EN), ("region", _ZH), ("code", _PLAIN),
               ("period", _PLAIN), ("value", _NUMBER), ("unit", _PLAIN), ("qualifier", _EN), ("written", _ZH),
               ("documents", _COUNT), ("firstDate", _PLAIN), ("first", _PLAIN), ("firstDocument", _PLAIN)]  # fmt: skip
    return sql, columns


def _policy_spread(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    where = f"WHERE {_in('a.region', 'within', True)}" if "within" in b else ""
    # each region once per status (a region running a policy in two periods is one region)
    counts = ", ".join(f"SUM(status = {node_id(str(STATUS[s]))})" for s in ("implemented", "piloting", "planned"))
    sql = f"""SELECT label, category, COUNT(DISTINCT region), {counts} FROM (
      SELECT DISTINCT p.label AS label, p.category AS category, a.region AS region, a.status AS status
      FROM adoption a CROSS JOIN policy p ON p.id = a.policy {where})
    GROUP BY label, category
    ORDER BY 3 DESC, 4 DESC, label, category"""
    columns = [("policy", _ZH), ("category", _ZH), ("regions", _COUNT), ("implemented", _COUNT),
               ("piloted", _COUNT), ("planned", _COUNT)]  # fmt: skip
    return sql, columns


def _agencies_of(b: Mapping[str, Term]) -> tuple[str, list[tuple[str, _Shape]]]:
    sql = f"""SELECT a.label, r.label, COUNT(DISTINCT m.doc)
    FROM agency a CROSS JOIN region r ON r.id = a.jurisdiction LEFT JOIN agency_mention m ON m.agency = a.id
    WHERE {_in("a.jurisdiction", "target", "below" in b)}
    GROUP BY a.label, r.label
    ORDER BY r.label, a.label"""
    return sql, [("agency", _ZH), ("jurisdiction", _ZH), ("documents", _COUNT)]


_QUESTIONS: dict[str, Callable[[Mapping[str, Term]], tuple[str, list[tuple[str, _Shape]]]]] = {
    "regions-running": _regions_running,
    "regions-running.all": _regions_running_all,
    "policies-of": _policies_of,
    "metrics-of": _metrics_of,
    "compare": _compare,
    "compare.all": _compare_all,
    "policy-spread": _policy_spread,
    "agencies-of": _agencies_of,
}


def answers_question(name: str) -> bool:
    """Whether the index answers question ``name`` (a file name in kg/queries without .rq)."""
    return name in _QUESTIONS


def answer(path: Path, name: str, bindings: Mapping[str, Term], page: tuple[int, int] | None = None) -> Result:
    """Question ``name`` (``regions-running.all`` for --evidence all) with its bound arguments, from the index.

    ``bindings`` are ``kg.query.ask``'s (the question's variables -> terms); ``page``: (rows, offset).
    """
    sql, columns = _QUESTIONS[name](bindings)
    parameters: dict[str, object] = {
        key: node_id(term.value) if term.kind == "uri" else term.value for key, term in bindings.items()
    }
    if page is not None:
        sql += "\nLIMIT :rows OFFSET :offset"
        parameters.update(rows=page[0], offset=page[1])
    con = _connect(path)
    try:
        found = con.execute(sql, parameters).fetchall()
    except sqlite3.Error as e:
        raise QueryError(f"{path}: the answers index could not answer: {e}") from None
    finally:
        con.close()
    if name == "regions-running":
        found = [(*row[:6], *_day_and_sentence(row[6], "~"), *_day_and_sentence(row[7], " ")) for row in found]
        columns = [*columns[:6], ("firstDate", _PLAIN), ("first", _PLAIN), ("latestDate", _PLAIN), ("latest", _PLAIN)]
    return Result(tuple(c for c, _ in columns), _terms(found, [shape for _, shape in columns]), engine="answers")


# A sentence's key (_PLACE): date, file, offset, sentence, tab-separated; the sentence may hold tabs, the rest not.


def _day_and_sentence(key: str, undated: str) -> tuple[str | None, str]:
    """regions-running's firstDate and first (or latest...) from a sentence key, as its SPARQL takes them apart."""
    day, _file, _offset, sentence = key.split("\t", 3)
    return (None if day == undated else day), sentence


def _terms(rows: Sequence[Sequence[object]], shapes: Sequence[_Shape]) -> tuple[tuple[Term | None, ...], ...]:
    """Rows of SQLite values as rows of terms; each distinct value of a column made a term once (column by column:
    the per-cell work is then C's, a dict lookup in ``map``)."""
    if not rows:
        return ()
    columns = []
    for values, (lang, datatype) in zip(zip(*rows, strict=True), shapes, strict=True):
        made: dict[object, Term | None] = {value: Term("literal", str(value), lang, datatype) for value in set(values)}
        made[None] = None
        columns.append(map(made.__getitem__, values))
    return tuple(zip(*columns, strict=True))


def resolve_name(path: Path, kind: str, text: str) -> str | None:
    """The IRI of the one policy or region ``kind`` whose label, alias, code (or policy id) is ``text``.

    None when none or several are: kg.query.resolve then asks the store (full names, former names,
    and its messages naming the choices).
    """
    con = _connect(path)
    try:
        found = con.execute("SELECT iri FROM name WHERE kind = ? AND text = ? LIMIT 2", (kind, text)).fetchall()
    except sqlite3.Error:
        return None
    finally:
        con.close()
    return found[0][0] if len(found) == 1 else None

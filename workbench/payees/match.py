"""Match payee names against a supplier master: blocking, then scoring, then top-k.

1. **Blocking.** Every master name's core (normalised, legal form and a leading "the" dropped)
   becomes a TF-IDF vector of character trigrams; a query's vector is multiplied with the whole
   master at once (``sparse_dot_topn``) and the ``CANDIDATES`` most similar cores are kept.
   Trigrams survive typos, word order and suffix changes. A query's tax id, when it has one,
   adds the master rows with the same tax id.
2. **Scoring** (0 to 1). The name score is a soft token match weighted by rarity: each word of
   one name is paired with its closest word of the other (rapidfuzz ratio; short words must be
   equal), and the matched share of the words' IDF weight is taken both ways and averaged. A
   distinctive word with no partner ("Acme *Steel*" / "Acme *Foods*") pulls the score down;
   a shared common word does little. Other fields count when both sides have them: the same
   tax id lifts the score to at least ``TAX_ID_MATCH``, a different one scales it by
   ``TAX_ID_CONFLICT``; postal code and country nudge it up or down.
3. **Top-k.** Candidates sorted by score; ``match`` is ``score >= threshold``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.payees.normalize import normalize_parts

CANDIDATES = 40
BLOCKING_MAX_DF = 0.03
DEFAULT_TOP_K = 3
DEFAULT_THRESHOLD = 0.8
TAX_ID_MATCH = 0.97
TAX_ID_CONFLICT = 0.6
POSTAL_BONUS = 0.05
COUNTRY_PENALTY = 0.1
MIN_TOKEN_SIMILARITY = 0.75
MIN_TYPO_SIMILARITY = 0.6
KNOWN_WORD_PENALTY = 0.2
UNMATCHED_FACTOR = 0.85
STOPWORDS = frozenset({"and", "of", "the"})
OPTIONAL_FIELDS = ("address", "city", "postal_code", "country", "tax_id")

Progress = Callable[[int], None]


def _key(text: object) -> str:
    """Tax ids and postal codes compare without case, spaces or punctuation."""
    if not isinstance(text, str):
        return "" if text is None or (isinstance(text, float) and math.isnan(text)) \
            else str(text)
    return "".join(ch for ch in text.upper() if ch.isalnum())


def core_of(name: object) -> str:
    parts = normalize_parts(name)
    return parts.core or parts.text


@dataclass
class Candidate:
    supplier_id: str
    name: str
    score: float
    match: bool

    def to_dict(self) -> dict:
        return {"supplier_id": self.supplier_id, "name": self.name,
                "score": round(self.score, 4), "match": self.match}


class SupplierIndex:
    """A supplier master prepared for matching (see the module's docstring)."""

    def __init__(self, master: pd.DataFrame, n_threads: int | None = None) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        missing = {"supplier_id", "name"} - set(master.columns)
        if missing:
            raise ValueError(f"the master needs columns supplier_id and name; missing "
                             f"{', '.join(sorted(missing))}")
        self.n_threads = n_threads
        self.supplier_id = master["supplier_id"].astype(str).to_numpy()
        self.name = master["name"].fillna("").astype(str).to_numpy()
        self.core = np.array([core_of(n) for n in self.name], dtype=object)
        self._index_tokens()
        self.fields = {f: np.array([_key(v) for v in master[f]], dtype=object)
                       for f in ("tax_id", "postal_code", "country") if f in master.columns}
        self.by_tax_id: dict[str, list[int]] = {}
        for row, tax in enumerate(self.fields.get("tax_id", [])):
            if tax:
                self.by_tax_id.setdefault(tax, []).append(row)
        # Trigrams in more than BLOCKING_MAX_DF of the names ("ing", " st") say little and
        # would make every query touch most of the master: blocking leaves them out.
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 3),
                                          sublinear_tf=True, dtype=np.float32,
                                          max_df=BLOCKING_MAX_DF if len(master) > 1000 else 1.0)
        matrix = self.vectorizer.fit_transform(self.core)
        self.matrix_t = matrix.T.tocsr()  # V x N, the layout sparse_dot_topn multiplies fastest

    def _index_tokens(self) -> None:
        """Each core's words as ids into one vocabulary (flat, with offsets), and their IDF."""
        tokens = [[t for t in c.split() if t not in STOPWORDS] for c in self.core]
        df = Counter(t for words in tokens for t in set(words))
        n = max(len(self.core), 1)
        self.vocab = np.array(sorted(df), dtype=object)
        self.token_id = {t: i for i, t in enumerate(self.vocab)}
        self.vocab_idf = np.array([math.log(n / df[t]) + 1.0 for t in self.vocab])
        self.max_idf = math.log(n) + 1.0
        lengths = np.array([len(words) for words in tokens], dtype=np.int64)
        self.tok_ptr = np.concatenate([[0], np.cumsum(lengths)])
        self.tok_ids = np.fromiter((self.token_id[t] for words in tokens for t in words),
                                   dtype=np.int32, count=int(lengths.sum()))

    def __len__(self) -> int:
        return len(self.core)

    def memory_bytes(self) -> int:
        """Bytes held by the index's arrays (matrix, names, tokens, idf and field keys)."""
        import sys

        m = self.matrix_t
        total = m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        for array in (self.supplier_id, self.name, self.core):
            total += array.nbytes + sum(sys.getsizeof(x) for x in array)
        total += self.tok_ptr.nbytes + self.tok_ids.nbytes + self.vocab_idf.nbytes
        total += self.vocab.nbytes + sum(sys.getsizeof(t) for t in self.vocab)
        total += sys.getsizeof(self.token_id)
        for array in self.fields.values():
            total += array.nbytes + sum(sys.getsizeof(x) for x in array)
        total += sys.getsizeof(self.by_tax_id)
        return total

    # --- scoring --------------------------------------------------------------------------
    def _name_scores(self, query_tokens: tuple[str, ...], rows: np.ndarray) -> np.ndarray:
        """Soft, IDF-weighted word match of one query against candidate rows (vectorised)."""
        from rapidfuzz import fuzz
        from rapidfuzz.process import cdist

        scores = np.zeros(len(rows))
        starts, ends = self.tok_ptr[rows], self.tok_ptr[rows + 1]
        lengths = ends - starts
        has_words = lengths > 0
        if not query_tokens or not has_words.any():
            return scores
        starts, lengths = starts[has_words], lengths[has_words]
        offsets = np.cumsum(lengths) - lengths  # where each candidate's words begin
        flat = np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())
        ids, inverse = np.unique(self.tok_ids[flat], return_inverse=True)
        words = self.vocab[ids]
        sim = cdist(query_tokens, words.tolist(), scorer=fuzz.ratio, dtype=np.float32) / 100.0
        exact = np.equal.outer(np.array(query_tokens, dtype=object), words)
        q_ids = [self.token_id.get(t, -1) for t in query_tokens]
        known = np.array([i >= 0 for i in q_ids])
        # A query word the master knows is a real word, not a typo: a near spelling of it
        # is another name ("Gardner" / "Gardiner") and earns little. An unknown word is
        # likely a typo and may be further from its partner.
        sim = np.where(known[:, None] & ~exact, sim - KNOWN_WORD_PENALTY, sim)
        floor = np.where(known, MIN_TOKEN_SIMILARITY, MIN_TYPO_SIMILARITY)[:, None]
        short = np.array([len(t) <= 3 for t in query_tokens])[:, None] | \
            np.array([len(t) <= 3 for t in words])[None, :]
        sim = np.where(short, exact.astype(np.float32), sim)
        sim[sim < floor] = 0.0
        word_idf = self.vocab_idf[ids]
        # an unknown (misspelt) query word weighs as much as its closest master word
        q_idf = np.where(known, self.vocab_idf[np.maximum(q_ids, 0)],
                         word_idf[sim.argmax(axis=1)])
        per_word = sim[:, inverse]  # query words x all candidates' words
        best_m = per_word.max(axis=0)  # each candidate word's closest query word
        w_m = word_idf[inverse]
        segment = np.repeat(np.arange(len(lengths)), lengths)
        backward = np.bincount(segment, w_m * best_m) / np.bincount(segment, w_m)
        best_q = np.maximum.reduceat(per_word, offsets, axis=1)  # query words x candidates
        forward = (q_idf[:, None] * best_q).sum(axis=0) / q_idf.sum()
        unmatched = (best_q == 0).sum(axis=0) + np.bincount(segment, best_m == 0)
        # a word missing on either side counts, and every word without a partner costs
        scores[has_words] = np.minimum(forward, backward) * UNMATCHED_FACTOR ** unmatched
        return scores

    def _adjust(self, score: np.ndarray, rows: np.ndarray, query: dict[str, str]) -> np.ndarray:
        """Other fields count only when both sides have them."""
        score = score.copy()
        for field_name, values in self.fields.items():
            theirs = query.get(field_name, "")
            if not theirs:
                continue
            ours = values[rows]
            same = ours == theirs
            known = ours != ""
            if field_name == "tax_id":
                score = np.where(known & same, np.maximum(score, TAX_ID_MATCH), score)
                score = np.where(known & ~same, score * TAX_ID_CONFLICT, score)
            elif field_name == "postal_code":
                score = np.where(known & same, score + POSTAL_BONUS, score)
                score = np.where(known & ~same, score - POSTAL_BONUS, score)
            else:
                score = np.where(known & ~same, score - COUNTRY_PENALTY, score)
        return np.clip(score, 0.0, 1.0)

    # --- matching -------------------------------------------------------------------------
    def match(self, queries: pd.DataFrame | list[str], top_k: int = DEFAULT_TOP_K,
              threshold: float = DEFAULT_THRESHOLD, progress: Progress | None = None,
              batch: int = 2_000) -> list[list[Candidate]]:
        """Up to ``top_k`` candidates per query row, best first."""
        from sparse_dot_topn import sp_matmul_topn

        if not isinstance(queries, pd.DataFrame):
            queries = pd.DataFrame({"name": list(queries)})
        extra = [f for f in self.fields if f in queries.columns]
        results: list[list[Candidate]] = []
        for start in range(0, len(queries), batch):
            chunk = queries.iloc[start:start + batch]
            cores = [core_of(n) for n in chunk["name"]]
            blocks = sp_matmul_topn(self.vectorizer.transform(cores), self.matrix_t,
                                    top_n=CANDIDATES, n_threads=self.n_threads)
            fields = {f: [_key(v) for v in chunk[f]] for f in extra}
            for i, core in enumerate(cores):
                rows = blocks.indices[blocks.indptr[i]:blocks.indptr[i + 1]].astype(np.int64)
                query = {f: fields[f][i] for f in extra}
                if query.get("tax_id") and query["tax_id"] in self.by_tax_id:
                    rows = np.unique(np.concatenate([rows, self.by_tax_id[query["tax_id"]]]))
                results.append(self._rank(core, rows, query, top_k, threshold))
            if progress:
                progress(len(chunk))
        return results

    def _rank(self, core: str, rows: np.ndarray, query: dict[str, str], top_k: int,
              threshold: float) -> list[Candidate]:
        if not len(rows) or not core:
            return []
        tokens = tuple(t for t in core.split() if t not in STOPWORDS)
        scores = self._adjust(self._name_scores(tokens, rows), rows, query)
        order = np.argsort(-scores, kind="stable")[:top_k]
        return [Candidate(str(self.supplier_id[rows[j]]), str(self.name[rows[j]]),
                          float(scores[j]), bool(scores[j] >= threshold)) for j in order]

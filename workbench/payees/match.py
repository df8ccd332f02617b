"""Match payee names against a supplier master: blocking, then scoring, then top-k.

Every step works on a whole batch of queries at once (numpy, scipy.sparse, one
``sparse_dot_topn`` product and one rapidfuzz ``cpdist`` call per batch); nothing loops over
candidates in Python.

1. **Blocking.** Every master name's core (normalised, legal form and a leading "the" dropped)
   is a vector of its words weighted by IDF (rare words count most), l2-normalised. A batch of
   queries, as word vectors of the same kind, is multiplied with the whole master at once
   (``sparse_dot_topn``) and the ``CANDIDATES`` most similar cores of each query are kept. A
   query word the master does not know (likely misspelt) stands for its closest master words:
   a character n-gram index of the master's vocabulary gives ``EXPANSIONS`` look-alikes, kept
   when their rapidfuzz ratio is at least ``MIN_TYPO_SIMILARITY``, weighted by it. A query
   with fewer than ``top_k`` candidates tries look-alikes of all its words. A query's tax id,
   when it has one, adds the master rows with the same tax id.
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
import scipy.sparse as sp

from workbench.payees.normalize import normalize_parts

CANDIDATES = 40
EXPANSIONS = 24
MIN_EXPANSION_LENGTH = 4
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
        # Blocking: each row an l2-normalised IDF-weighted word vector, stored words x rows
        # (the layout sparse_dot_topn multiplies fastest). The arrays are copied: the matrix
        # sums duplicate words in place.
        rows = sp.csr_matrix((self.vocab_idf[self.tok_ids].astype(np.float32),
                              self.tok_ids.copy(), self.tok_ptr.copy()),
                             shape=(len(self.core), len(self.vocab)))
        rows.sum_duplicates()
        norms = np.sqrt(np.bincount(np.repeat(np.arange(rows.shape[0]), np.diff(rows.indptr)),
                                    rows.data.astype(np.float64) ** 2, minlength=rows.shape[0]))
        rows.data /= np.repeat(norms, np.diff(rows.indptr)).astype(np.float32)
        self.words_t = rows.T.tocsr()
        # Look-alikes of a word the master does not know: character 2- and 3-grams of the
        # master's vocabulary.
        self.spelling = None
        if len(self.vocab):
            self.spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3),
                                            dtype=np.float32)
            self.spelling_t = self.spelling.fit_transform(self.vocab.tolist()).T.tocsr()

    def _index_tokens(self) -> None:
        """Each core's words as ids into one vocabulary (flat, with offsets), and their IDF."""
        tokens = [[t for t in c.split() if t not in STOPWORDS] for c in self.core]
        df = Counter(t for words in tokens for t in set(words))
        n = max(len(self.core), 1)
        self.vocab = np.array(sorted(df), dtype=object)
        self.vocab_len = np.array([len(t) for t in self.vocab], dtype=np.int64)
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
        """Bytes held by the index's arrays (matrices, names, tokens, idf and field keys)."""
        import sys

        total = 0
        matrices = [self.words_t] + ([self.spelling_t] if self.spelling is not None else [])
        for m in matrices:
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        if self.spelling is not None:
            total += sys.getsizeof(self.spelling.vocabulary_) + sum(
                sys.getsizeof(g) for g in self.spelling.vocabulary_)
        for array in (self.supplier_id, self.name, self.core):
            total += array.nbytes + sum(sys.getsizeof(x) for x in array)
        total += self.tok_ptr.nbytes + self.tok_ids.nbytes + self.vocab_idf.nbytes
        total += self.vocab_len.nbytes
        total += self.vocab.nbytes + sum(sys.getsizeof(t) for t in self.vocab)
        total += sys.getsizeof(self.token_id)
        for array in self.fields.values():
            total += array.nbytes + sum(sys.getsizeof(x) for x in array)
        total += sys.getsizeof(self.by_tax_id)
        return total

    # --- blocking -------------------------------------------------------------------------
    def _query_vectors(self, tokens: list[tuple[str, ...]], look_alikes: bool) -> sp.csr_matrix:
        """Queries as IDF-weighted word vectors. Unknown words (all words when
        ``look_alikes``) add their closest master words, weighted by similarity."""
        from rapidfuzz import fuzz
        from rapidfuzz.process import cpdist
        from sparse_dot_topn import sp_matmul_topn

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        unknown: list[str] = []
        unknown_row: list[int] = []
        for i, words in enumerate(tokens):
            for word in words:
                j = self.token_id.get(word, -1)
                if j >= 0:
                    rows.append(i)
                    cols.append(j)
                    vals.append(self.vocab_idf[j])
                if look_alikes or (j < 0 and len(word) >= MIN_EXPANSION_LENGTH):
                    unknown.append(word)
                    unknown_row.append(i)
        if unknown and self.spelling is not None:
            near = sp_matmul_topn(self.spelling.transform(unknown), self.spelling_t,
                                  top_n=EXPANSIONS, n_threads=self.n_threads)
            which = np.repeat(np.arange(len(unknown)), np.diff(near.indptr))
            if len(which):
                alike = near.indices.astype(np.int64)
                sim = cpdist([unknown[k] for k in which], self.vocab[alike].tolist(),
                             scorer=fuzz.ratio, dtype=np.float32,
                             workers=self.n_threads or 1) / 100.0
                keep = np.ones(len(sim), bool) if look_alikes else sim >= MIN_TYPO_SIMILARITY
                rows.extend(np.asarray(unknown_row)[which[keep]].tolist())
                cols.extend(alike[keep].tolist())
                vals.extend((self.vocab_idf[alike] * sim)[keep].tolist())
        return sp.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)),
                             shape=(len(tokens), len(self.vocab)))

    def _block(self, tokens: list[tuple[str, ...]], look_alikes: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query, row, blocking similarity) of each query's ``CANDIDATES`` closest rows."""
        from sparse_dot_topn import sp_matmul_topn

        queries = self._query_vectors(tokens, look_alikes)
        if not queries.nnz:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float32)
        blocks = sp_matmul_topn(queries, self.words_t, top_n=CANDIDATES,
                                n_threads=self.n_threads)
        which = np.repeat(np.arange(len(tokens)), np.diff(blocks.indptr))
        return which, blocks.indices.astype(np.int64), blocks.data.astype(np.float32)

    def _candidates(self, tokens: list[tuple[str, ...]], tax_ids: np.ndarray | None,
                    top_k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Unique (query, row) pairs with their blocking similarity, sorted by query."""
        which, rows, sim = self._block(tokens)
        short = np.flatnonzero((np.bincount(which, minlength=len(tokens)) < top_k)
                               & np.array([bool(t) for t in tokens], dtype=bool))
        if len(short):  # too few candidates: try look-alikes of every word
            more_which, more_rows, more_sim = self._block([tokens[i] for i in short], True)
            which = np.concatenate([which, short[more_which]])
            rows = np.concatenate([rows, more_rows])
            sim = np.concatenate([sim, more_sim])
        if tax_ids is not None:
            extra = [(i, r) for i, tax in enumerate(tax_ids) if tax
                     for r in self.by_tax_id.get(tax, ())]
            if extra:
                pairs = np.array(extra, dtype=np.int64)
                which = np.concatenate([which, pairs[:, 0]])
                rows = np.concatenate([rows, pairs[:, 1]])
                sim = np.concatenate([sim, np.zeros(len(pairs), np.float32)])
        key = which * max(len(self.core), 1) + rows
        order = np.lexsort((-sim, key))
        first = order[np.r_[True, np.diff(key[order]) != 0]] if len(order) else order
        return which[first], rows[first], sim[first]

    # --- scoring --------------------------------------------------------------------------
    def _name_scores(self, tokens: list[tuple[str, ...]], which: np.ndarray,
                     rows: np.ndarray) -> np.ndarray:
        """Soft, IDF-weighted word match of every (query, row) pair, a batch at once."""
        from rapidfuzz import fuzz
        from rapidfuzz.process import cpdist

        scores = np.zeros(len(rows))
        q_len = np.array([len(t) for t in tokens], dtype=np.int64)
        q_ptr = np.concatenate([[0], np.cumsum(q_len)])
        q_words = [w for t in tokens for w in t]
        q_ids = np.array([self.token_id.get(w, -1) for w in q_words], dtype=np.int64)
        q_chars = np.array([len(w) for w in q_words], dtype=np.int64)
        known = q_ids >= 0
        n_q = q_len[which]
        n_w = self.tok_ptr[rows + 1] - self.tok_ptr[rows]
        valid = np.flatnonzero((n_q > 0) & (n_w > 0))
        if not len(valid):
            return scores
        n_q, n_w, q_start = n_q[valid], n_w[valid], q_ptr[which[valid]]
        pairs = len(valid)
        # every candidate word (e), then every (candidate word, query word) triple
        e_pair = np.repeat(np.arange(pairs), n_w)
        e_word = self.tok_ids[_ranges(self.tok_ptr[rows[valid]], n_w)].astype(np.int64)
        t_e = np.repeat(np.arange(len(e_pair)), n_q[e_pair])
        t_local = _ranges(np.zeros(len(e_pair), np.int64), n_q[e_pair])
        t_q = q_start[e_pair][t_e] + t_local  # the query word's index in q_words
        t_w = e_word[t_e]
        # similarity once per distinct (query word, master word)
        n_vocab = max(len(self.vocab), 1)
        combos, inverse = np.unique(t_q * n_vocab + t_w, return_inverse=True)
        u_q, u_w = combos // n_vocab, combos % n_vocab
        exact = q_ids[u_q] == u_w
        short = (q_chars[u_q] <= 3) | (self.vocab_len[u_w] <= 3)
        sim = exact.astype(np.float32)
        fuzzy = np.flatnonzero(~exact & ~short)
        if len(fuzzy):
            sim[fuzzy] = cpdist([q_words[k] for k in u_q[fuzzy]],
                                self.vocab[u_w[fuzzy]].tolist(), scorer=fuzz.ratio,
                                dtype=np.float32, workers=self.n_threads or 1) / 100.0
        # A query word the master knows is a real word, not a typo: a near spelling of it
        # is another name ("Gardner" / "Gardiner") and earns little. An unknown word is
        # likely a typo and may be further from its partner.
        u_known = known[u_q]
        sim = np.where(u_known & ~exact, sim - KNOWN_WORD_PENALTY, sim)
        sim[sim < np.where(u_known, MIN_TOKEN_SIMILARITY, MIN_TYPO_SIMILARITY)] = 0.0
        # an unknown (misspelt) query word weighs as much as its closest master word among
        # its query's candidates (the first by vocabulary order on ties)
        q_idf = self.vocab_idf[np.maximum(q_ids, 0)]
        order = np.lexsort((u_w, -sim, u_q))
        best = order[np.r_[True, np.diff(u_q[order]) != 0]]
        guessed = ~known[u_q[best]]
        q_idf[u_q[best][guessed]] = self.vocab_idf[u_w[best][guessed]]
        s = sim[inverse]
        # each candidate word's closest query word (triples are grouped by candidate word)
        best_m = np.maximum.reduceat(s, np.r_[0, np.cumsum(n_q[e_pair])[:-1]])
        # each query word's closest candidate word, per pair
        pq_start = np.r_[0, np.cumsum(n_q)[:-1]]
        pq_index = pq_start[e_pair][t_e] + t_local
        best_q = np.zeros(int(n_q.sum()), dtype=s.dtype)
        np.maximum.at(best_q, pq_index, s)
        pq_pair = np.repeat(np.arange(pairs), n_q)
        pq_idf = q_idf[_ranges(q_start, n_q)]
        forward = np.bincount(pq_pair, pq_idf * best_q, pairs) / \
            np.bincount(pq_pair, pq_idf, pairs)
        w_m = self.vocab_idf[e_word]
        backward = np.bincount(e_pair, w_m * best_m, pairs) / np.bincount(e_pair, w_m, pairs)
        unmatched = np.bincount(pq_pair, best_q == 0, pairs) + \
            np.bincount(e_pair, best_m == 0, pairs)
        # a word missing on either side counts, and every word without a partner costs
        scores[valid] = np.minimum(forward, backward) * UNMATCHED_FACTOR ** unmatched
        return scores

    def _adjust(self, score: np.ndarray, rows: np.ndarray,
                query: dict[str, np.ndarray]) -> np.ndarray:
        """Other fields count only when both sides have them (``query``: a value per pair)."""
        score = score.copy()
        for field_name, values in self.fields.items():
            if field_name not in query:
                continue
            theirs = query[field_name]
            ours = values[rows]
            same = ours == theirs
            known = (ours != "") & (theirs != "")
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
        if not isinstance(queries, pd.DataFrame):
            queries = pd.DataFrame({"name": list(queries)})
        extra = [f for f in self.fields if f in queries.columns]
        results: list[list[Candidate]] = []
        for start in range(0, len(queries), batch):
            chunk = queries.iloc[start:start + batch]
            cores = [core_of(n) for n in chunk["name"]]
            fields = {f: np.array([_key(v) for v in chunk[f]], dtype=object) for f in extra}
            results.extend(self._match_batch(cores, fields, top_k, threshold))
            if progress:
                progress(len(chunk))
        return results

    def _match_batch(self, cores: list[str], fields: dict[str, np.ndarray], top_k: int,
                     threshold: float) -> list[list[Candidate]]:
        tokens = [tuple(t for t in c.split() if t not in STOPWORDS) for c in cores]
        which, rows, block_sim = self._candidates(tokens, fields.get("tax_id"), top_k)
        has_core = np.array([bool(c) for c in cores], dtype=bool)
        keep = has_core[which] if len(which) else np.zeros(0, bool)
        which, rows, block_sim = which[keep], rows[keep], block_sim[keep]
        scores = self._adjust(self._name_scores(tokens, which, rows), rows,
                              {f: v[which] for f, v in fields.items()})
        order = np.lexsort((rows, -block_sim, -scores, which))
        starts = np.r_[0, np.cumsum(np.bincount(which, minlength=len(cores)))[:-1]]
        rank = np.arange(len(order)) - starts[which[order]]
        results: list[list[Candidate]] = [[] for _ in cores]
        for j in order[rank < top_k]:
            row, score = rows[j], float(scores[j])
            results[which[j]].append(Candidate(str(self.supplier_id[row]), str(self.name[row]),
                                               score, bool(score >= threshold)))
        return results


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The concatenated ranges ``starts[i] .. starts[i] + lengths[i]``."""
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))

"""The learned parts of the answerer: the numpy encoder, the committed vectors,
the glossary answers, the blind data's split and the reproducible model."""
import json

import numpy as np
import pytest

from knowledge import training
from knowledge.decision import MODEL_FILE, load_model
from knowledge.embed import Encoder, VectorCache, text_key
from knowledge.engine import Answerer
from knowledge.glossary import glossary_answer
from knowledge.loader import load_knowledge
from knowledge.semantic import COMMITTED_VECTORS, entry_texts


@pytest.fixture(scope="module")
def deck_kb():
    return load_knowledge()


def test_numpy_encoder_matches_sentence_transformers():
    # sentence-transformers' own all-MiniLM-L6-v2 gives 0.7553 for this pair.
    v = Encoder.shared().encode(["A man is eating food.", "A man is eating a piece of bread."])
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert float(v[0] @ v[1]) == pytest.approx(0.7553, abs=0.002)


def test_committed_vectors_cover_the_deck_kb(deck_kb):
    cache = VectorCache(COMMITTED_VECTORS)
    texts = [t for e in deck_kb.entries for t in (*entry_texts(e)[0], entry_texts(e)[1])]
    missing = [t for t in texts if text_key(t) not in cache._vectors]
    assert not missing, f"run `python -m knowledge.train vectors`: {missing[:3]}"


def test_glossary_questions_are_answered_with_their_source(deck_kb):
    r = glossary_answer(deck_kb, "What does STLS stand for?")
    assert r.outcome == "answer" and "Specialist Teaching and Learning Service" in r.answer_text
    assert r.source_line.startswith("Countywide SENCO Forum, March 2025")
    r = glossary_answer(deck_kb, "whats an EHCP")
    assert r.outcome == "answer" and "Education, Health and Care Plan" in r.answer_text
    assert r.source_line.startswith("SEND Code of Practice 2015")


def test_terms_the_deck_never_spells_out_are_declined(deck_kb):
    for q in ("what does LIFT stand for", "What does KCC stand for?", "what does HNF stand for"):
        assert glossary_answer(deck_kb, q).outcome == "decline", q
    assert glossary_answer(deck_kb, "when do npq applications close") is None


def test_split_is_disjoint_stratified_and_covers_the_blind_set():
    split = training.split()
    parts = [set(split[p]) for p in ("train", "validation", "test")]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    ids = {i["id"] for i in training.blind_items()}
    assert parts[0] | parts[1] | parts[2] == ids
    assert 0.17 < len(parts[2]) / len(ids) < 0.23
    labels = training.labels()
    assert set(labels) == ids


@pytest.mark.timeout(900)   # scores ~1,400 questions' candidates and fits 6 models: minutes on 2 busy cores
def test_retraining_reproduces_the_shipped_model():
    from knowledge.train import fit
    shipped = json.loads(MODEL_FILE.read_text())
    again = json.loads(json.dumps(fit(write=False).to_json()))
    assert again["features"] == shipped["features"]
    assert again["answer_threshold"] == shipped["answer_threshold"]
    assert again["suggest_threshold"] == shipped["suggest_threshold"]
    assert again["baseline"] == shipped["baseline"]
    assert again["trees"] == shipped["trees"]


def test_hybrid_answers_an_everyday_paraphrase(deck_kb):
    answerer = Answerer(deck_kb)
    model = load_model()
    r = answerer.answer("what's the last day i can apply for the senco npq?")
    assert r.outcome == "answer" and r.entry.id.startswith("npq") and r.confidence >= model.answer_threshold


def test_a_published_inbox_answer_answers_a_reworded_repeat_credited_to_the_team(deck_kb):
    from knowledge.models import FaqEntry, Source
    answerer = Answerer(deck_kb)
    entry = FaqEntry(id="inbox-is-lunch-provided-at-the-forum-abc123",
                     question="Is lunch provided at the forum?",
                     answer="No. Lunch is not provided at the forum; tea and coffee are.",
                     source=Source(session="Inclusion team answer, 26 November 2026"),
                     alternatives=("do we get lunch at the senco forum",), tags=("forum", "inbox"),
                     origin="inbox")
    answerer.add_entry(entry)
    r = answerer.answer("will there be food for lunch at the SENCO forum or should I bring my own?")
    assert r.outcome in ("answer", "suggest")
    if r.outcome == "answer":
        assert r.entry.id == entry.id
        assert r.source_line == "Inclusion team answer, 26 November 2026"
    else:
        assert r.suggestions[0].faq_id == entry.id


def test_configured_thresholds_are_the_models():
    import yaml
    from pathlib import Path
    from knowledge.engine import Thresholds
    model = load_model()
    app = yaml.safe_load((Path(__file__).resolve().parents[2] / "app.yaml").read_text())["knowledge"]
    assert (app["answer_threshold"], app["suggest_threshold"]) == (model.answer_threshold, model.suggest_threshold)
    assert (Thresholds().answer, Thresholds().suggest) == (model.answer_threshold, model.suggest_threshold)


def test_an_empty_knowledge_base_declines_instead_of_failing():
    from knowledge.models import KnowledgeBase

    answerer = Answerer(KnowledgeBase(entries=()))
    for question in ("when is the next forum?", "what is the stls", "x"):
        assert answerer.answer(question).outcome == "decline"

from knowledge.models import GlossaryTerm
from knowledge.text import Analyzer, normalise, split, stem

GLOSSARY = (
    GlossaryTerm("EHCP", "Education, Health and Care Plan", ("EHC plan", "EHCPs")),
    GlossaryTerm("STLS", "Specialist Teaching and Learning Service", ()),
    GlossaryTerm("SENDIST", "Special Educational Needs and Disability Tribunal", ()),
    GlossaryTerm("SEND", "Special Educational Needs and Disabilities", ()),
)
SYNONYMS = (("tribunal", "appeal"), ("top up", "top-up", "topup"), ("help", "support"))


def analyzer() -> Analyzer:
    return Analyzer(GLOSSARY, SYNONYMS)


def test_normalise_regularises_ordinals_terms_and_quotes():
    assert normalise("What’s on 6th April in T4?") == "whats on 6 april in term 4?"
    assert split("four weeks, 1st Sept") == ["4", "weeks", "1", "sept"]


def test_stem_joins_inflections_and_derivations():
    for a, b in [("suitable", "suitability"), ("placement", "placed"), ("funding", "funded"),
                 ("communities", "community"), ("annually", "annual"), ("agreed", "agree"),
                 ("witnesses", "witness"), ("received", "receive")]:
        assert stem(a) == stem(b), (a, b)
    assert stem("appeal") != stem("app")


def test_abbreviation_and_expansion_become_one_token():
    a = analyzer()
    assert a.terms("EHCP") == a.terms("education, health and care plan") == a.terms("EHC plans")
    assert a.terms("stls") == a.terms("Specialist Teaching and Learning Service")


def test_acronyms_are_not_stemmed_into_other_words():
    a = analyzer()
    assert a.terms("SENDIST") != a.terms("SEND")
    assert a.terms("STLS") == a.terms("stls")


def test_synonym_phrases_collapse_and_keep_apart_from_plain_words():
    a = analyzer()
    assert a.terms("appeal") == a.terms("tribunal")
    assert a.terms("top up") == a.terms("top-up") == a.terms("topup")
    assert a.terms("top") != a.terms("top up")


def test_stopwords_and_filler_are_dropped_even_when_a_stem_is_a_concept():
    a = analyzer()
    assert a.terms("thanks, that's really helpful!") == []
    assert a.terms("can you help") == a.terms("support")


def test_send_after_a_pronoun_is_the_verb():
    a = analyzer()
    assert "send" not in " ".join(a.terms("where do I send my questions"))
    assert a.terms("SEND policy") == a.terms("special educational needs and disabilities policy")


def test_split_compound_is_joined_when_only_the_joined_word_is_known():
    a = analyzer()
    vocab = frozenset({"countywide", "template", "i", "ask", "iask"})
    words = [t.text for t in a.tokens("county wide template", vocabulary=vocab)]
    assert words == [stem("countywide"), stem("template")]
    # two known words stay apart: "can i ask" is not IASK
    assert [t.text for t in a.tokens("can i ask", vocabulary=vocab)] == [stem("ask")]


def test_corrector_marks_repaired_tokens():
    a = analyzer()
    toks = a.tokens("tribnal dates", correct=lambda w: "tribunal" if w == "tribnal" else None)
    assert toks[0].text == a.terms("tribunal")[0] and toks[0].corrected
    assert not toks[1].corrected


def test_headings_are_not_the_head():
    from knowledge.text import stem
    assert stem("headings") == stem("heading") != stem("head")


def test_hedges_are_filler():
    # "roughly how far ahead…" asks the same as "how far ahead…": an
    # unexplained "roughly" must not count against every entry.
    assert Analyzer().terms("roughly how far ahead do we get the bundle") == Analyzer().terms("ahead do we get the bundle")
    assert Analyzer().terms("are agreed claims already paid") == Analyzer().terms("are agreed claims paid")

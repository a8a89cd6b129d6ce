"""Regenerate bot/privacy/data/*.txt, the redactor's gazetteer, from packaged lists.

    pip install names-dataset english-words wordfreq && python bench/build_name_lists.py

Run by hand when the lists should change; the app only reads the text files.
names-dataset is not a run-time dependency because loading it takes ~13 s and
~1.9 GB of memory on this machine (measured); the few thousand names a
redactor needs fit in a 100 kB text file.

given_names.txt  first names common among children in England: the 10,000 commonest male and female
                 first names in Great Britain, plus the commonest in the countries most families in
                 Kent schools come from (names-dataset, MIT). names-dataset ranks a name only in the
                 ten countries where it is most frequent, so "Oscar", "Mohammed" and "Leo" are absent
                 from its British list and have to come in through another country's.
surnames.txt     the 10,000 commonest surnames in Great Britain (names-dataset)
name_words.txt   names that are also everyday English words, e.g. Will, May, Grace, Amber: these
                 need a person's context before they are redacted.  "Everyday" = a lower-case entry
                 in english-words' web2 list AND a wordfreq Zipf frequency >= 3.0, because web2
                 alone holds rare words ("tyrone") that would make real names ambiguous; THEN
                 (refine_name_words) the entry must also be a lower-case word of a modern British
                 dictionary (Debian's wbritish, /usr/share/dict/british-english).  wordfreq folds
                 case, so a frequent name counts as a frequent word ("riley", "donna", "arjun",
                 "kai" all pass Zipf 3.0); a modern dictionary's lower-case entries are words
                 ("jack", "ray", "patience", "mason"), its capitalised ones are names.  Places,
                 nationalities and one- or two-letter entries stay ambiguous whatever the dictionary
                 says: they are in the given-name lists only as noise from other countries.

dictionary_names.txt  given names and surnames whose lower-case form is a word of that dictionary
                 ("rose", "tools", "levels"): typed in lower case these need a person's context; any
                 other given name typed in lower case ("jayden", "aisha") is taken as a name.

    apt-get install wbritish && python bench/build_name_lists.py --refine-words   # just that step
"""

import sys

from pathlib import Path


OUT = Path(__file__).resolve().parent.parent / "bot" / "privacy" / "data"
TOP = 10_000
# (country, names per gender): English-speaking countries in depth, then the
# origins of Kent's larger EAL and migrant communities.
OTHER_COUNTRIES = [("IE", 3000), ("US", 5000), ("CA", 2000), ("AU", 2000), ("ZA", 1500), ("JM", 1000)] + [
    (c, 1500)
    for c in "NG GH IN PK BD LK NP PL RO LT LV BG TR UA RU AF IQ EG MA SA AE PH IT ES PT FR DE HU SK CZ AL GR CN HK MY KE ZW".split()
]


def _latin(name: str) -> bool:
    import unicodedata

    return all(ch in "-'" or "LATIN" in unicodedata.name(ch, "") for ch in name)


DICTIONARY = Path("/usr/share/dict/british-english")
# Given-name list entries that are places, peoples or brands, not people: never unambiguous.
NOT_PEOPLE = set(
    """
    Atlantic Barcelona Berlin Boston Brazil Broadway Canada Dover Easter German Dutch Geneva Granada
    Kent Kodak Manila Montana Porto Rancho Somerset Swiss Timor York Loch Negro St Pst Mold Favor
    Savory Rigor Marvelous Saber Lombard Scot Turk Iconic Auntie Banger Nana Nan Mac Mali Sao San
    Rio Sherlock Napoleon Khalifa Kaiser Lear Pandora Mercer Springer Poly Prima Shalom Soleil
    """.split()
)


def refine_name_words(words: list[str], dictionary: Path = DICTIONARY) -> list[str]:
    lower = {w.strip() for w in dictionary.read_text(encoding="utf-8").splitlines() if w.strip().islower()}
    return sorted(w for w in words if w.lower() in lower or w in NOT_PEOPLE or len(w) <= 2)


def is_word_form(word: str, lower: set[str]) -> bool:
    """A dictionary word or a regular inflection of one ("messaging", "levels", "tried")."""
    if word in lower:
        return True
    for suffix, repl in (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                         ("er", ""), ("er", "e"), ("ers", ""), ("ly", ""), ("ness", ""), ("ful", ""), ("less", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and word[: -len(suffix)] + repl in lower:
            return True
    return False


def write_dictionary_names(dictionary: Path = DICTIONARY) -> None:
    lower = {w.strip() for w in dictionary.read_text(encoding="utf-8").splitlines() if w.strip().islower()}
    names = set()
    for name in ("given_names", "surnames"):
        names.update(w for w in (OUT / f"{name}.txt").read_text(encoding="utf-8").split() if is_word_form(w.lower(), lower))
    (OUT / "dictionary_names.txt").write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    print("dictionary_names", len(names))


def main() -> None:
    if "--refine-words" in sys.argv:
        path = OUT / "name_words.txt"
        rows = refine_name_words([w for w in path.read_text(encoding="utf-8").split() if w])
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print("name_words", len(rows))
        write_dictionary_names()
        return
    from english_words import get_english_words_set
    from names_dataset import NameDataset
    from wordfreq import zipf_frequency

    nd = NameDataset()
    top = nd.get_top_names(n=TOP, country_alpha2="GB")["GB"]
    pool = set(top["M"] + top["F"])
    for country, n in OTHER_COUNTRIES:
        found = nd.get_top_names(n=n, country_alpha2=country).get(country)
        if found:
            pool.update(found["M"] + found["F"])
    # Latin-script names only: a Cyrillic or Arabic-script word is not how a SENCO types a name here.
    given = sorted({n for n in pool if n.replace("-", "").replace("'", "").isalpha() and n.isascii() or _latin(n)})
    last = nd.get_top_names(n=TOP, use_first_names=False, country_alpha2="GB")["GB"]
    surnames = sorted({n for n in last if n.replace("-", "").replace("'", "").isalpha()})
    words = {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    ambiguous = sorted({n for n in given + surnames if n.lower() in words and zipf_frequency(n.lower(), "en") >= 3.0})
    ambiguous = refine_name_words(ambiguous)
    OUT.mkdir(parents=True, exist_ok=True)
    for name, rows in (("given_names", given), ("surnames", surnames), ("name_words", ambiguous)):
        (OUT / f"{name}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(name, len(rows))
    write_dictionary_names()


if __name__ == "__main__":
    main()

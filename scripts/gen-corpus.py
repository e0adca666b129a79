#!/usr/bin/env python3
"""Deterministic synthetic French news corpus for benchmarks.

    scripts/gen-corpus.py --mb 100 --out /tmp/corpus          # one .txt file per article
    scripts/gen-corpus.py --mb 100 --jsonl /tmp/corpus.jsonl   # one JSONL file
    scripts/gen-corpus.py --real --mb 100 --jsonl /tmp/real.jsonl  # the repo's real articles
    scripts/gen-corpus.py --real --distinct-names --mb 100 --jsonl /tmp/dist.jsonl  # new names

Articles are assembled from sentence templates in the style of business news (partnerships,
investments with amounts, locations, spin-offs, executives) with names drawn from fixed lists by a
seeded generator: the same arguments always give the same bytes. About a third of the sentences
state a relation; the rest is filler, as in real articles.

With --real, the corpus is the real articles kept in the repository instead (the seeds and the
French, French press and English article sets under tests/articles), in that order, repeated until
the size is reached: longer sentences, more varied wording and fewer relations than the generated
ones, and both languages' rules at work.

With --distinct-names (with --real), every capitalized word gets a suffix of its own at each
pass after the first ("Airbus" → "Airbusb"), except the words that open a sentence somewhere in
the articles: each pass adds new entities, and the graph grows with the corpus as an archive's
does, where the plain --real corpus keeps the same few hundred entities.

With --meta (JSONL only), each record also has what a news archive keeps beside the text: a
title (the article's first line), a URL made of a section, the date and a slug of the title,
and an ISO date, as in:

    scripts/gen-corpus.py --real --meta --mb 1000 --jsonl /tmp/real-meta.jsonl
"""
import argparse
import glob
import itertools
import json
import os
import random
import re
import unicodedata

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
REAL_SETS = ["seeds", "tests/articles/fr/docs", "tests/articles/fr-press/docs", "tests/articles/en/docs"]


def real_texts():
    """The repository's real articles, in a fixed order."""
    texts = []
    for d in REAL_SETS:
        for path in sorted(glob.glob(os.path.join(ROOT, d, "*.txt"))):
            with open(path, encoding="utf-8") as f:
                texts.append(f.read())
    return texts


def real_articles():
    """The repository's real articles, in a fixed order, forever."""
    return itertools.cycle(real_texts())


CAPITALIZED = re.compile(r"\b[^\W\d_a-zß-ÿ]\w*")
SENTENCE_START = re.compile(r"(?:^|[.!?»]\s+|\n)\W*(\w+)")


def pass_suffix(n):
    """Lower-case letters that tell pass `n` of the articles (1 → "b", 26 → "ba")."""
    letters = ""
    while True:
        letters = chr(ord("a") + n % 26) + letters
        n //= 26
        if n == 0:
            return letters


def real_articles_distinct():
    """The repository's real articles forever, their names new at every pass: from the second
    pass on, every capitalized word gets the pass's suffix ("Airbus" → "Airbusb"), except the
    words that open a sentence somewhere in the articles ("Le", "The", "Depuis"), so that each
    pass adds the same number of new entities to the graph, as an archive of new articles does."""
    texts = real_texts()
    openers = {m.group(1) for t in texts for m in SENTENCE_START.finditer(t)}
    for n in itertools.count():
        suffix = pass_suffix(n) if n else ""
        for text in texts:
            if n:
                text = CAPITALIZED.sub(
                    lambda m: m.group(0) if m.group(0) in openers else m.group(0) + suffix, text
                )
            yield text


COMPANIES = ["Nvidia", "SAP", "Deutsche Telekom", "Mistral AI", "Orange", "Thales", "Capgemini",
             "Airbus", "Siemens", "Bosch", "Helsing", "Aleph Alpha", "Celonis", "Pasqal",
             "Quandela", "Doctolib", "Alan", "Qonto", "Mirakl", "Ledger", "Dataiku", "Contentsquare",
             "Back Market", "Exotrail", "Ynsect", "Verkor", "Lilium", "Parloa", "Personio", "N26"]
NEW = ["Valmeria", "Octarine", "Brisalis", "Quantelo", "Novaterra", "Lumicore", "Stratagene",
       "Hexalys", "Cortexa", "Fluvion", "Ardentis", "Mirova Labs", "Kelvion", "Sylvatech"]
PEOPLE = ["Arthur Mensch", "Jonas Andrulis", "Ralf Wintergerst", "Claire Martin", "Thomas Weber",
          "Sophie Lambert", "Jean Dupuis", "Anna Schmidt", "Marc Lefèvre", "Julia Fischer"]
ROLES = ["président", "directeur général", "PDG", "patron", "directrice générale"]
DEMONYMS = ["française", "allemande", "américaine", "britannique", "italienne", "berlinoise",
            "munichoise", "parisienne", "lyonnaise"]
NOUNS = ["l'entreprise", "la start-up", "la société", "le groupe", "la jeune pousse"]
CITIES = ["Paris", "Berlin", "Munich", "Lyon", "Londres", "Toulouse", "Hambourg", "Grenoble"]
FACILITIES = ["usine", "centre de données", "gigafactory", "centre de calcul"]
UNIS = ["l'Université technique de Munich", "l'Inria", "le CNRS", "l'Institut Pasteur",
        "l'Université Louis-et-Maximilien de Munich", "l'École polytechnique"]
FILLER = [
    "Le marché reste très concurrentiel et les analystes restent prudents sur les perspectives.",
    "« Nous voulons accélérer notre croissance en Europe », a déclaré un porte-parole mardi.",
    "Les investisseurs attendent désormais des résultats concrets d'ici la fin de l'année.",
    "La demande en puissance de calcul a été multipliée par dix en deux ans, selon le cabinet.",
    "Cette annonce intervient dans un contexte de forte tension sur les semi-conducteurs.",
    "Les discussions avaient commencé il y a plusieurs mois, selon des sources proches du dossier.",
    "Le secteur a levé près de 2,5 milliards d'euros au premier semestre, un record.",
    "Plusieurs PME allemandes coopèrent déjà avec des laboratoires publics.",
]


def amount(r):
    n = r.choice(["1", "2,5", "200", "50", "15", "1,2", "600", "cinq"])
    scale = r.choice(["millions", "milliards", "millions", "millions"])
    cur = r.choice(["d'euros", "de dollars", "d'euros"])
    return f"{n} {scale} {cur}"


def sentence(r):
    a, b = r.sample(COMPANIES + NEW, 2)
    kind = r.randrange(9)
    if kind == 0:
        return f"{a} et {b} vont lancer ensemble une « {r.choice(FACILITIES)} » à {r.choice(CITIES)} pour {amount(r)}."
    if kind == 1:
        return f"{a} s'associe à {b} pour développer de nouveaux services."
    if kind == 2:
        return f"{a} investit {amount(r)} dans la start-up {b}."
    if kind == 3:
        return f"{r.choice(NOUNS).capitalize()} {r.choice(DEMONYMS)} {a} a annoncé mardi un nouveau produit."
    if kind == 4:
        return f"{a}, une société dérivée de {r.choice(UNIS)}, recrute."
    if kind == 5:
        return f"{r.choice(PEOPLE)}, {r.choice(ROLES)} de {a}, a présenté la stratégie."
    if kind == 6:
        return f"{a} lève {amount(r)} auprès de {b}."
    return r.choice(FILLER)


def article(r, i):
    title = f"{r.choice(COMPANIES + NEW)} : {r.choice(['nouvelle étape', 'accord stratégique', 'levée de fonds', 'expansion'])}"
    paragraphs = []
    for _ in range(r.randint(3, 6)):
        paragraphs.append(" ".join(sentence(r) for _ in range(r.randint(3, 6))))
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


SECTIONS = ["economie", "entreprises", "tech", "international", "industrie", "finance"]


def slug(text, limit=80):
    """Lower-case ASCII words joined by hyphens, as news sites write them in URLs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:limit].strip("-")


def meta(text, i):
    """A title, URL and date for article i, deterministic."""
    title = text.split("\n", 1)[0].strip()[:200]
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = 2020 + (i // 336) % 6
    date = f"{year}-{month:02d}-{day:02d}"
    section = SECTIONS[i % len(SECTIONS)]
    url = f"https://www.actualites-exemple.fr/{section}/{year}/{month:02d}/{day:02d}/{slug(title)}_{i}.html"
    return {"title": title, "url": url, "date": date}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mb", type=float, required=True, help="corpus size in MB (10^6 bytes)")
    p.add_argument("--out", help="directory of .txt files")
    p.add_argument("--jsonl", help="one JSONL file")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--real", action="store_true", help="repeat the repository's real articles")
    p.add_argument(
        "--distinct-names",
        action="store_true",
        help="with --real, give the names of every pass after the first a suffix of its own",
    )
    p.add_argument("--meta", action="store_true", help="give each JSONL record a title, URL and date")
    args = p.parse_args()
    if args.meta and not args.jsonl:
        p.error("--meta needs --jsonl")
    if args.distinct_names and not args.real:
        p.error("--distinct-names needs --real")
    real = None
    if args.real:
        real = real_articles_distinct() if args.distinct_names else real_articles()
    r = random.Random(args.seed)
    target = int(args.mb * 1e6)
    size = 0
    i = 0
    if args.out:
        os.makedirs(args.out, exist_ok=True)
    sink = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else None
    while size < target:
        text = next(real) if real else article(r, i)
        size += len(text.encode("utf-8"))
        if sink:
            record = {"id": f"a{i:07d}", "text": text}
            if args.meta:
                record.update(meta(text, i))
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            sub = os.path.join(args.out, f"{i // 1000:04d}")
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, f"a{i:07d}.txt"), "w", encoding="utf-8") as f:
                f.write(text)
        i += 1
    if sink:
        sink.close()
    print(f"{i} articles, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()

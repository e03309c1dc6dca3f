"""Near-duplicates and stories: the fingerprint links a trimmed, retitled, lightly edited or re-cluttered
copy and not two texts on one topic; the two seeds share one story and neither duplicates the other, through
`presswash clean`; clean --store compares with a store's articles."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from scraper.cli import main
from scraper.core.fingerprint import (BASE, DUPLICATE_THRESHOLD, MIN_WORDS, NUM_PERM, SEED, fingerprint, key,
                                      shingle_hashes, similarity, word_hashes, words)
from scraper.store import Store

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"


def trimmed(text: str) -> str:
    """The first three quarters of a text."""
    words = text.split(" ")
    return " ".join(words[:len(words) * 3 // 4])


def retitled(text: str) -> str:
    return "Envoys meet in Baghdad for the first time in decades\nBAGHDAD, Iraq (AP) — " + text


def edited(text: str, seed: int = 1, changes: int = 10) -> str:
    words = text.split(" ")
    rng = random.Random(seed)
    for i in rng.sample(range(len(words)), changes):
        words[i] = rng.choice(["officials", "reportedly", "Monday", "several", "new"])
    return " ".join(words)


def cluttered(text: str) -> str:
    return ("Share this story on Facebook\nSubscribe to our daily newsletter for the latest headlines\n" + text
            + "\nRelated stories: Oil prices climb as talks begin\nComments are closed.\nAdvertisement")


PLACES = ["Northam", "Eastbury", "Westcliff", "Southport", "Kingsbridge", "Millbrook"]


def storm(i: int) -> str:
    """A storm report; every ``i`` is another storm, on the same topic with the same words."""
    place, other = PLACES[i % len(PLACES)], PLACES[(i + 3) % len(PLACES)]
    name = ["Ada", "Bram", "Cleo", "Dov", "Edda", "Finn"][i % 6]
    wind, time, schools = (["eased by dawn", "would strengthen again", "turned north"][i % 3],
                           ["morning", "afternoon", "night"][i % 3],
                           ["stayed open", "closed for the day", "opened late"][i % 3])
    hall, district = (["as a shelter", "for the night", "to anyone without power"][i % 3],
                      ["harbour", "river", "hill"][i % 3])
    return (f"A storm named {name} brought heavy rain and gusts to {place} overnight, cutting power to homes "
            f"near the coast and closing the main road to {other}. Forecasters said the wind {wind}, and crews "
            f"in {place} worked through the {time} to clear fallen trees. Schools in {other} {schools}. "
            f"Residents of {place} described flooded cellars, a collapsed garden wall and a roof torn from a "
            f"barn on the edge of town, and the council opened the sports hall {hall}. Insurers expect claims "
            f"to rise over the week in {place} and {other}, as the damage is counted by the {district} districts.")


@pytest.fixture(scope="module")
def wire() -> str:
    return (SEEDS / "004_efbc13fa41935e45.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("variant", [trimmed, retitled, edited, cluttered,
                                     lambda t: cluttered(retitled(edited(trimmed(t))))])
def test_copies_are_near_duplicates(wire, variant):
    a, b = fingerprint(wire), fingerprint(variant(wire))
    assert similarity(a.minhash, b.minhash) >= DUPLICATE_THRESHOLD
    assert set(a.bands) & set(b.bands)  # the LSH finds it


def test_texts_on_one_topic_are_not(wire):
    storms = [fingerprint(storm(i)) for i in range(3)]
    assert max(similarity(a.minhash, b.minhash) for a in storms for b in storms if a is not b) < DUPLICATE_THRESHOLD
    own = fingerprint((SEEDS / "000_deef46564a097fc2.txt").read_text(encoding="utf-8"))
    assert similarity(own.minhash, fingerprint(wire).minhash) < 0.2
    assert len(set(own.quotes) & set(fingerprint(wire).quotes)) == 2  # the two long quotes they share
    assert not any(set(a.quotes) & set(b.quotes) for a in storms for b in storms if a is not b)


def test_the_fingerprint_is_small_stable_and_needs_enough_words(wire):
    fp = fingerprint(wire)
    assert fp == fingerprint(wire) and len(fp.minhash) < 600
    assert fingerprint(" ".join(wire.split()[:MIN_WORDS - 1])) is None
    # case, punctuation and numbers do not count
    assert fingerprint(wire.upper().replace(",", "").replace("1979", "1980")).minhash == fp.minhash
    # curly, straight, guillemets and German quotes all count as quotes
    quote = "we will consider every remedy that the two governments have put on the table today"
    for marks in ('"{}"', "“{}”", "«{}»", "„{}“"):
        assert fingerprint(wire + "\n" + marks.format(quote)).quotes != fp.quotes


def test_the_signature_is_datasketchs_minhash_and_the_one_stores_hold(wire):
    """fingerprint.minhash computes datasketch's MinHash with numpy: the values of MinHash.update, value by
    value; and for the seed the signature and band keys of schema version 5, which stores hold (a change
    here needs a new schema version that makes them again, store/schema.py)."""
    from datasketch import MinHash
    for text in (wire, storm(0), " ".join(wire.split()[:MIN_WORDS])):
        expected = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=int)
        for value in shingle_hashes(word_hashes(text)):
            expected.update(int(value))
        assert fingerprint(text).minhash == expected.hashvalues.astype("<u4").tobytes()
    fp = fingerprint(wire)
    assert (key(fp.minhash), key(repr(fp.bands).encode())) == (7902206165754990951, 3724594726298662071)


def polynomial(word: str) -> int:
    """A word's hash as word_hashes defines it, one code point at a time in Python."""
    value = 0
    for char in word:
        value = (value * BASE + ord(char)) % 2 ** 64
    return value >> 32


@pytest.mark.parametrize("text", [
    "Hello, World! In 1979 the 2nd vote (³x) came; STRASSE/Straße, Ὀδυσσεύς e\u0301 日本語の文 __init__ a_1 12ab",
    "\ud800lone surrogate, 42 and 4 2 and nothing else", "", "   123 456 ", "x",
    " ".join(f"word{i % 97} «quoted» l'été" for i in range(3000)),  # longer than the first table of powers
])
def test_word_hashes_split_as_words_does_and_hash_each_word(text):
    assert word_hashes(text).tolist() == [polynomial(w) for w in words(text)]


def run_clean(*args, capsys) -> list[dict]:
    code = main(["clean", "--no-progress", "-q", *map(str, args)])
    assert code == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_two_seeds_share_one_story_and_neither_duplicates_the_other(capsys):
    own, wire = run_clean(SEEDS / "000_deef46564a097fc2.txt", SEEDS / "004_efbc13fa41935e45.txt", capsys=capsys)
    assert own["duplicate_of"] is None and wire["duplicate_of"] is None
    assert own["story"] == wire["story"] == own["id"]


def test_clean_links_copies_within_its_run_in_input_order_and_with_jobs(tmp_path, wire, capsys):
    for name, text in (("1-wire.txt", wire), ("2-copy.txt", retitled(trimmed(wire))), ("3-storm.txt", storm(0)),
                       ("4-storm.txt", storm(1))):
        (tmp_path / name).write_text(text, encoding="utf-8")
    one = run_clean(tmp_path, capsys=capsys)
    assert [r["duplicate_of"] for r in one] == [None, one[0]["id"], None, None]
    assert [r["story"] for r in one] == [one[0]["id"], one[0]["id"], one[2]["id"], one[3]["id"]]
    assert run_clean(tmp_path, "--jobs", "2", capsys=capsys) == one


def test_clean_with_a_store_links_to_the_stores_articles_and_leaves_it_as_it_was(tmp_path, wire, capsys):
    store = tmp_path / "s.db"
    with Store(store) as opened:
        rec = {"id": "x", "url": "https://a.example/1", "text": wire, "content_hash": "h", "flags": []}
        opened.save_article(rec, rec["url"], fingerprint=fingerprint(wire))
    before = store.read_bytes()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "copy.txt").write_text(edited(wire), encoding="utf-8")
    [copy] = run_clean(tmp_path / "in", "--store", store, capsys=capsys)
    assert copy["duplicate_of"] == rec["story"] and copy["story"] == rec["story"]
    assert store.read_bytes() == before


def test_explain_says_what_a_copy_duplicates_and_why(tmp_path, wire, capsys):
    (tmp_path / "a.txt").write_text(wire, encoding="utf-8")
    (tmp_path / "b.txt").write_text(retitled(trimmed(wire)), encoding="utf-8")
    assert main(["explain", "--color", "never", str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]) == 0
    out = capsys.readouterr().out
    assert "duplicate of: - (an original)" in out
    line = next(ln for ln in out.splitlines() if ln.startswith("duplicate of: ") and "a.txt" in ln)
    assert "estimated similarity 0." in line

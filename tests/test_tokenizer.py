import random

from microgpt.data import load_docs
from microgpt.tokenizer import Tokenizer


def test_vocabulary_of_the_dataset(names_path):
    tokenizer = Tokenizer(load_docs(random.Random(42)))
    assert "".join(tokenizer.uchars) == "abcdefghijklmnopqrstuvwxyz"
    assert tokenizer.BOS == 26
    assert tokenizer.vocab_size == 27


def test_encode_wraps_in_bos_and_decode_inverts():
    tokenizer = Tokenizer(["abcdefghijklmnopqrstuvwxyz"])
    assert tokenizer.encode("ava") == [26, 0, 21, 0, 26]
    assert tokenizer.decode([0, 21, 0]) == "ava"
    assert [tokenizer.label(t) for t in tokenizer.encode("ava")] == ["BOS", "a", "v", "a", "BOS"]

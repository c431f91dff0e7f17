"""The tokenizer: one token per character, plus a special BOS token.

Token ids 0..25 are the letters a..z in sorted order. The next id (26) is BOS,
"beginning of sequence", which marks both ends of every name.
"""


# --8<-- [start:tokenizer]
class Tokenizer:
    def __init__(self, docs):
        self.uchars = sorted(set("".join(docs)))  # every character: a..z
        self.BOS = len(self.uchars)               # the id after the last one
        self.vocab_size = len(self.uchars) + 1    # the characters, plus BOS

    def encode(self, doc):
        """A name becomes its character ids, wrapped in BOS on both sides."""
        return [self.BOS] + [self.uchars.index(ch) for ch in doc] + [self.BOS]

    def decode(self, token_ids):
        return "".join(self.uchars[token_id] for token_id in token_ids)
# --8<-- [end:tokenizer]

    def label(self, token_id):
        """How the guide writes a token: its character, or BOS."""
        return "BOS" if token_id == self.BOS else self.uchars[token_id]

"""FarmHash Fingerprint64 against the reference library's values (fixtures/farmhash_references.json)."""
import json
import os

import pytest

from neuroflow.utils.farmhash import fingerprint64

with open(os.path.join(os.path.dirname(__file__), "fixtures", "farmhash_references.json"), encoding="utf-8") as f:
    REFERENCES = json.load(f)


@pytest.mark.parametrize("text, expected", REFERENCES, ids=[f"len{len(t.encode())}" for t, _ in REFERENCES])
def test_matches_reference(text, expected):
    assert fingerprint64(text) == int(expected)
    assert fingerprint64(text.encode("utf-8")) == int(expected)

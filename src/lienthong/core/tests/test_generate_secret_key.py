from io import StringIO

from django.core.management import call_command


def test_generate_secret_key_prints_a_fresh_long_key():
    """GIVEN two runs THEN each prints a different key long enough for the deploy check."""
    keys = []
    for _ in range(2):
        out = StringIO()
        call_command("generate_secret_key", stdout=out)
        keys.append(out.getvalue().strip())
    assert keys[0] != keys[1]
    assert all(len(k) >= 50 and len(set(k)) > 20 for k in keys)

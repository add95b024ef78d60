"""Tools from outside Python that some tests need (Java, npm packages, poppler).

A missing tool skips the test with the reason, except under CI=true, where it fails:
CI must run every test.
"""

import os

import pytest


def require(available: object, message: str) -> None:
    """Skip (or under CI=true fail) with ``message`` unless ``available`` is truthy."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)

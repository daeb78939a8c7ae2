"""The casework personas and helpers, for the attack tests."""

from tests.casework.conftest import *  # noqa: F403

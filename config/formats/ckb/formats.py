"""Sanad's formats for Sorani: the same as Arabic's (right-to-left, Western
digits, the Arabic comma between date and time; see config.formats)."""

from config.formats.ar.formats import *  # noqa: F403

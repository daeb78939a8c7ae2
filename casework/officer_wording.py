"""Which grammatical form names the officer of a case.

Arabic marks the officer's sex («ضابط» / «ضابطة»). A woman who asked for a
female officer must never read «ضابط» about the person who will handle her
report, and the console must not label a female officer's message as a man's.
Callers pick between separate catalogue entries (``pgettext`` context
"female officer", written as a literal so xgettext extracts it) with these helpers; they never build words from pieces.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

OFFICER = _("Officer")
OFFICER_WOMAN = _("Officer (woman)")


def case_speaks_of_a_woman(case) -> bool:
    """True when the officer of `case` is, or is going to be, a woman.

    The assigned officer decides; before assignment the victim's request does
    (such a case can only ever be given to a woman).
    """
    officer = case.assigned_officer if case.assigned_officer_id else None
    if officer is not None:
        return officer.is_female
    return bool(case.wants_female_officer)


def officer_label(officer) -> str:
    """ "Officer" or "Officer (woman)" for the author of a message."""
    if officer is not None and officer.is_female:
        return OFFICER_WOMAN
    return OFFICER

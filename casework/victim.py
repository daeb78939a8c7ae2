"""What a victim may still do on a filed case, and how its state is told to them.

One check for every victim action (message, evidence, StopNCII / Take It Down
number, feedback): a withdrawn or closed report takes no more input, whatever
page or request asks. Templates may hide the forms; the refusal lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Case
from casework.officer_wording import case_speaks_of_a_woman

# Withdrawn: the victim ended it. Closed: the police finished it. A resolved
# case still listens, in case the threats come back before it is closed.
STATUSES_REFUSING_VICTIM_INPUT = frozenset({Case.Status.WITHDRAWN, Case.Status.CLOSED})

REPORT_WITHDRAWN = _(
    "You withdrew this report, so nothing more can be added to it. "
    "If you need help, call 497 or 131, or send a new report."
)
REPORT_CLOSED = _(
    "This report is closed, so nothing more can be added to it. "
    "If you need help, call 497 or 131, or send a new report."
)


def case_require_victim_input_accepted(*, case: Case) -> None:
    """Refuse (``case_withdrawn`` / ``case_closed``) any victim input to a
    report that is withdrawn or closed.

    Callers pass a case read inside their own transaction (locked where they
    write to it), so a withdrawal that lands first is seen.
    """
    if case.status == Case.Status.WITHDRAWN:
        raise ValidationError(REPORT_WITHDRAWN, code="case_withdrawn")
    if case.status == Case.Status.CLOSED:
        raise ValidationError(REPORT_CLOSED, code="case_closed")


def case_accepts_victim_input(case: Case) -> bool:
    return case.status not in STATUSES_REFUSING_VICTIM_INPUT


# --- the state of a case, in the victim's words --------------------------------------

WAITING_TITLE = pgettext_lazy("victim status", "Received — waiting for an officer")
WAITING_TEXT = _(
    "Your report arrived safely and is waiting for an officer to be given it. "
    "If you are in danger now, call 497 or 131."
)
WAITING_FEMALE_TITLE = pgettext_lazy("victim status", "Received — waiting for a female officer")
WAITING_FEMALE_TEXT = _(
    "Your report arrived safely. As you asked, only a female officer will be given it, "
    "and it is waiting for one. If you are in danger now, call 497 or 131."
)
WITH_OFFICER_TITLE = pgettext_lazy("victim status", "With an officer")
WITH_OFFICER_TEXT = _(
    "An officer has been given your case and will contact you in the way you chose."
)
# Where Arabic must say «ضابطة»: the victim asked for a woman, or a woman has it
# (casework.officer_wording).
WITH_OFFICER_TITLE_FEMALE = pgettext_lazy("victim status, female officer", "With an officer")
WITH_OFFICER_TEXT_FEMALE = pgettext_lazy(
    "female officer",
    "An officer has been given your case and will contact you in the way you chose.",
)

# What each later status means, in words for the person who reported.
STATUS_EXPLAINED = {
    Case.Status.IN_CONTACT: _("An officer is working on your case with you."),
    Case.Status.ACCOUNTS_SECURED: _(
        "Your accounts have been secured. The officer is working on the rest."
    ),
    Case.Status.SUSPECT_IDENTIFIED: _("The police have identified the person threatening you."),
    Case.Status.REFERRED_TO_COURT: _("Your case has been sent to the court."),
    Case.Status.RESOLVED: _("Your case has been resolved."),
    Case.Status.CLOSED: _("Your case is closed."),
    Case.Status.WITHDRAWN: _("You withdrew this report."),
}
STATUS_EXPLAINED_FEMALE_OFFICER = {
    Case.Status.IN_CONTACT: pgettext_lazy(
        "female officer", "An officer is working on your case with you."
    ),
    Case.Status.ACCOUNTS_SECURED: pgettext_lazy(
        "female officer",
        "Your accounts have been secured. The officer is working on the rest.",
    ),
}
# Before anyone works it, a case is "new", "triaged" or "assigned": the victim
# is told whether a person has it yet, not the console's word for the step.
BEFORE_WORK = frozenset({Case.Status.NEW, Case.Status.TRIAGED, Case.Status.ASSIGNED})


@dataclass(frozen=True)
class VictimStatus:
    title: str
    text: str


def case_status_for_victim(case: Case) -> VictimStatus:
    """Where the case is, honestly and briefly, for the person who reported it.

    A case nobody has been given yet says so ("Received — waiting for an
    officer"), instead of "New" for as long as it waits; once an officer has
    it, a neutral "With an officer" (no name, no sex).
    """
    woman = case_speaks_of_a_woman(case)
    if case.status in BEFORE_WORK:
        if case.assigned_officer_id is not None:
            if woman:
                return VictimStatus(str(WITH_OFFICER_TITLE_FEMALE), str(WITH_OFFICER_TEXT_FEMALE))
            return VictimStatus(str(WITH_OFFICER_TITLE), str(WITH_OFFICER_TEXT))
        if case.wants_female_officer:
            return VictimStatus(str(WAITING_FEMALE_TITLE), str(WAITING_FEMALE_TEXT))
        return VictimStatus(str(WAITING_TITLE), str(WAITING_TEXT))
    explained = STATUS_EXPLAINED_FEMALE_OFFICER if woman else {}
    text = explained.get(case.status) or STATUS_EXPLAINED.get(case.status, "")
    return VictimStatus(case.get_status_display(), str(text))

"""Month names as people in Iraq write them, overriding Django's catalogues.

Django's Arabic uses the Egyptian names (يناير، فبراير) and its Sorani the
Iranian solar months (ڕێبەندان), neither of which an Iraqi reader expects.
Listing the msgids here puts them in Sanad's own catalogues, which Django reads
before its own (LOCALE_PATHS), so every date filter picks the Iraqi names.
Nothing imports these values; they exist for extraction.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

MONTH_NAMES = [
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
]
MONTH_NAMES_ALT = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]
# Django's default date-time format (N) uses these.
MONTH_NAMES_ABBREVIATED = [
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
]

# The "M" date format (chart axes) uses these lower-case keys; Django's Arabic
# gives يناير / إبريل for them.
MONTH_NAMES_3 = [
    _("jan"),
    _("feb"),
    _("mar"),
    _("apr"),
    _("may"),
    _("jun"),
    _("jul"),
    _("aug"),
    _("sep"),
    _("oct"),
    _("nov"),
    _("dec"),
]

# (ar, ckb) for each month, for translators and the catalogue test.
IRAQI_MONTHS = [
    ("كانون الثاني", "کانوونی دووەم"),
    ("شباط", "شوبات"),
    ("آذار", "ئازار"),
    ("نيسان", "نیسان"),
    ("أيار", "ئایار"),
    ("حزيران", "حوزەیران"),
    ("تموز", "تەممووز"),
    ("آب", "ئاب"),
    ("أيلول", "ئەیلوول"),
    ("تشرين الأول", "تشرینی یەکەم"),
    ("تشرين الثاني", "تشرینی دووەم"),
    ("كانون الأول", "کانوونی یەکەم"),
]

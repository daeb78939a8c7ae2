"""Strings Django's admin shows in the console that its Sorani catalogue lacks.

Listing them here puts them in Sanad's own catalogues (read before Django's),
where they are translated for ckb; the Arabic entries repeat Django's own.
Nothing imports these values; they exist for extraction.
"""

from django.utils.translation import gettext_lazy as _

ADMIN_STRINGS_MISSING_IN_DJANGO_CKB = [
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("After you’ve created a user, you’ll be able to edit more user options."),
    _("Error:"),
    _("Forgotten your login credentials?"),
    _("In case you’ve forgotten, you are:"),
    _("%(model)s instance with %(field)s %(value)r is not a valid choice."),
]

# Object history ("Changed Sex and Role.") names each field by its verbose
# name as stored in English, capitalised, and translates it only when shown:
# these are the capitalised names of the fields the console's forms edit.
HISTORY_FIELD_NAMES = [
    _("Sex"),
    _("Role"),
    _("Service"),
    _("Governorate"),
    _("Number"),
    _("Label"),
    _("When to call"),
    _("Order"),
    _("Shown"),
]

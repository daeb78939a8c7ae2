"""Django's own password strings, so the console uses one Sorani word for password.

Django's Sorani catalogue says «تێپەڕەوشە»; Sanad says «وشەی نهێنی» everywhere.
Listing the msgids here puts them in Sanad's catalogues (read before Django's),
where the ckb entries use the project's word and the ar entries repeat Django's.
Nothing imports these values; they exist for extraction. Only strings the console
can show are listed: the password-change page and the password validators.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

PASSWORD_STRINGS = [
    _("Change password"),
    _("Password change"),
    _("Your password was changed."),
    _(
        "Please enter your old password, for security’s sake, and then enter your new password twice so we can verify you typed it in correctly."
    ),
    _("Change my password"),
    _("Password changed successfully."),
    _("Change password: %s"),
    _("password"),
    _("The two password fields didn’t match."),
    _("Password"),
    _("Password confirmation"),
    _("Enter the same password as before, for verification."),
    _("New password"),
    _("New password confirmation"),
    _("Your old password was entered incorrectly. Please enter it again."),
    _("Old password"),
    ngettext_lazy(
        "This password is too short. It must contain at least %(min_length)d character.",
        "This password is too short. It must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    _("The password is too similar to the %(verbose_name)s."),
    _("Your password can’t be too similar to your other personal information."),
    _("This password is too common."),
    _("Your password can’t be a commonly used password."),
    _("This password is entirely numeric."),
    _("Your password can’t be entirely numeric."),
    _("Password change successful"),
]

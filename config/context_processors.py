from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from casework.hotlines import help_numbers_for

    return {
        "QUICK_EXIT_URL": settings.SANAD_QUICK_EXIT_URL,
        # The federal help numbers; read only by pages that show them. A page
        # that knows the victim's governorate passes its own `help_numbers`.
        "HELP_NUMBERS": SimpleLazyObject(help_numbers_for),
    }

from modeltranslation.translator import TranslationOptions, register

from reporting.models import AdvicePage


@register(AdvicePage)
class AdvicePageTranslation(TranslationOptions):
    fields = ("title", "summary", "body")

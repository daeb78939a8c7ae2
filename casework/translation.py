from modeltranslation.translator import TranslationOptions, register

from casework.models import Category, Governorate, HelpNumber, Unit


@register(Governorate)
class GovernorateTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")


@register(HelpNumber)
class HelpNumberTranslation(TranslationOptions):
    fields = ("label", "when_to_call")

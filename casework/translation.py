from modeltranslation.translator import TranslationOptions, register

from casework.models import Category, Governorate, Unit


@register(Governorate)
class GovernorateTranslation(TranslationOptions):
    fields = ("name",)


@register(Unit)
class UnitTranslation(TranslationOptions):
    fields = ("name",)


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name", "description")

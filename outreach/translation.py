from modeltranslation.translator import TranslationOptions, register

from outreach.models import Topic


@register(Topic)
class TopicTranslation(TranslationOptions):
    fields = ("name",)

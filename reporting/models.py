"""The public side's own state: drafts of reports, and advice pages."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportDraft(models.Model):
    """A report being written, step by step, on the server.

    ``uuid`` becomes the case's uuid at filing, so everything written here,
    answers and evidence alike, is already encrypted for that case. Answers are
    one encrypted JSON document; nothing readable sits in this table.
    """

    wrapped_key_owner_field = "uuid"
    wrapped_key_sample = ("answers_enc", "draft/answers")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wrapped_key = models.BinaryField(editable=False)
    answers_enc = models.BinaryField(null=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")

    def __str__(self) -> str:
        return f"draft #{self.pk}"


class FiledReceipt(models.Model):
    """The receipt of a report just filed, kept a few minutes to be shown again.

    A refresh, a second press of "Send" or a revisit from the same browser
    shows the same receipt instead of an error. The secret code is here only
    sealed with a key that this table does not hold: half of it lives in a
    cookie of the browser that filed (``reporting.filing``). The row goes
    when the window ends (``purge_expired``) or once the code has been typed
    back correctly.
    """

    case = models.OneToOneField(
        "casework.Case", on_delete=models.CASCADE, related_name="+", editable=False
    )
    sealed_code = models.BinaryField(editable=False)
    show_until = models.DateTimeField(db_index=True, editable=False)

    class Meta:
        verbose_name = _("receipt being shown")
        verbose_name_plural = _("receipts being shown")

    def __str__(self) -> str:
        return f"receipt #{self.pk}"


class AdvicePage(models.Model):
    """Safety advice for victims, edited in the console and translated."""

    slug = models.SlugField(_("address"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=160)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Plain text. Separate paragraphs with an empty line; start a line with - for a list."
        ),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["sort_order", "slug"]
        verbose_name = _("advice page")
        verbose_name_plural = _("advice pages")

    def __str__(self) -> str:
        return self.title or self.slug

"""Yes / no / preferred not to say / not answered, kept apart.

The four yes-or-no answers were booleans, so "preferred not to say" and a
skipped question were stored as False and shown as "No". Before this
migration False meant "no, not said or not answered" and nothing records
which: it becomes "not answered", so an officer asks again rather than
reading a "No" the victim may never have given. True stays "yes".
"""

from django.db import migrations, models


OLD_TO_NEW = {
    "is_minor": "minor_answer",
    "self_harm_risk": "self_harm_answer",
    "money_demanded": "money_demanded_answer",
    "money_paid": "money_paid_answer",
}


def booleans_to_answers(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    for old, new in OLD_TO_NEW.items():
        Case.objects.filter(**{old: True}).update(**{new: "yes"})


def answers_to_booleans(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    for old, new in OLD_TO_NEW.items():
        Case.objects.filter(**{new: "yes"}).update(**{old: True})


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0006_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="minor_answer",
            field=models.CharField(
                choices=[
                    ("yes", "Yes"),
                    ("no", "No"),
                    ("prefer_not", "Preferred not to say"),
                    ("unanswered", "Not answered"),
                ],
                default="unanswered",
                max_length=12,
                verbose_name="under 18",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="money_demanded_answer",
            field=models.CharField(
                choices=[
                    ("yes", "Yes"),
                    ("no", "No"),
                    ("prefer_not", "Preferred not to say"),
                    ("unanswered", "Not answered"),
                ],
                default="unanswered",
                max_length=12,
                verbose_name="money demanded",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="money_paid_answer",
            field=models.CharField(
                choices=[
                    ("yes", "Yes"),
                    ("no", "No"),
                    ("prefer_not", "Preferred not to say"),
                    ("unanswered", "Not answered"),
                ],
                default="unanswered",
                max_length=12,
                verbose_name="money paid",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="self_harm_answer",
            field=models.CharField(
                choices=[
                    ("yes", "Yes"),
                    ("no", "No"),
                    ("prefer_not", "Preferred not to say"),
                    ("unanswered", "Not answered"),
                ],
                default="unanswered",
                max_length=12,
                verbose_name="risk of self-harm",
            ),
        ),
        migrations.RunPython(booleans_to_answers, answers_to_booleans),
        migrations.RemoveField(
            model_name="case",
            name="is_minor",
        ),
        migrations.RemoveField(
            model_name="case",
            name="money_demanded",
        ),
        migrations.RemoveField(
            model_name="case",
            name="money_paid",
        ),
        migrations.RemoveField(
            model_name="case",
            name="self_harm_risk",
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("casework.case.filed", "Case filed"),
                    ("casework.case.viewed", "Case viewed"),
                    ("casework.case.revealed", "Case details revealed"),
                    ("casework.case.assigned", "Case assigned"),
                    ("casework.case.assign_refused", "Assignment refused"),
                    ("casework.case.awaiting_officer", "Case awaiting officer"),
                    ("casework.case.status_changed", "Status changed"),
                    ("casework.case.withdrawn", "Report withdrawn"),
                    ("casework.case.note_added", "Note added"),
                    ("casework.case.exported", "Export"),
                    ("casework.evidence.added", "Evidence added"),
                    ("casework.evidence.opened", "Evidence opened"),
                    ("casework.message.sent", "Message sent"),
                    ("reporting.followup.login", "Victim follow-up login"),
                    ("reporting.followup.lockout", "Follow-up lockout"),
                    ("casework.staff.login", "Staff login"),
                    ("casework.staff.lockout", "Staff lockout"),
                    ("casework.keys.rotated", "Keys rotated"),
                    ("casework.checklist.ticked", "Checklist action recorded"),
                    ("casework.feedback.received", "Feedback from the victim"),
                    ("reporting.draft.purged", "Expired report drafts deleted"),
                ],
                editable=False,
                max_length=64,
            ),
        ),
    ]

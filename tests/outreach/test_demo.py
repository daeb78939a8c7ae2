import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from outreach.demo import karbala_campaign_months
from outreach.models import AwarenessSession, Topic
from outreach.selectors import add_months, iraq_today, month_end


@pytest.fixture(autouse=True)
def _development_machine(settings):
    # seed_demo refuses to run without SANAD_DEBUG (tests/security/test_demo_secrets.py).
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo__tells_the_karbala_story_and_is_idempotent():
    call_command("seed_demo", "--quiet-logins", "--without-history")
    count = AwarenessSession.objects.count()
    call_command("seed_demo", "--quiet-logins", "--without-history")

    assert AwarenessSession.objects.count() == count
    first, last = karbala_campaign_months()
    karbala = AwarenessSession.objects.filter(governorate__code="karbala")
    campaign = karbala.filter(held_on__gte=first, held_on__lte=month_end(last))
    before = karbala.filter(held_on__lt=first, held_on__gte=add_months(first, -12))
    assert campaign.count() == 180
    venues = dict(campaign.values_list("venue_type").annotate(n=Count("id")))
    assert {"school", "university", "womens_forum"} <= set(venues)
    assert venues["school"] > venues["university"] > 0
    assert before.count() < 15
    # Other governorates tell a quieter story.
    per_governorate = dict(
        AwarenessSession.objects.values_list("governorate__code").annotate(n=Count("id"))
    )
    assert set(per_governorate) == {"karbala", "baghdad", "erbil", "najaf", "basra"}
    assert all(
        n < per_governorate["karbala"] for code, n in per_governorate.items() if code != "karbala"
    )
    # Every session obeyed the service's rules.
    assert not AwarenessSession.objects.filter(held_on__gt=iraq_today()).exists()
    assert AwarenessSession.objects.aggregate(n=Sum("audience_female"))["n"] > 0
    assert Topic.objects.count() == 7
    assert not Topic.objects.filter(name_ckb__isnull=True).exists()

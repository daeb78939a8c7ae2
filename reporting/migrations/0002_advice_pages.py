from django.db import migrations


def install_advice_pages(apps, schema_editor):
    from reporting.advice_content import ADVICE_PAGES

    AdvicePage = apps.get_model("reporting", "AdvicePage")
    for order, page in enumerate(ADVICE_PAGES):
        defaults = {"sort_order": order, "is_published": True}
        for lang in ("ar", "ckb", "en"):
            defaults[f"title_{lang}"] = page["title"][lang]
            defaults[f"summary_{lang}"] = page["summary"][lang]
            defaults[f"body_{lang}"] = page["body"][lang]
        defaults["title"] = page["title"]["ar"]
        defaults["summary"] = page["summary"]["ar"]
        defaults["body"] = page["body"]["ar"]
        AdvicePage.objects.update_or_create(slug=page["slug"], defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(install_advice_pages, migrations.RunPython.noop)]

"""Fuzzing every public form with hypothesis: whatever a visitor (or a script)
sends — control characters, NUL bytes, right-to-left marks, huge or empty
values, unknown choices, repeated keys — the answer is never a server error.
Each example uses a fresh client, so the draft and throttles start clean."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

hostile_text = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\u202e\u202dSND-0000",
            "٠١٢٣٤٥٦٧٨٩" * 3,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%(name)s {{ x }} {% y %}",
            "x" * 20_000,
            "",
            " ",
        ]
    ),
)

FORMS = {
    "report/what/": ["category", "platform", "narrative"],
    "report/blackmailer/": ["knows_blackmailer", "identifiers"],
    "report/threat/": ["deadline", "demands", "money_demanded", "money_paid", "amount_paid"],
    "report/safety/": ["is_minor", "self_harm", "device_shared"],
    "report/contact/": [
        "contact_method",
        "phone",
        "safe_hours",
        "contact_rules",
        "name",
        "governorate",
        "female_officer",
    ],
    "report/receipt/check/": ["passphrase_shown", "passphrase_typed"],
    "follow-up/": ["reference", "passphrase"],
}


@pytest.mark.parametrize("path", sorted(FORMS))
def test_fuzz__public_forms_never_answer_with_a_server_error(path, reference_data):
    fields = FORMS[path]

    @FUZZ
    @given(
        lang=st.sampled_from(["ar", "ckb", "en"]),
        values=st.fixed_dictionaries({name: hostile_text for name in fields}),
        repeated=st.booleans(),
    )
    def run(lang, values, repeated):
        client = Client()
        data = {name: [value, value] if repeated else value for name, value in values.items()}
        response = client.post(f"/{lang}/{path}", {**data, "next": "1"})
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code == 200 or response.status_code == 400:
            assert response["Content-Type"].startswith("text/html")

    run()


def test_fuzz__review_and_send_on_a_fuzzed_draft_never_answer_with_a_server_error(
    reference_data,
):
    @FUZZ
    @given(narrative=hostile_text, identifiers=hostile_text, name=hostile_text)
    def run(narrative, identifiers, name):
        client = Client()
        client.post("/en/report/what/", {"category": "other", "narrative": narrative, "next": "1"})
        client.post(
            "/en/report/blackmailer/",
            {"knows_blackmailer": "yes", "identifiers": identifiers, "next": "1"},
        )
        client.post(
            "/en/report/contact/",
            {"contact_method": "messages_only", "name": name, "governorate": "x", "next": "1"},
        )
        assert client.get("/en/report/check/").status_code < 500
        assert client.post("/en/report/send/").status_code < 500

    run()

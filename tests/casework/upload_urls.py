"""A test-only view that installs the encrypting handler the documented way."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from casework.evidence import evidence_store
from casework.uploads import EncryptingUploadHandler
from config import urls as project_urls
from config.csrf import csrf_protect

# The test puts the sealer here; a real view builds it from the case or draft.
SEALERS: dict = {}


@csrf_exempt
def evidence_add(request):
    sealer = SEALERS["current"]
    request.upload_handlers = [EncryptingUploadHandler(request, sealer=sealer)]
    return _evidence_add(request, sealer)


@csrf_protect
def _evidence_add(request, sealer):
    stored, refused = [], []
    for upload in request.FILES.getlist("evidence"):
        try:
            stored.append(str(evidence_store(sealer=sealer, upload=upload).uuid))
        except ValidationError as error:
            refused.append(error.code)
    return JsonResponse(
        {
            "stored": stored,
            "refused": refused,
            "note": request.POST.get("note", ""),
            "handlers": [type(handler).__name__ for handler in request.upload_handlers],
        }
    )


def token(request):
    return JsonResponse({"token": get_token(request)})


# The project's own URLs too: the CSRF failure page links to them.
urlpatterns = [
    path("evidence/", evidence_add),
    path("token/", token),
    *project_urls.urlpatterns,
]

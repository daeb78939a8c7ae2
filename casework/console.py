"""The caseworker console: Django's admin at /<lang>/console/, behind two-factor.

Every view of this site requires a user who is active, staff, has a staff
profile, and has verified a django-otp device in this session. What each role
may see is decided in casework.selectors, never here.

The login is Sanad's own (``casework.auth``), in two steps:

- ``console:login``         username + password -> a password-only session
- ``console:login_verify``  six-digit code or backup code -> verified
- ``console:enrol``         first login without a device: authenticator + backup codes
- ``console:logout``        POST only; works for password-only sessions too
- ``console:backup_codes``  (verified) replace one's backup codes

A password-only session reaches nothing but these pages: every other URL of
the site goes through ``admin_view`` and so ``has_permission``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth import logout as django_logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from casework import auth, enrolment, staffing
from casework.models import StaffProfile

LOGGED_OUT = _("You have logged out.")
USERNAME_TAKEN = _("This username is already taken.")
PASSWORD_REQUIRED = _("Please choose an initial password.")
PASSWORDS_DIFFER = _("The two passwords differ.")
DEACTIVATED = _("Deactivated: %(count)s.")
TWO_FACTOR_RESET = _("Two-factor reset: %(count)s.")
QR_LABEL = _("QR code for your authenticator app")
UNIT_HELP = _(
    "A supervisor with no unit works the national intake queue: the cases no "
    "unit supervisor is placed to see."
)


class ConsoleLoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=auth.MAX_USERNAME_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
                "dir": "ltr",
            }
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=auth.MAX_PASSWORD_INPUT,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "dir": "ltr"}),
    )


class ConsoleCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=auth.MAX_CODE_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "dir": "ltr",
            }
        ),
    )


class ConsoleTotpForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=auth.MAX_CODE_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "dir": "ltr",
            }
        ),
    )


class ConsoleEnrolmentCodeForm(forms.Form):
    enrolment_code = forms.CharField(
        label=_("Enrolment code"),
        max_length=enrolment.MAX_ENROLMENT_CODE_INPUT,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "autofocus": True,
                "dir": "ltr",
            }
        ),
    )


class ConsoleSite(AdminSite):
    site_header = _("Sanad console")
    site_title = _("Sanad console")
    index_title = _("Casework")
    site_url = None
    enable_nav_sidebar = False
    final_catch_all_view = False

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and hasattr(user, "staff_profile")
            and user.is_verified()
            and not auth.staff_session_is_stale_demo(request)
        )

    def get_urls(self):
        # Ours first; the stock login and logout (which demand a verified
        # session, or use the one-step django-otp form) are dropped.
        own = [
            path("login/", self.login, name="login"),
            path("login/verify/", self.login_verify, name="login_verify"),
            path("enrol/", self.enrol, name="enrol"),
            path("logout/", self.logout, name="logout"),
            path("backup-codes/", self.admin_view(self.backup_codes), name="backup_codes"),
        ]
        # "view_on_site" (/r/<content type>/<id>/) would tell anyone logged in
        # whether a case id exists, outside every scope rule: not served.
        names = {pattern.name for pattern in own} | {"view_on_site"}
        return own + [p for p in super().get_urls() if getattr(p, "name", None) not in names]

    # --- helpers ---------------------------------------------------------------

    def _url(self, name: str) -> str:
        return reverse(f"{self.name}:{name}", current_app=self.name)

    def _next_url(self, request: HttpRequest) -> str:
        candidate = request.POST.get("next") or request.GET.get("next") or ""
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return self._url("index")

    def _with_next(self, name: str, next_url: str) -> HttpResponseRedirect:
        url = self._url(name)
        if next_url and next_url != self._url("index"):
            url = f"{url}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(url)

    def _second_step(self, request: HttpRequest, next_url: str) -> HttpResponseRedirect:
        name = "login_verify" if auth.staff_has_confirmed_device(request.user) else "enrol"
        return self._with_next(name, next_url)

    def _auth_page(self, request: HttpRequest, template: str, **context) -> TemplateResponse:
        """Pages of a session that is not (yet) verified: nothing of the
        console's content is in their context, not even the app list."""
        request.current_app = self.name
        base = {
            "site_title": self.site_title,
            "site_header": self.site_header,
            "site_url": self.site_url,
            "has_permission": False,
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
            "available_apps": [],
        }
        return TemplateResponse(request, template, {**base, **context})

    def _left_second_step(self, request: HttpRequest, next_url: str) -> HttpResponse | None:
        """Where a request that is not a live password-only session goes instead."""
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        was_logged_in = request.user.is_authenticated
        if not auth.staff_awaiting_second_step(request):
            if was_logged_in and not request.user.is_authenticated:
                messages.info(request, auth.SECOND_STEP_EXPIRED)
            return self._with_next("login", next_url)
        return None

    # --- views -----------------------------------------------------------------

    @method_decorator(sensitive_post_parameters("password"))
    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Step one: username and password."""
        request.current_app = self.name
        next_url = self._next_url(request)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if request.method != "POST" and auth.staff_awaiting_second_step(request):
            return self._second_step(request, next_url)
        form = ConsoleLoginForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            result = auth.staff_login_password(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
            if result.ok:
                return self._second_step(request, next_url)
            form.add_error(None, result.message)
        return self._auth_page(
            request, "console/login.html", title=_("Log in"), form=form, next=next_url
        )

    @method_decorator(sensitive_post_parameters("code"))
    @method_decorator(never_cache)
    def login_verify(self, request: HttpRequest) -> HttpResponse:
        """Step two: a code from the authenticator, or a backup code."""
        next_url = self._next_url(request)
        elsewhere = self._left_second_step(request, next_url)
        if elsewhere is not None:
            return elsewhere
        if not auth.staff_has_confirmed_device(request.user):
            return self._with_next("enrol", next_url)
        form = ConsoleCodeForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            result = auth.staff_login_code(request=request, code=form.cleaned_data["code"])
            if result.ok:
                if result.method == "backup_code":
                    remaining = auth.staff_backup_codes_remaining(user=result.user)
                    messages.warning(
                        request,
                        ngettext(
                            "You used a backup code. %(count)s backup code is left; "
                            "you can make new ones under “Backup codes”.",
                            "You used a backup code. %(count)s backup codes are left; "
                            "you can make new ones under “Backup codes”.",
                            remaining,
                        )
                        % {"count": remaining},
                    )
                return HttpResponseRedirect(next_url)
            form.add_error(None, result.message)
        return self._auth_page(
            request,
            "console/login_verify.html",
            title=_("Two-factor authentication"),
            form=form,
            next=next_url,
        )

    @method_decorator(sensitive_post_parameters("code", "enrolment_code"))
    @method_decorator(never_cache)
    def enrol(self, request: HttpRequest) -> HttpResponse:
        """First login: set up an authenticator, then show the backup codes once."""
        next_url = self._next_url(request)
        elsewhere = self._left_second_step(request, next_url)
        if elsewhere is not None:
            return elsewhere
        if auth.staff_has_confirmed_device(request.user):
            # Enrolled already: the secret is never shown again.
            return self._with_next("login_verify", next_url)
        device = enrolment.staff_enrolment_device(request=request)
        if device is None:
            return self._enrolment_code(request, next_url)
        form = ConsoleTotpForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            result = enrolment.staff_enrolment_confirm(
                request=request, code=form.cleaned_data["code"]
            )
            if result.ok:
                return TemplateResponse(
                    request,
                    "console/backup_codes.html",
                    {
                        **self.each_context(request),
                        "title": _("Your backup codes"),
                        "codes": result.backup_codes,
                        "next": next_url,
                        "enrolled": True,
                    },
                )
            form.add_error(None, result.message)
        return self._auth_page(
            request,
            "console/enrol.html",
            title=_("Set up two-factor authentication"),
            form=form,
            next=next_url,
            qr_svg=auth.totp_qr_svg(device, label=str(QR_LABEL)),
            secret=auth.totp_secret_display(device),
        )

    def _enrolment_code(self, request: HttpRequest, next_url: str) -> HttpResponse:
        """Before any secret is shown: the enrolment code an administrator issued."""
        form = ConsoleEnrolmentCodeForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            result = enrolment.staff_enrolment_redeem(
                request=request, code=form.cleaned_data["enrolment_code"]
            )
            if result.ok:
                return self._with_next("enrol", next_url)
            form.add_error(None, result.message)
        return self._auth_page(
            request,
            "console/enrol_code.html",
            title=_("Set up two-factor authentication"),
            form=form,
            next=next_url,
        )

    @method_decorator(never_cache)
    @method_decorator(require_POST)
    def logout(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """POST only (a link or an image cannot log anyone out); any session."""
        django_logout(request)
        messages.info(request, LOGGED_OUT)
        return HttpResponseRedirect(self._url("login"))

    @method_decorator(sensitive_post_parameters("code"))
    def backup_codes(self, request: HttpRequest) -> HttpResponse:
        """Replace one's backup codes; needs a fresh code from the authenticator."""
        form = ConsoleTotpForm(request.POST if request.method == "POST" else None)
        context = {**self.each_context(request), "title": _("Backup codes")}
        if form.is_bound and form.is_valid():
            result = auth.staff_backup_codes_renew(request=request, code=form.cleaned_data["code"])
            if result.ok:
                return TemplateResponse(
                    request,
                    "console/backup_codes.html",
                    {**context, "codes": result.backup_codes, "next": self._url("index")},
                )
            form.add_error(None, result.message)
        context.update(
            form=form,
            remaining=auth.staff_backup_codes_remaining(user=request.user),
        )
        return TemplateResponse(request, "console/backup_codes_renew.html", context)

    @method_decorator(never_cache)
    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        # Changing the password gives the session a new key; keep the index right.
        old_key = request.session.session_key
        response = super().password_change(request, extra_context)
        if request.session.session_key != old_key:
            auth.staff_session_track(request=request, user=request.user, replaces=old_key)
        return response


console_site = ConsoleSite(name="console")


# --- staff accounts ---------------------------------------------------------------


class StaffAccountForm(forms.ModelForm):
    """A staff account and its profile in one form; saved by ``casework.staffing``.

    The username is set once. On creation an initial password is required;
    the staff member enrols their authenticator at their first login.
    """

    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Initial password"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Initial password again"),
        strip=False,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = StaffProfile
        fields = ["role", "sex", "unit", "governorates"]
        widgets = {"governorates": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].help_text = UNIT_HELP
        if self.instance.pk:
            user = self.instance.user
            self.fields["username"].initial = user.get_username()
            self.fields["username"].disabled = True
            self.fields["first_name"].initial = user.first_name
            del self.fields["password1"]
            del self.fields["password2"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if self.instance.pk:
            return self.instance.user.get_username()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(USERNAME_TAKEN, code="username_taken")
        return username

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if not first:
            self.add_error("password1", ValidationError(PASSWORD_REQUIRED, code="required"))
        elif first != second:
            self.add_error("password2", ValidationError(PASSWORDS_DIFFER, code="mismatch"))
        else:
            user = get_user_model()(
                username=cleaned.get("username", ""), first_name=cleaned.get("first_name", "")
            )
            try:
                password_validation.validate_password(first, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


@admin.register(StaffProfile, site=console_site)
class StaffProfileAdmin(admin.ModelAdmin):
    """Staff accounts. Nothing about their devices is shown but whether one exists."""

    form = StaffAccountForm
    list_display = ["username", "first_name", "role", "sex", "unit", "is_active", "two_factor"]
    list_filter = ["role", "sex", "unit", "user__is_active"]
    search_fields = ["user__username", "user__first_name"]
    list_select_related = ["user", "unit"]
    ordering = ["user__username"]
    actions = ["deactivate_selected", "reset_two_factor_selected", "issue_enrolment_code"]
    fields = [
        "username",
        "first_name",
        "password1",
        "password2",
        "role",
        "sex",
        "unit",
        "governorates",
    ]

    def get_fields(self, request, obj=None):
        if obj is not None:
            return [f for f in self.fields if f not in {"password1", "password2"}]
        return self.fields

    @admin.display(description=_("username"), ordering="user__username")
    def username(self, obj: StaffProfile) -> str:
        return obj.user.get_username()

    @admin.display(description=_("first name"))
    def first_name(self, obj: StaffProfile) -> str:
        return obj.user.first_name

    @admin.display(description=_("active"), boolean=True)
    def is_active(self, obj: StaffProfile) -> bool:
        return obj.user.is_active

    @admin.display(description=_("two-factor set up"), boolean=True)
    def two_factor(self, obj: StaffProfile) -> bool:
        return auth.staff_has_confirmed_device(obj.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Staff are deactivated, never deleted: the audit log points at them.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Nobody edits their own account, administrators included: raising
        # one's own access needs a second administrator (casework.staffing).
        if obj is not None and obj.user_id == request.user.pk:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        """Every change of sex, unit, governorates or role goes through
        ``casework.staffing``: audited, two-person rule, cases moved."""
        data = form.cleaned_data
        by = getattr(request.user, "staff_profile", None)
        if change:
            # ``obj`` already carries the form's values in memory: the service
            # compares against the stored profile, never against ``obj``.
            stored = StaffProfile.objects.select_related("user").get(pk=obj.pk)
            result = staffing.staff_profile_change(
                profile=stored,
                by=by,
                sex=data["sex"],
                unit=data.get("unit"),
                governorates=data.get("governorates") or [],
                role=data["role"],
                via="console",
            )
            first_name = data.get("first_name", "")
            if first_name != stored.user.first_name:
                stored.user.first_name = first_name
                stored.user.save(update_fields=["first_name"])
        else:
            result = staffing.staff_account_create(
                by=by,
                username=data["username"],
                first_name=data.get("first_name", ""),
                password=data.get("password1"),
                role=data["role"],
                sex=data["sex"],
                unit=data.get("unit"),
                governorates=data.get("governorates") or [],
            )
        from casework.staff_admin import report_staff_change

        report_staff_change(self, request, result)
        obj.pk = result.profile.pk
        obj.user = result.profile.user

    def save_related(self, request, form, formsets, change) -> None:
        # staff_account_upsert has already set the governorates.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def _each_by_service(self, request, queryset, service, done_message) -> None:
        by = request.user.staff_profile
        done = 0
        for profile in queryset.select_related("user"):
            try:
                service(profile=profile, by=by)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{profile.user.get_username()}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(
        description=_("Deactivate selected staff (ends their sessions)"), permissions=["change"]
    )
    def deactivate_selected(self, request, queryset) -> None:
        self._each_by_service(request, queryset, auth.staff_deactivate, DEACTIVATED)

    @admin.action(
        description=_("Reset two-factor for selected staff (they set it up again)"),
        permissions=["change"],
    )
    def reset_two_factor_selected(self, request, queryset) -> None:
        self._each_by_service(request, queryset, auth.staff_two_factor_reset, TWO_FACTOR_RESET)

    @admin.action(
        description=_("Issue an enrolment code (to set up two-factor)"), permissions=["change"]
    )
    def issue_enrolment_code(self, request, queryset) -> HttpResponse | None:
        """Shows the new codes once, on a page that is not stored (never in a message)."""
        by = request.user.staff_profile
        issued = []
        for profile in queryset.select_related("user"):
            try:
                code = enrolment.staff_enrolment_issue(profile=profile, by=by)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{profile.user.get_username()}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
            else:
                issued.append((profile.user.get_username(), code))
        if not issued:
            return None
        hours = enrolment.enrolment_token_seconds() // 3600
        return TemplateResponse(
            request,
            "console/enrolment_codes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Enrolment codes"),
                "issued": issued,
                "hours": hours,
                "back_url": reverse("console:casework_staffprofile_changelist"),
            },
        )

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from casework import auth, crypto, reference_data, roles
        from casework.models import Category, Governorate, Unit

        # A malformed SANAD_KEYS must stop the server here, with a message
        # naming the entry (never its content), not fail every report later.
        crypto.key_encryption_keys()

        # Not limited to this app as sender: apps migrated after casework
        # (outreach) bring permissions the role groups need.
        post_migrate.connect(roles.roles_post_migrate, dispatch_uid="casework.roles_sync")
        user_logged_in.connect(auth.on_user_logged_in, dispatch_uid="casework.staff_session")
        user_logged_out.connect(auth.on_user_logged_out, dispatch_uid="casework.staff_session")
        # Report steps and filing keep categories, governorates and units per process.
        for model in (Category, Governorate, Unit):
            for signal in (post_save, post_delete):
                signal.connect(
                    reference_data.reference_data_forget,
                    sender=model,
                    dispatch_uid=f"casework.reference_data.{model.__name__}.{signal is post_save}",
                )

"""Keep API tokens and the per-process token cache honest whatever path changes an account.

Receivers rather than service calls: the password forms (change, reset, the admin's), the
admin's change form and cascades all save users or delete tokens without our services.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from trainees.models import ApiToken
from trainees.services import token_revoke_all, user_auth_changed

User = get_user_model()


@receiver(post_save, sender=User, dispatch_uid="trainees_user_saved")
def _user_saved(sender, instance, created, **kwargs) -> None:
    password_changed = getattr(instance, "_password_changed", False)
    instance._password_changed = False
    if created:
        return
    if password_changed or not instance.is_active:
        token_revoke_all(user=instance)
    user_auth_changed([instance.pk])


@receiver(post_delete, sender=User, dispatch_uid="trainees_user_deleted")
def _user_deleted(sender, instance, **kwargs) -> None:
    user_auth_changed([instance.pk])


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="trainees_user_groups")
def _user_groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    # The cached user carries is_manager, which depends on the Managers group.
    if not reverse:
        if action.startswith("post_"):
            user_auth_changed([instance.pk])
    elif action in ("post_add", "post_remove"):  # group.user_set changed: pk_set holds users
        user_auth_changed(pk_set)
    elif action == "pre_clear":  # after the clear nobody is left to name
        user_auth_changed(instance.user_set.values_list("id", flat=True))


@receiver(post_save, sender=ApiToken, dispatch_uid="trainees_token_saved")
@receiver(post_delete, sender=ApiToken, dispatch_uid="trainees_token_deleted")
def _token_changed(sender, instance, **kwargs) -> None:
    user_auth_changed([instance.user_id])

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied

from painapp.accounts import data_rights
from painapp.accounts.audit import audit
from painapp.accounts.models import AuditEvent, Invitation, Membership, Practice, User
from painapp.accounts.names import PersonNameField
from painapp.accounts.services import membership_deactivate
from painapp.accounts.timezones import timezone_changed


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "timezone", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["full_name", "timezone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "password1", "password2"]})]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "full_name":
            # Cleaned like every other name field (no invisible direction marks).
            return PersonNameField(label=db_field.verbose_name.capitalize(), required=False)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "timezone" in form.changed_data:
            # The admin's change view runs in one transaction: the reminder schedules
            # are recomputed in it, as on every other path that changes a zone.
            timezone_changed(user=obj)
        if change and {"is_active", "is_staff", "is_superuser"} & set(form.changed_data):
            # A switched-off person's sessions end by themselves (Django's backend
            # refuses inactive users on every request); the change is recorded.
            audit(request, "user.access_changed", subject=obj, obj=obj)

    def has_delete_permission(self, request, obj=None):
        # Deleting a person here takes their enrollments and alerts with them: not while
        # the care team is still following up a safety alert (the same hold as the
        # patient's own deletion, painapp.accounts.data_rights.deletion_on_hold), and
        # not someone who is both a patient and staff (their staff role is ended first).
        if obj is not None and (
            data_rights.deletion_on_hold(obj) or data_rights.is_patient_and_staff(obj)
        ):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        # A patient is deleted as their own "Delete my account" does it (one code path:
        # the same rows removed, the account row kept de-identified, the same
        # `account.deleted` tombstone), with this admin as its actor. Staff who are no
        # one's patient are deleted as Django does (a clinician with a caseload is
        # protected by Enrollment.clinician).
        if not data_rights.data_rights_available(obj):
            super().delete_model(request, obj)
            return
        try:
            data_rights.account_delete(user=obj, actor=request.user)
        except data_rights.DeletionOnHold:
            # A safety alert raised since the confirmation page was shown.
            raise PermissionDenied from None

    def get_actions(self, request):
        # No bulk delete: it would not ask the hold about each person. One at a time.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "created_at"]

    def has_delete_permission(self, request, obj=None):
        # Deleting a practice here would take every enrollment with it, alerts not yet
        # resolved and the patients' contact details included, past the deletion hold
        # and with no record (docs/data-retention.md). A practice that leaves is
        # offboarded, not deleted from this screen.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "practice", "role", "is_active"]
    list_filter = ["role", "is_active", "practice"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"role", "is_active"} & set(form.changed_data):
            audit(request, "membership.changed", practice=obj.practice, subject=obj.user, obj=obj)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Switching a membership off here must do what the practice admin's screen
            # does: end the person's sessions and revoke any invitation still waiting.
            membership_deactivate(membership=obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["membership", "created_at", "expires_at", "accepted_at", "revoked_at"]
    exclude = ["nonce"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor", "practice", "object_type", "object_id"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.urls import path

from painapp.accounts.views import (
    data_rights,
    home,
    invitations,
    language,
    message_emails,
    practice,
    time_zone,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("choose-practice/", home.choose_practice, name="choose_practice"),
    path("invite/<str:token>/", invitations.invitation_accept, name="invitation_accept"),
    path("practice/", practice.practice_overview, name="practice_overview"),
    path("practice/invitations/", invitations.invitation_list, name="invitation_list"),
    path("practice/invitations/new/", invitations.invitation_create, name="invitation_create"),
    path(
        "practice/invitations/<int:pk>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "practice/invitations/<int:pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
    # Anyone's own time zone (reminders, new weeks and digests follow it).
    path("account/time-zone/", time_zone.time_zone, name="account_time_zone"),
    path("account/language/", language.language, name="account_language"),
    # Anyone's own "email me when I get a new message" (tracking.messaging's email).
    path("account/message-emails/", message_emails.message_emails, name="account_message_emails"),
    # A patient's own data: download it, or delete the account.
    path("account/my-data/", data_rights.my_data, name="my_data"),
    path("account/my-data/download/", data_rights.my_data_export, name="my_data_export"),
    path("account/delete/", data_rights.account_delete, name="account_delete"),
    path("account/deleted/", data_rights.account_deleted, name="account_deleted"),
]

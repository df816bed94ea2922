from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "painapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and practices"

    def ready(self):
        from painapp.accounts import mfa, security  # noqa: F401 — connects the login audit receivers

        mfa.connect_signals()
        from painapp.accounts import email_addresses

        email_addresses.connect_signals()

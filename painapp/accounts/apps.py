from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "painapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and practices"

    def ready(self):
        from painapp.accounts import security  # noqa: F401 — connects the login audit receivers

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "painapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and practices"

from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "painapp.health"
    label = "health"
    verbose_name = "Health"

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = "Programs and practice"

    def ready(self) -> None:
        from programs.models import Activity, ProgramVersion, Week
        from programs.selectors import program_outline

        def forget_outlines(**kwargs) -> None:
            program_outline.cache_clear()

        # The outline cache is keyed by version id. Versions are not edited once patients
        # use them, but a staff member may still fix a new copy in the admin, and SQLite
        # (the embedded demo, tests) hands a rolled-back id out again: forget what this
        # process read whenever the curriculum's rows change here.
        for model in (ProgramVersion, Week, Activity):
            post_save.connect(forget_outlines, sender=model, weak=False,
                              dispatch_uid=f"forget_outlines_{model.__name__}")
            post_delete.connect(forget_outlines, sender=model, weak=False,
                                dispatch_uid=f"forget_outlines_delete_{model.__name__}")

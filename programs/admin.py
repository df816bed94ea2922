"""Staff author and edit programs here (the Markdown files remain the usual source).

Editing a version in place changes it for everyone on it; to change content for new
enrollments only, use "Copy as a new version" and edit the copy.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext

from programs.models import Activity, Program, ProgramVersion, Week


class WeekInline(admin.TabularInline):
    model = Week
    extra = 0
    fields = ["number", "title", "theme"]
    show_change_link = True


class ActivityInline(admin.StackedInline):
    model = Activity
    extra = 0
    fields = ["order", "kind", "slug", "title", "minutes", "daily", "prompt", "body_md", "data"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]


@admin.register(ProgramVersion)
class ProgramVersionAdmin(admin.ModelAdmin):
    list_display = ["program", "language", "number", "title", "created_at"]
    list_filter = ["program", "language"]
    inlines = [WeekInline]
    actions = ["copy_as_new_version"]

    @admin.action(description="Copy as a new version (existing enrollments keep theirs)")
    def copy_as_new_version(self, request, queryset):
        for version in queryset:
            with transaction.atomic():
                same_language = version.program.versions.filter(language=version.language)
                last = same_language.order_by("-number").first().number
                weeks = list(version.weeks.prefetch_related("activities"))
                copy = ProgramVersion.objects.create(
                    program=version.program,
                    number=last + 1,
                    language=version.language,
                    title=version.title,
                    summary=version.summary,
                    overview_md=version.overview_md,
                    tracking_guide=version.tracking_guide,
                    checkin_config=version.checkin_config,
                    content_hash=f"admin-copy-{version.pk}-{last + 1}",
                )
                for week in weeks:
                    new_week = Week.objects.create(
                        version=copy,
                        number=week.number,
                        title=week.title,
                        theme=week.theme,
                        intro_md=week.intro_md,
                        sessions=week.sessions,
                    )
                    Activity.objects.bulk_create(
                        Activity(
                            week=new_week,
                            order=a.order,
                            kind=a.kind,
                            slug=a.slug,
                            title=a.title,
                            minutes=a.minutes,
                            daily=a.daily,
                            prompt=a.prompt,
                            body_md=a.body_md,
                            data=a.data,
                        )
                        for a in week.activities.all()
                    )
            messages.success(
                request,
                gettext("Created %(copy)s: edit it, then enroll new patients on it.")
                % {"copy": copy},
            )


@admin.register(Week)
class WeekAdmin(admin.ModelAdmin):
    list_display = ["version", "number", "title"]
    list_filter = ["version"]
    inlines = [ActivityInline]

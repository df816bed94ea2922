from django.urls import path

from programs.audio import views as audio
from programs.boosters import views as boosters
from programs.exposure import views as exposure
from programs.practice import views as practice
from programs.tailoring import views as tailoring
from programs.views import activities, enrollments, log, onboarding, today

urlpatterns = [
    # Onboarding (first login): welcome, what this is, consent, settings, then safety.
    path("welcome/", onboarding.welcome, name="onboarding"),
    path("welcome/about/", onboarding.about, name="onboarding_about"),
    path("welcome/consent/", onboarding.consent, name="onboarding_consent"),
    path("welcome/settings/", onboarding.preferences, name="onboarding_settings"),
    # The daily home and the program map.
    path("today/", today.today, name="today"),
    # Once the practice has stopped the program: what that means, what is still open.
    path("ended/", today.program_ended, name="program_ended"),
    path("program/", today.overview, name="program_overview"),
    path("program/week/<int:number>/", today.week, name="program_week"),
    path("program/exercise/<int:pk>/", tailoring.custom_exercise, name="custom_exercise"),
    path("program/<slug:slug>/", activities.activity, name="activity"),
    path("program/<slug:slug>/complete/", activities.activity_complete, name="activity_complete"),
    # After the last week: a short booster a month (issue 19).
    path("boosters/", boosters.booster_list, name="boosters"),
    path("boosters/<slug:slug>/", boosters.booster_detail, name="booster"),
    # Somatic tracking. Not under "practice/": that is the admin's practice overview.
    path("somatic-tracking/", practice.player, name="practice"),
    path("somatic-tracking/save/", practice.save_session, name="practice_save"),
    # Graded exposure: the fear ladder and the exposure log.
    path("exposure/", exposure.ladder, name="exposure"),
    path("exposure/fears/new/", exposure.fear_create, name="fear_create"),
    path("exposure/fears/<int:pk>/edit/", exposure.fear_edit, name="fear_edit"),
    path("exposure/fears/<int:pk>/move/", exposure.fear_move, name="fear_move"),
    path(
        "exposure/suggestions/<int:pk>/accept/",
        tailoring.suggestion_accept,
        name="suggestion_accept",
    ),
    path(
        "exposure/suggestions/<int:pk>/decline/",
        tailoring.suggestion_decline,
        name="suggestion_decline",
    ),
    path("exposure/new/", exposure.exposure_plan, name="exposure_plan"),
    path("exposure/<int:pk>/", exposure.exposure_detail, name="exposure_detail"),
    path("exposure/<int:pk>/done/", exposure.exposure_done, name="exposure_done"),
    # Practice admins: put a patient on a program.
    path("practice/patients/invite/", enrollments.patient_invite, name="patient_invite"),
    # Recorded audio: the admin's page, and the files, for members of the practice only.
    path("practice/audio/", audio.recordings, name="admin_audio"),
    path("practice/audio/<int:pk>/delete/", audio.recording_delete, name="admin_audio_delete"),
    path("audio/<int:pk>/", audio.recording_file, name="audio_file"),
    # The patient's own history.
    path("log/", log.my_log, name="my_log"),
]

"""After the last week (issue 19, "after week 8"): short monthly booster sessions.

A program may ship boosters in programs/content/<slug>/boosters/month-NN-<slug>.md
(front matter: slug, title, summary, month, minutes; body: Markdown), loaded with the
weeks into `Booster` rows of the same `ProgramVersion`. Month 1 opens the day the
program ends, each later one a calendar month on (rules.booster_opens_on); the patient
sees the newest open one on Today and every earlier one in a list. Nothing to tick off,
no count of missed months: outcome independence applies to practice, too.
"""

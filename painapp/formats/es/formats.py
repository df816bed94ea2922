# Spanish: months and weekdays in lower case, "6 dic", "dom 6 dic 2026, 14:05"
# ("b" is the month's abbreviation as the language writes it; painapp/formats/__init__.py).
DAY_MONTH_FORMAT = "j b"
DAY_MONTH_TIME_FORMAT = "j b, H:i"
DAY_MONTH_YEAR_FORMAT = "j b Y"
DAY_MONTH_YEAR_TIME_FORMAT = "j b Y, H:i"
DAY_MONTH_YEAR_SECONDS_FORMAT = "j b Y, H:i:s"
WEEKDAY_DAY_MONTH_FORMAT = "D j b"
WEEKDAY_DAY_MONTH_TIME_FORMAT = "D j b, H:i"
WEEKDAY_DAY_MONTH_YEAR_TIME_FORMAT = "D j b Y, H:i"
MONTH_YEAR_SHORT_FORMAT = "b y"
MONTH_ABBR_FORMAT = "b"
DAY_FULL_MONTH_FORMAT = r"j \d\e F"  # "6 de diciembre": read aloud in full (screen readers)

"""Our own date formats, per language (settings.FORMAT_MODULE_PATH).

Django's "M" (a month's abbreviation) is always capitalised, as English writes it
("Sun 6 Dec"); Spanish writes its months in lower case ("dom 6 dic"), which is "b".
So templates name a format ({{ when|date:"DAY_MONTH_YEAR_FORMAT" }}) and each language
says how it is written. Every name here must exist in every language's module: an
unknown name would be read as a format string itself.
"""

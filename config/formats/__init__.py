"""One date and number format per language, for every page people read.

Django's own formats differ between its ar, ckb and en modules (and its Arabic
one writes decimals with a comma, «2,5»). Sanad shows a date the same way on
the victim's page, the console list and the outreach pages: day, month name,
year; with the time after it in 24-hour form. Decimals use a point in every
language, as Iraqi figures are printed with Western digits.
"""

# Indian English: day before month, 24-hour times (as Sachet has always shown them), lakh grouping (1,00,000).
# Anything not set here comes from Django's own "en" formats.
DATE_FORMAT = "j F Y"  # 30 November 2026
TIME_FORMAT = "H:i"  # 15:45
DATETIME_FORMAT = "j F Y, H:i"  # 30 November 2026, 15:45
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"  # 30/11/2026, 15:45: as Indian forms write dates, the same in every language
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 0  # Sunday, as Indian calendars print it
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = (3, 2, 0)  # 12,34,567

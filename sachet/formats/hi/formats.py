# Hindi. Full month names from Django's "alt. month" set (E): its usual set (F) misspells some months (नवमबर) and its
# abbreviations are not in common use. 24-hour times: Django's Hindi "AM" and "PM" are both "बजे".
DATE_FORMAT = "j E Y"  # 30 नवंबर 2026
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j E Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y, H:i"  # 30/11/2026, 15:45: as Indian forms write dates, the same in every language
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "E Y"
FIRST_DAY_OF_WEEK = 0
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = (3, 2, 0)

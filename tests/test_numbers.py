"""numbers.verbalize: every digit and symbol as the words a news reader says.

Each table row is (id, sentence, spoken form); the spoken forms are exact, so a
change of spelling or grammar shows up here.
"""

from __future__ import annotations

import re

import pytest

from audio_news.config import TextSettings
from audio_news.numbers import cardinal, ordinal, verbalize

GREGORIAN = TextSettings()
LEVANTINE = TextSettings(months="levantine")
BOTH = TextSettings(months="both")
READ_LATIN = TextSettings(latin="read")

NEWS = [
    ("news-us-troops", "ولدى الولايات المتحدة حاليا 2500 عسكري في العراق",
     "ولدى الولايات المتحدة حاليا ألفان وخمسمئة عسكري في العراق"),
    ("news-invasion-2003", "وغزت الولايات المتحدة الأراضي العراقية في 2003 وأطاحت بالرئيس السابق",
     "وغزت الولايات المتحدة الأراضي العراقية في ألفين وثلاثة وأطاحت بالرئيس السابق"),
    ("news-withdrawal-2011", "قبل انسحابها في 2011.", "قبل انسحابها في ألفين وأحد عشر."),
    ("news-return-2014", "وعادت القوات الأميركية إلى العراق في 2014 على رأس تحالف دولي",
     "وعادت القوات الأميركية إلى العراق في ألفين وأربعة عشر على رأس تحالف دولي"),
    ("news-defeat-2017", "لمحاربة تنظيم الدولة الإسلامية بعدما هزمه التحالف في 2017، على حد قوله",
     "لمحاربة تنظيم الدولة الإسلامية بعدما هزمه التحالف في ألفين وسبعة عشر، على حد قوله"),
    ("news-vote-2020", "في الخامس من يناير كانون الثاني 2020 طالب البرلمان",
     "في الخامس من يناير كانون الثاني ألفين وعشرين طالب البرلمان"),
    ("news-900-soldiers", "ويوجد حوالي 900 جندي أميركي في سوريا", "ويوجد حوالي تسعمئة جندي أميركي في سوريا"),
    ("news-truce", "هناك هدنة بين الحكومة والفصائل من 4-6 أشهر تعهدت فيها الحكومة",
     "هناك هدنة بين الحكومة والفصائل من أربعة إلى ستة أشهر تعهدت فيها الحكومة"),
    ("news-inflation", "وبلغ معدل التضخم 9.4% في أغسطس الماضي",
     "وبلغ معدل التضخم تسعة فاصلة أربعة في المئة في أغسطس الماضي"),
    ("news-aid", "وتعهد المانحون بتقديم 2.5 مليار دولار لإعادة الإعمار",
     "وتعهد المانحون بتقديم اثنان فاصلة خمسة مليار دولار لإعادة الإعمار"),
    ("news-victims", "وارتفع عدد الضحايا إلى 11 قتيلا و25 جريحا",
     "وارتفع عدد الضحايا إلى أحد عشر قتيلا وخمسة وعشرين جريحا"),
    ("news-cities", "وانتشرت الاحتجاجات في 11 مدينة", "وانتشرت الاحتجاجات في إحدى عشرة مدينة"),
    ("news-sentence", "وحكم عليه بالسجن لـ 25 عاما", "وحكم عليه بالسجن لخمسة وعشرين عاما"),
    ("news-score", "وفاز الأهلي على الزمالك 3-2 في نهائي الكأس",
     "وفاز الأهلي على الزمالك ثلاثة مقابل اثنين في نهائي الكأس"),
    ("news-draw", "وتعادل الفريقان 1-1", "وتعادل الفريقان واحد مقابل واحد"),
    ("news-draw-result", "وانتهت المباراة بنتيجة 3-2", "وانتهت المباراة بنتيجة ثلاثة مقابل اثنين"),
]

CARDINALS = [
    ("zero", "0", "صفر"),
    ("one", "1", "واحد"),
    ("two", "2", "اثنان"),
    ("three", "3", "ثلاثة"),
    ("eight", "8", "ثمانية"),
    ("ten", "10", "عشرة"),
    ("eleven", "11", "أحد عشر"),
    ("twelve", "12", "اثنا عشر"),
    ("thirteen", "13", "ثلاثة عشر"),
    ("eighteen", "18", "ثمانية عشر"),
    ("twenty", "20", "عشرون"),
    ("twenty-one", "21", "واحد وعشرون"),
    ("twenty-two", "22", "اثنان وعشرون"),
    ("ninety-nine", "99", "تسعة وتسعون"),
    ("hundred", "100", "مئة"),
    ("hundred-one", "101", "مئة وواحد"),
    ("hundred-fifty", "150", "مئة وخمسون"),
    ("two-hundred", "200", "مئتان"),
    ("two-hundred-fifty", "250", "مئتان وخمسون"),
    ("three-hundred", "300", "ثلاثمئة"),
    ("eight-hundred", "800", "ثمانمئة"),
    ("nine-nine-nine", "999", "تسعمئة وتسعة وتسعون"),
    ("thousand", "1000", "ألف"),
    ("thousand-one", "1001", "ألف وواحد"),
    ("thousand-five-hundred", "1500", "ألف وخمسمئة"),
    ("two-thousand", "2000", "ألفان"),
    ("three-thousand", "3000", "ثلاثة آلاف"),
    ("ten-thousand", "10000", "عشرة آلاف"),
    ("eleven-thousand", "11000", "أحد عشر ألفا"),
    ("twenty-five-thousand", "25000", "خمسة وعشرون ألفا"),
    ("hundred-thousand", "100000", "مئة ألف"),
    ("hundred-one-thousand", "101000", "مئة ألف وألف"),
    ("hundred-three-thousand", "103000", "مئة وثلاثة آلاف"),
    ("two-hundred-thousand", "200000", "مئتا ألف"),
    ("million", "1000000", "مليون"),
    ("two-million", "2000000", "مليونان"),
    ("three-million", "3000000", "ثلاثة ملايين"),
    ("eleven-million", "11000000", "أحد عشر مليونا"),
    ("separators-million", "1,200,000", "مليون ومئتا ألف"),
    ("separators-twelve-thousand", "12,500", "اثنا عشر ألفا وخمسمئة"),
    ("dot-separators", "1.000.000", "مليون"),
    ("billion-separators", "1,000,000,000", "مليار"),
    ("two-billion", "2,000,000,000", "ملياران"),
    ("five-billion", "5,000,000,000", "خمسة مليارات"),
    ("arabic-indic-digits", "١٢٣", "مئة وثلاثة وعشرون"),
    ("persian-digits", "۱۲۳", "مئة وثلاثة وعشرون"),
    ("arabic-thousands-mark", "١٬٥٠٠٬٠٠٠", "مليون وخمسمئة ألف"),
]

DECIMALS = [
    ("decimal", "2.5", "اثنان فاصلة خمسة"),
    ("decimal-twelve", "12.5", "اثنا عشر فاصلة خمسة"),
    ("decimal-zero", "0.75", "صفر فاصلة خمسة وسبعون"),
    ("decimal-leading-zero", "1.05", "واحد فاصلة صفر خمسة"),
    ("decimal-long", "3.14159", "ثلاثة فاصلة واحد أربعة واحد خمسة تسعة"),
    ("decimal-arabic-mark", "٣٫٥", "ثلاثة فاصلة خمسة"),
    ("decimal-million", "1.5 مليون نسمة", "واحد فاصلة خمسة مليون نسمة"),
    ("decimal-after-preposition", "انخفض بنسبة 0.5% فقط", "انخفض بنسبة صفر فاصلة خمسة في المئة فقط"),
]

PERCENT = [
    ("percent", "9.4%", "تسعة فاصلة أربعة في المئة"),
    ("percent-genitive", "بنسبة 20%", "بنسبة عشرين في المئة"),
    ("percent-space", "بنسبة 3.5 %", "بنسبة ثلاثة فاصلة خمسة في المئة"),
    ("percent-arabic-sign", "٪15", "خمسة عشر في المئة"),
    ("percent-arabic-digits", "٢٥٪", "خمسة وعشرون في المئة"),
    ("percent-nominative", "ارتفع 200%", "ارتفع مئتان في المئة"),
    ("percent-words-bilmia", "2.5 بالمئة", "اثنان فاصلة خمسة بالمئة"),
    ("percent-words-fil-mia", "25 في المئة", "خمسة وعشرون في المئة"),
    ("percent-range", "بين 10-15%", "بين عشرة وخمسة عشر في المئة"),
    ("percent-glued", "بـ5%", "بخمسة في المئة"),
]

YEARS = [
    ("year-aam", "عام 2008", "عام ألفين وثمانية"),
    ("year-aam-1990", "عام 1990", "عام ألف وتسعمئة وتسعين"),
    ("year-aam-2000", "عام 2000", "عام ألفين"),
    ("year-al-aam", "العام 2023", "العام ألفين وثلاثة وعشرين"),
    ("year-sana", "سنة 2011", "سنة ألفين وأحد عشر"),
    ("year-mundhu", "منذ 1967", "منذ ألف وتسعمئة وسبعة وستين"),
    ("year-mundhu-aam", "منذ عام 1948", "منذ عام ألف وتسعمئة وثمانية وأربعين"),
    ("year-fi", "في 2003", "في ألفين وثلاثة"),
    ("year-wa-fi", "وفي 2014", "وفي ألفين وأربعة عشر"),
    ("year-hatta", "حتى 2030", "حتى ألفين وثلاثين"),
    ("year-matla", "في مطلع 2024", "في مطلع ألفين وأربعة وعشرين"),
    ("year-mawalid", "من مواليد 1985", "من مواليد ألف وتسعمئة وخمسة وثمانين"),
    ("year-dual", "خلال عامي 2019 و2020", "خلال عامي ألفين وتسعة عشر وألفين وعشرين"),
    ("year-glued-wa", "في 1999 و2000", "في ألف وتسعمئة وتسعة وتسعين وألفين"),
    ("year-from-to", "من عام 2010 إلى عام 2015", "من عام ألفين وعشرة إلى عام ألفين وخمسة عشر"),
    ("year-after-month", "في أكتوبر 2023", "في أكتوبر ألفين وثلاثة وعشرين"),
    ("year-after-levantine-month", "في تشرين الأول 2023", "في تشرين الأول ألفين وثلاثة وعشرين"),
    ("year-range", "خلال الفترة 2011-2014", "خلال الفترة من ألفين وأحد عشر إلى ألفين وأربعة عشر"),
    ("year-not-before-counted-noun", "قبل 2000 عام", "قبل ألفي عام"),
    ("year-not-before-feminine-noun", "في 2000 مدينة", "في ألفي مدينة"),
    ("year-miladi", "سنة 2024 م", "سنة ألفين وأربعة وعشرين ميلادي"),
    ("year-hijri", "عام 1445 هـ", "عام ألف وأربعمئة وخمسة وأربعين هجري"),
    ("year-hijri-glued", "عام 1445هـ", "عام ألف وأربعمئة وخمسة وأربعين هجري"),
    ("year-miladi-after-fi", "في 622 م", "في ستمئة واثنين وعشرين ميلادي"),
    ("year-bc", "عام 500 ق.م", "عام خمسمئة قبل الميلاد"),
    ("year-bc-short", "عام 70 ق.م", "عام سبعين قبل الميلاد"),
    ("year-bare-nominative", "2003 كان عاما صعبا", "ألفان وثلاثة كان عاما صعبا"),
]

DATES = [
    ("date-slash", "في 20/08/2024", "في العشرين من أغسطس ألفين وأربعة وعشرين"),
    ("date-dash", "في 20-08-2024", "في العشرين من أغسطس ألفين وأربعة وعشرين"),
    ("date-dots", "20.08.2024", "العشرين من أغسطس ألفين وأربعة وعشرين"),
    ("date-iso", "2023-03-15", "الخامس عشر من مارس ألفين وثلاثة وعشرين"),
    ("date-day-one", "1/1/2020", "الأول من يناير ألفين وعشرين"),
    ("date-day-31", "31/12/2024", "الحادي والثلاثين من ديسمبر ألفين وأربعة وعشرين"),
    ("date-day-11", "11/9/2001", "الحادي عشر من سبتمبر ألفين وواحد"),
    ("date-two-digit-year", "15/3/99", "الخامس عشر من مارس ألف وتسعمئة وتسعة وتسعين"),
    ("date-arabic-digits", "٢٠/٠٨/٢٠٢٤", "العشرين من أغسطس ألفين وأربعة وعشرين"),
    ("date-text", "5 يناير 2020", "الخامس من يناير ألفين وعشرين"),
    ("date-text-levantine", "5 كانون الثاني 2020", "الخامس من كانون الثاني ألفين وعشرين"),
    ("date-text-both-names", "في 5 يناير كانون الثاني 2020", "في الخامس من يناير كانون الثاني ألفين وعشرين"),
    ("date-text-no-year", "في 1 مايو", "في الأول من مايو"),
    ("date-text-aab", "في 3 آب 2014", "في الثالث من آب ألفين وأربعة عشر"),
    ("date-text-september-11", "في 11 سبتمبر 2001", "في الحادي عشر من سبتمبر ألفين وواحد"),
    ("date-text-ayloul", "12 أيلول", "الثاني عشر من أيلول"),
    ("date-text-glued-wa", "و22 مارس", "والثاني والعشرين من مارس"),
    ("date-day-month-after-yawm", "يوم 1/5", "يوم الأول من مايو"),
    ("date-month-year", "في 01/2024", "في يناير ألفين وأربعة وعشرين"),
    ("date-month-first", "في 08/20/2024", "في العشرين من أغسطس ألفين وأربعة وعشرين"),
]

DATES_BY_SETTING = [
    ("months-gregorian", GREGORIAN, "20/08/2024", "العشرين من أغسطس ألفين وأربعة وعشرين"),
    ("months-levantine", LEVANTINE, "20/08/2024", "العشرين من آب ألفين وأربعة وعشرين"),
    ("months-both", BOTH, "20/08/2024", "العشرين من أغسطس آب ألفين وأربعة وعشرين"),
    ("months-levantine-january", LEVANTINE, "5/1/2020", "الخامس من كانون الثاني ألفين وعشرين"),
    ("months-both-october", BOTH, "6/10/1973", "السادس من أكتوبر تشرين الأول ألف وتسعمئة وثلاثة وسبعين"),
    ("months-levantine-text-kept", LEVANTINE, "5 يناير", "الخامس من يناير"),
]

RANGES = [
    ("range", "3-6", "من ثلاثة إلى ستة"),
    ("range-en-dash", "3–6", "من ثلاثة إلى ستة"),
    ("range-spaces", "وصل 3 - 6", "وصل من ثلاثة إلى ستة"),
    ("range-after-min", "من 4-6 أشهر", "من أربعة إلى ستة أشهر"),
    ("range-feminine-noun", "من 3-6 سنوات", "من ثلاث إلى ست سنوات"),
    ("range-no-min", "الفترة 5-10 سنوات", "الفترة من خمس إلى عشر سنوات"),
    ("range-bayn", "بين 2019-2020", "بين ألفين وتسعة عشر وألفين وعشرين"),
    ("range-words", "من 10 إلى 15", "من عشرة إلى خمسة عشر"),
    ("range-bayn-wa", "بين 20 و30 عاما", "بين عشرين وثلاثين عاما"),
    ("range-bayn-small", "بين 3 و5", "بين ثلاثة وخمسة"),
    ("ratio", "بنسبة 3:1", "بنسبة ثلاثة إلى واحد"),
    ("score-win", "فاز ريال مدريد على برشلونة 2-1", "فاز ريال مدريد على برشلونة اثنان مقابل واحد"),
    ("score-result", "بنتيجة 3-0", "بنتيجة ثلاثة مقابل صفر"),
    ("score-draw", "انتهت المباراة بالتعادل 2-2", "انتهت المباراة بالتعادل اثنان مقابل اثنين"),
    ("score-brackets", "فاز الفريق (4-1)", "فاز الفريق (أربعة مقابل واحد)"),
    ("minus", "تراجعت الحرارة إلى -3 درجات", "تراجعت الحرارة إلى سالب ثلاث درجات"),
]

COUNTED = [
    ("masc-3-10", "قتل 3 أشخاص", "قتل ثلاثة أشخاص"),
    ("fem-plural-at", "4 مباريات", "أربع مباريات"),
    ("masc-broken-plural", "5 أيام", "خمسة أيام"),
    ("fem-sanawat", "7 سنوات", "سبع سنوات"),
    ("fem-eight", "منذ 8 سنوات", "منذ ثماني سنوات"),
    ("masc-eight", "8 أشخاص", "ثمانية أشخاص"),
    ("fem-listed", "10 نساء", "عشر نساء"),
    ("fem-aircraft", "3 طائرات", "ثلاث طائرات"),
    ("masc-at-exception", "6 اجتماعات", "ستة اجتماعات"),
    ("masc-at-after-fi", "في 3 مستشفيات", "في ثلاثة مستشفيات"),
    ("masc-rockets", "5 صواريخ", "خمسة صواريخ"),
    ("fem-deaths-wa-word", "5 وفيات", "خمس وفيات"),
    ("tamyiz-11", "11 لاعبا", "أحد عشر لاعبا"),
    ("tamyiz-12-nominative", "قتل 12 شخصا", "قتل اثنا عشر شخصا"),
    ("tamyiz-12-genitive", "ارتفع العدد إلى 12 قتيلا", "ارتفع العدد إلى اثني عشر قتيلا"),
    ("tamyiz-12-feminine", "في 12 ساعة", "في اثنتي عشرة ساعة"),
    ("tamyiz-13", "شارك 13 فريقا", "شارك ثلاثة عشر فريقا"),
    ("tamyiz-18-feminine", "بحضور 18 دولة", "بحضور ثماني عشرة دولة"),
    ("tamyiz-24-feminine", "بعد 24 ساعة", "بعد أربع وعشرين ساعة"),
    ("tamyiz-48-feminine", "خلال 48 ساعة", "خلال ثماني وأربعين ساعة"),
    ("tamyiz-25", "25 دولارا", "خمسة وعشرون دولارا"),
    ("tamyiz-30-genitive", "أكثر من 30 عاما", "أكثر من ثلاثين عاما"),
    ("tamyiz-40-nominative", "أطلق 40 صاروخا", "أطلق أربعون صاروخا"),
    ("hundred-genitive-noun", "أكثر من 100 عام", "أكثر من مئة عام"),
    ("hundred-noun", "مقتل 100 شخص", "مقتل مئة شخص"),
    ("two-hundred-construct", "200 شخص", "مئتا شخص"),
    ("two-hundred-construct-genitive", "في 200 شخص", "في مئتي شخص"),
    ("two-hundred-no-noun", "200 في العراق", "مئتان في العراق"),
    ("thousand-noun", "نحو 1000 عام", "نحو ألف عام"),
    ("two-thousand-construct", "2000 دولار", "ألفا دولار"),
    ("three-thousand-noun", "نحو 3000 شخص", "نحو ثلاثة آلاف شخص"),
    ("eleven-thousand-noun", "11000 شخص", "أحد عشر ألف شخص"),
    ("million-separators-noun", "1,200,000 شخص", "مليون ومئتا ألف شخص"),
    ("millions-noun", "يعيش فيها 2,500,000 نسمة", "يعيش فيها مليونان وخمسمئة ألف نسمة"),
    ("thousands-written", "5 آلاف جندي", "خمسة آلاف جندي"),
    ("one-million-written", "1 مليون دولار", "مليون دولار"),
    ("two-million-construct", "2 مليون دولار", "مليونا دولار"),
    ("two-million-alone", "2 مليون", "مليونان"),
    ("two-million-genitive", "نحو 2 مليون", "نحو مليونين"),
    ("two-million-construct-genitive", "في 2 مليون منزل", "في مليوني منزل"),
    ("two-billion-written", "2 مليار", "ملياران"),
    ("one-billion-written", "1 مليار", "مليار"),
    ("trillions", "بلغ الدين 5 تريليونات دولار", "بلغ الدين خمسة تريليونات دولار"),
    ("three-million-written", "وصل إلى 3 ملايين", "وصل إلى ثلاثة ملايين"),
    ("thousands-genitive", "بـ 200 ألف دولار", "بمئتي ألف دولار"),
    ("one-noun-after", "1 شخص", "شخص واحد"),
    ("one-feminine-noun-after", "1 مرة", "مرة واحدة"),
    ("two-hundred-wa-verb", "200 وقتل", "مئتان وقتل"),
    ("decimal-noun", "خسر 2.5 مليون وظيفة", "خسر اثنان فاصلة خمسة مليون وظيفة"),
    ("big-tamyiz", "بلغ عدد القتلى 1,234 قتيلا", "بلغ عدد القتلى ألف ومئتان وأربعة وثلاثون قتيلا"),
    ("nahw-900", "نحو 900 جندي", "نحو تسعمئة جندي"),
]

PREFIXES = [
    ("glued-wa-year", "و2000", "وألفين"),
    ("glued-bi", "ب15", "بخمسة عشر"),
    ("glued-li-tatweel", "لـ3", "لثلاثة"),
    ("glued-bi-tatweel", "بـ10", "بعشرة"),
    ("glued-li-space", "لـ 25 عاما", "لخمسة وعشرين عاما"),
    ("glued-wal-after-clean", "ول 25 عاما", "ولخمسة وعشرين عاما"),
    ("glued-bi-space", "ب 5 دولارات", "بخمسة دولارات"),
    ("glued-wa-arabic-digits", "٢٠٢٤ و٣٫٥", "ألفان وأربعة وعشرون وثلاثة فاصلة خمسة"),
    ("glued-wa-number", "3 و5 و7", "ثلاثة وخمسة وسبعة"),
]

ORDINALS = [
    ("century-21", "القرن 21", "القرن الحادي والعشرين"),
    ("century-19", "القرن 19", "القرن التاسع عشر"),
    ("century-20", "القرن 20", "القرن العشرين"),
    ("century-al-tatweel", "القرن الـ21", "القرن الحادي والعشرين"),
    ("century-al-clean", "القرن ال21", "القرن الحادي والعشرين"),
    ("article-12", "المادة 12 من الدستور", "المادة الثانية عشرة من الدستور"),
    ("minute-90", "الدقيقة 90", "الدقيقة التسعين"),
    ("minute-added-time", "في الدقيقة 90+3", "في الدقيقة التسعين زائد ثلاثة"),
    ("chapter-3", "الفصل 3", "الفصل الثالث"),
    ("chapter-1", "الفصل 1", "الفصل الأول"),
    ("floor-10", "الطابق 10", "الطابق العاشر"),
    ("session-65", "الدورة 65", "الدورة الخامسة والستين"),
    ("round-1", "الجولة 1", "الجولة الأولى"),
    ("round-11", "الجولة 11", "الجولة الحادية عشرة"),
    ("rank-2", "المرتبة 2", "المرتبة الثانية"),
    ("place-22", "المركز 22", "المركز الثاني والعشرين"),
    ("session-100", "الدورة 100", "الدورة المئة"),
    ("edition-125", "النسخة 125", "النسخة الخامسة والعشرين بعد المئة"),
    ("anniversary-75", "الذكرى 75", "الذكرى الخامسة والسبعين"),
    ("anniversary-al-75", "الذكرى الـ75", "الذكرى الخامسة والسبعين"),
    ("day-100", "اليوم 100 للحرب", "اليوم المئة للحرب"),
    ("prefixed-lil", "للمادة 3", "للمادة الثالثة"),
    ("prefixed-wa", "والمادة 40", "والمادة الأربعين"),
    ("prefixed-wa-fi", "وفي الدقيقة 45", "وفي الدقيقة الخامسة والأربعين"),
    ("episode-1000", "الحلقة 1000", "الحلقة الألف"),
    ("year-after-ordinal-noun", "الدورة 2024", "الدورة ألفين وأربعة وعشرين"),
    ("not-ordinal-with-count", "اليوم 5 آلاف", "اليوم خمسة آلاف"),
    ("not-ordinal-noun", "لقطة 5", "لقطة خمسة"),
]

TIMES = [
    ("hour-11-morning", "الساعة 11 صباحا", "الساعة الحادية عشرة صباحا"),
    ("hour-1", "الساعة 1", "الساعة الواحدة"),
    ("hour-12-noon", "الساعة 12 ظهرا", "الساعة الثانية عشرة ظهرا"),
    ("hour-3-dawn", "الساعة 3 فجرا", "الساعة الثالثة فجرا"),
    ("time-half", "10:30", "العاشرة والنصف"),
    ("time-quarter", "الساعة 14:15", "الساعة الرابعة عشرة والربع"),
    ("time-45", "9:45", "التاسعة وخمس وأربعون دقيقة"),
    ("time-on-the-hour", "في تمام الساعة 10:00", "في تمام الساعة العاشرة"),
    ("time-five-minutes", "الساعة 8:05 صباحا", "الساعة الثامنة وخمس دقائق صباحا"),
    ("time-twenty", "الساعة 7:20", "الساعة السابعة وعشرون دقيقة"),
    ("time-one-minute", "الساعة 6:01", "الساعة السادسة ودقيقة واحدة"),
    ("time-two-minutes", "الساعة 6:02", "الساعة السادسة ودقيقتان"),
    ("time-eleven-minutes", "الساعة 5:11", "الساعة الخامسة وإحدى عشرة دقيقة"),
    ("time-midnight", "الساعة 00:15", "الساعة الثانية عشرة والربع"),
    ("time-am", "9:45 ص", "التاسعة وخمس وأربعون دقيقة صباحا"),
    ("time-pm", "الساعة 8:30 م", "الساعة الثامنة والنصف مساء"),
]

CURRENCY = [
    ("dollar-before", "$ 5", "خمسة دولارات"),
    ("dollar-after", "5$", "خمسة دولارات"),
    ("dollar-one", "1$", "دولار واحد"),
    ("dollar-two", "2$", "دولاران"),
    ("dollar-eleven", "$11", "أحد عشر دولارا"),
    ("dollar-genitive", "بقيمة $25", "بقيمة خمسة وعشرين دولارا"),
    ("dollar-glued-bi", "بـ 50$", "بخمسين دولارا"),
    ("dollar-billion", "$2.5 مليار", "اثنان فاصلة خمسة مليار دولار"),
    ("dollar-one-billion", "$1 مليار", "مليار دولار"),
    ("dollar-two-billion", "$2 مليار", "مليارا دولار"),
    ("dollar-300-million", "$ 300 مليون", "ثلاثمئة مليون دولار"),
    ("dollar-words", "2.5 مليار دولار", "اثنان فاصلة خمسة مليار دولار"),
    ("euro-symbol", "€100", "مئة يورو"),
    ("euro-words", "100 يورو", "مئة يورو"),
    ("pound-symbol", "£ 20", "عشرون جنيها إسترلينيا"),
    ("pound-words", "50 جنيها", "خمسون جنيها"),
    ("shekel-symbol", "₪ 300", "ثلاثمئة شيكل"),
]

ABBREVIATIONS = [
    ("doctor", "د. محمد", "الدكتور محمد"),
    ("doctor-mid-sentence", "التقى د. سلمى", "التقى الدكتور سلمى"),
    ("doctor-wa", "ود. سمير", "والدكتور سمير"),
    ("professor-doctor", "أ.د. أحمد", "الأستاذ الدكتور أحمد"),
    ("km", "5 كم", "خمسة كيلومترات"),
    ("km-one", "1 كم", "كيلومتر واحد"),
    ("km-two", "2 كم", "كيلومتران"),
    ("km-eleven", "11 كم", "أحد عشر كيلومترا"),
    ("km-25", "25 كم", "خمسة وعشرون كيلومترا"),
    ("km-hundred", "100 كم", "مئة كيلومتر"),
    ("km-speed", "بسرعة 120 كلم", "بسرعة مئة وعشرين كيلومترا"),
    ("km-length", "بطول 15 كم", "بطول خمسة عشر كيلومترا"),
    ("kg", "10 كغ", "عشرة كيلوغرامات"),
    ("cm", "3 سم", "ثلاثة سنتيمترات"),
    ("metre", "سباق 100 م", "سباق مئة متر"),
    ("metre-length", "طوله 600 م", "طوله ستمئة متر"),
    ("degrees", "درجة الحرارة 45°", "درجة الحرارة خمس وأربعون درجة"),
    ("degrees-celsius", "30°C", "ثلاثون درجة مئوية"),
    ("degrees-celsius-arabic", "30 °م", "ثلاثون درجة مئوية"),
    ("degrees-negative", "سجلت -5°C", "سجلت سالب خمس درجات مئوية"),
    ("fraction-half", "1/2", "نصف"),
    ("fraction-three-quarters", "3/4", "ثلاثة أرباع"),
    ("fraction-third", "1/3", "ثلث"),
    ("slash-ala", "24/7", "أربعة وعشرون على سبعة"),
]

LATIN = [
    ("acronym-word-nato", "حلف NATO", "حلف ناتو"),
    ("acronym-un", "UN", "يو إن"),
    ("acronym-bbc", "قناة BBC", "قناة بي بي سي"),
    ("acronym-cnn", "CNN", "سي إن إن"),
    ("acronym-unesco", "UNESCO", "يونسكو"),
    ("acronym-covid", "COVID-19", "كوفيد تسعة عشر"),
    ("acronym-f35", "F-35", "إف خمسة وثلاثين"),
    ("acronym-g20", "قمة G20", "قمة جي عشرين"),
    ("acronym-cop28", "COP28", "كوب ثمانية وعشرين"),
    ("acronym-mh17", "MH17", "إم إتش سبعة عشر"),
    ("digit-then-letter", "شبكات 5G", "شبكات خمسة جي"),
    ("single-letter", "فيتامين C", "فيتامين سي"),
    ("latin-word-kept", "وكالة Reuters", "وكالة Reuters"),
    ("latin-word-number", "iPhone 15", "iPhone خمسة عشر"),
]

LATIN_READ = [
    ("read-acronym-kept", "حلف NATO", "حلف NATO"),
    ("read-bbc-kept", "قناة BBC", "قناة BBC"),
    ("read-covid-number", "COVID-19", "COVID تسعة عشر"),
    ("read-g20-number", "قمة G20", "قمة G عشرين"),
]

DIGIT_STRINGS = [
    ("phone", "اتصل بالرقم 0123456789", "اتصل بالرقم صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة"),
    ("phone-plus", "+9647701234567",
     "زائد تسعة ستة أربعة سبعة سبعة صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة"),
    ("phone-dashes", "0770-123-4567", "صفر سبعة سبعة صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة"),
    ("nine-digits-number", "5,000,000", "خمسة ملايين"),
]

LEFT_ALONE = [
    ("url", "المصدر www.example.com/2020", "المصدر www.example.com/2020"),
    ("url-https", "انظر https://x.org/a/12 للمزيد", "انظر https://x.org/a/12 للمزيد"),
    ("hashtag", "وسم #COP28 في الشبكات", "وسم #COP28 في الشبكات"),
    ("email", "راسلونا على news2024@example.com", "راسلونا على news2024@example.com"),
    ("punctuation-kept", "قال: 3، 4؛ 5. وأكثر؟", "قال: ثلاثة، أربعة؛ خمسة. وأكثر؟"),
    ("quotes-kept", "«بلغ العدد 12»", "«بلغ العدد اثنا عشر»"),
]

TABLE = (NEWS + CARDINALS + DECIMALS + PERCENT + YEARS + DATES + RANGES + COUNTED + PREFIXES + ORDINALS
         + TIMES + CURRENCY + ABBREVIATIONS + LATIN + DIGIT_STRINGS + LEFT_ALONE)
WITH_SETTINGS = (
    [(case_id, settings, text, spoken) for case_id, settings, text, spoken in DATES_BY_SETTING]
    + [(case_id, READ_LATIN, text, spoken) for case_id, text, spoken in LATIN_READ]
)
ALL_INPUTS = [text for _, text, _ in TABLE] + [text for _, _, text, _ in WITH_SETTINGS]


def _ids(rows):
    return [row[0] for row in rows]


@pytest.mark.parametrize(("case_id", "text", "spoken"), TABLE, ids=_ids(TABLE))
def test_verbalize(case_id, text, spoken):
    assert verbalize(text) == spoken


@pytest.mark.parametrize(("case_id", "settings", "text", "spoken"), WITH_SETTINGS, ids=_ids(WITH_SETTINGS))
def test_verbalize_with_settings(case_id, settings, text, spoken):
    assert verbalize(text, settings) == spoken


def test_table_is_large_and_ids_unique():
    ids = _ids(TABLE) + _ids(WITH_SETTINGS)
    assert len(ids) >= 150
    assert len(ids) == len(set(ids))


# --- properties ------------------------------------------------------------

PLAIN_TEXTS = [
    "أثار عدم التطرق إلى مسألة انسحاب القوات غضب الفصائل المسلحة في البلاد، وهددت باستئناف الهجمات.",
    "وقال الأسدي «الانسحاب مطلب جماهيري عبرت عنه جموع غفيرة»؛ فهل يطبق؟",
    "مدينة ثلاثة آلاف وعام ألفين وثلاثة",
    "كم عدد القتلى؟ لا أحد يعرف…",
    "",
    "الـقرن",
]


@pytest.mark.parametrize("text", PLAIN_TEXTS, ids=[f"plain-{i}" for i in range(len(PLAIN_TEXTS))])
@pytest.mark.parametrize("settings", [GREGORIAN, BOTH, READ_LATIN], ids=["default", "both", "read"])
def test_text_without_numbers_or_symbols_is_unchanged(text, settings):
    assert verbalize(text, settings) == text


PROTECTED = re.compile(r"(?:https?://|www\.|#|\S+@)\S+")   # URLs, hashtags, e-mail: kept as written


@pytest.mark.parametrize("text", ALL_INPUTS)
def test_no_digits_left(text):
    spoken = verbalize(text)
    assert not re.search(r"[0-9٠-٩۰-۹]", PROTECTED.sub("", spoken)), spoken
    assert PROTECTED.findall(spoken) == PROTECTED.findall(text)


@pytest.mark.parametrize("text", ALL_INPUTS)
def test_idempotent(text):
    once = verbalize(text)
    assert verbalize(once) == once


# --- the cores ---------------------------------------------------------------

@pytest.mark.parametrize(("n", "gender", "case", "construct", "words"), [
    (3, "f", "nom", False, "ثلاث"),
    (8, "f", "nom", False, "ثماني"),
    (1, "f", "nom", False, "واحدة"),
    (2, "f", "gen", False, "اثنتين"),
    (11, "f", "nom", False, "إحدى عشرة"),
    (12, "f", "nom", False, "اثنتا عشرة"),
    (21, "f", "nom", False, "إحدى وعشرون"),
    (20, "m", "gen", False, "عشرين"),
    (20, "m", "acc", False, "عشرين"),
    (200, "m", "nom", True, "مئتا"),
    (200, "m", "gen", True, "مئتي"),
    (2000, "m", "gen", False, "ألفين"),
    (2000, "m", "nom", True, "ألفا"),
    (1_200_000, "m", "gen", False, "مليون ومئتي ألف"),
    (-4, "m", "nom", False, "سالب أربعة"),
], ids=lambda v: str(v))
def test_cardinal(n, gender, case, construct, words):
    assert cardinal(n, gender, case, construct) == words


@pytest.mark.parametrize(("n", "gender", "words"), [
    (1, "m", "الأول"),
    (1, "f", "الأولى"),
    (2, "f", "الثانية"),
    (11, "m", "الحادي عشر"),
    (12, "f", "الثانية عشرة"),
    (21, "m", "الحادي والعشرين"),
    (65, "f", "الخامسة والستين"),
    (100, "m", "المئة"),
    (101, "m", "الأول بعد المئة"),
], ids=lambda v: str(v))
def test_ordinal(n, gender, words):
    assert ordinal(n, gender) == words


def test_ordinal_nominative_tens():
    assert ordinal(20, "m", "nom") == "العشرون"


@pytest.mark.parametrize("call", [
    lambda: cardinal(3, "x"), lambda: cardinal(3, "m", "dat"), lambda: ordinal(0), lambda: ordinal(-2),
], ids=["gender", "case", "ordinal-zero", "ordinal-negative"])
def test_bad_arguments(call):
    with pytest.raises(ValueError):
        call()

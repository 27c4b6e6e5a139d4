"""What a number's words depend on in its sentence: the word that governs its case, the noun it counts.

The word lists are TSV files beside this module (governors.tsv, nouns.tsv), written
from general Arabic grammar; their header comments say what each kind means. Verbs are
listed once (past, 3rd person masculine) and their other forms made here, so the list
stays short: بلغ gives بلغت، بلغوا، يبلغ، تبلغ، سيبلغ، ليبلغ….
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final, Literal

from ..arabic import DAMMA, strip_tashkeel

Case = Literal["nom", "acc", "gen"]
Kind = Literal["prep", "gen", "masdar", "inna", "kana", "object", "change", "nom"]
_KINDS: Final = frozenset(("prep", "gen", "masdar", "inna", "kana", "object", "change", "nom"))
_VERB_KINDS: Final = frozenset(("object", "change", "kana"))


def _rows(name: str) -> Iterator[tuple[str, str]]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise ValueError(f"{name}:{number}: want word<TAB>value, got {line!r}")
        yield fields[0].strip(), fields[1].strip()


def _verb_forms(past: str) -> Iterator[str]:
    """The forms of a verb a news sentence puts before a number: past (بلغ، بلغت، بلغا، بلغوا)
    and present (يبلغ، تبلغ، يبلغون، سيبلغ، ليبلغ); أفعل، افتعل، استفعل drop their first alef."""
    stem = past[:-1] if past.endswith("ى") else past
    yield past
    yield from (stem + "ت", past + "ا", stem + "تا", past + "وا")
    present = past[1:] if past[:1] in ("ا", "أ") else past
    if present.endswith("ى") and not past.startswith("ت"):
        present = present[:-1] + "ي"  # أنهى → ينهي، اشترى → يشتري (تلقى → يتلقى keeps its alif)
    for person in ("ي", "ت", "ن"):
        for ending in ("", "ان", "ون"):
            word = person + present + ending
            yield from (word, "س" + word, "ل" + word)


def _future(word: str, kind: str) -> Iterator[str]:
    """A listed present form and its future and purpose forms (يكون → سيكون، ستكون، ليكون)."""
    yield word
    if kind in _VERB_KINDS and word[:1] in ("ي", "ت", "ن"):
        yield from ("س" + word, "ل" + word)


@cache
def governors() -> MappingProxyType[str, Kind]:
    """Every governing word form and its kind."""
    table: dict[str, Kind] = {}
    for word, value in _rows("governors.tsv"):
        kind = value.removeprefix("form:")
        if kind not in _KINDS:
            raise ValueError(f"governors.tsv: unknown kind {value!r} for {word}")
        forms = _verb_forms(word) if kind in _VERB_KINDS and not value.startswith("form:") else _future(word, kind)
        for form in forms:
            table.setdefault(form, kind)  # type: ignore[arg-type]
        table[word] = kind  # type: ignore[assignment]
    return MappingProxyType(table)


@cache
def genders() -> MappingProxyType[str, str]:
    """Noun → gender of its singular (m or f), from nouns.tsv."""
    table = {}
    for word, gender in _rows("nouns.tsv"):
        if gender not in ("m", "f"):
            raise ValueError(f"nouns.tsv: gender must be m or f, not {gender!r} for {word}")
        table[word] = gender
    return MappingProxyType(table)


def _forms(word: str) -> tuple[str, ...]:
    """A word and, after و or ف, the word without it (وبلغ → بلغ)."""
    return (word, word[1:]) if word[:1] in ("و", "ف") and len(word) > 2 else (word,)


def kind_of(word: str) -> Kind | None:
    """The governing kind of a word as written (with و/ف, or a noun with بـ/لـ: برصيد، لمدة);
    a preposition is reported as "gen", the case it gives."""
    kind = _kind(word)
    return "gen" if kind in ("prep", "masdar") else kind


def is_preposition(word: str) -> bool:
    """في، إلى، حوالي: a listed preposition (kind_of reports it as "gen" with the construct nouns)."""
    return _kind(word) == "prep"


def _kind(word: str) -> Kind | None:
    table = governors()
    word = strip_tashkeel(word)  # the writer's marks (ضُبِطت، وقُتِل) do not change the word
    for form in _forms(word):
        if form in table:
            return table[form]
        if _with_pronoun(form):
            return "nom"  # لديها، فيه، بينهم: a predicate; the number after it is the subject
        if form[:1] in ("ب", "ل") and table.get(form[1:]) == "masdar":
            return "masdar"  # بزيادة الرواتب عشرين في المئة
        if form[:1] in ("ب", "ل") and table.get(form[1:]) in ("gen", "prep", "change", "object"):
            return "gen"
    return None


_PRONOUNS: Final = ("هما", "هم", "هن", "ها", "ه")
# Verbs news uses to build a passive with a masdar: تم/جرى تركيب …
_PASSIVE_HELPERS: Final = frozenset("تم يتم سيتم جرى يجري سيجري".split())


def _with_pronoun(word: str) -> bool:
    """لديها، فيه، منهم، عليها: a preposition carrying a pronoun."""
    table = governors()
    for pronoun in _PRONOUNS:
        stem = word[: -len(pronoun)]
        if word.endswith(pronoun) and len(stem) >= 1:
            if table.get(stem) == "prep" or table.get(stem.replace("ي", "ى")) == "prep" or stem in ("ل", "ب"):
                return True
    return False


def _is_masdar_with_object(word: str) -> bool:
    """تغريمه، بتعويضهم، وتسليمها: a masdar of the تفعيل pattern with its object pronoun; the
    number after it is its second object, accusative (وتغريمه عشرين ألف جنيه)."""
    for pronoun in _PRONOUNS:
        if word.endswith(pronoun):
            stem = word[: -len(pronoun)]
            stem = stem[1:] if stem[:1] in ("و", "ف", "ب", "ل") and len(stem) == 6 else stem
            return len(stem) == 5 and stem[0] == "ت" and stem[3] == "ي"
    return False


def case_after(words: Sequence[str], measure: bool = False, counted: str = "") -> Case:
    """The case of a number from the words before it in its clause, nearest first.

    The nearest governor decides: a preposition or construct noun right before it gives
    the genitive; إنّ right before, the accusative, and after a noun (its predicate) the
    nominative; كان the reverse; a transitive verb, the accusative; a verb of change, the
    accusative after its subject or before a measure (`measure`: a percent, unit or
    currency follows), else the nominative (ارتفع عشرون سهما). A preposition further back
    belongs to a phrase between (بلغ عدد القتلى في غزة خمسين) and is passed over.
    `counted`: the noun the number counts; people after a verb of visiting are its subject
    (زار المعرض ثلاثون ألف شخص).
    """
    if words and _is_masdar_with_object(words[0]):
        return "acc"
    if len(words) > 1 and _forms(words[1])[-1] in _PASSIVE_HELPERS:
        return "gen"  # تم تركيب ستمئة لوح: the masdar after تم is in إضافة with the number
    # a predicate put first (على متنها، لديها): the number is its subject, unless a
    # transitive verb further back takes it (بلغ عدد القتلى فيها خمسين)
    fronted = held = bool(words) and _kind(words[0]) == "nom" and _with_pronoun(words[0])
    # held: فيها، لديها are a predicate of their own (زار الوزير المدينة وفيها عشرون مدرسة);
    # في جلسته is only a phrase inside the verb's clause (اعتمد المجلس في جلسته خمسة وأربعين قرارا)
    fronted = fronted or (len(words) > 1 and _kind(words[1]) == "prep" and words[0].endswith(_PRONOUNS))
    if fronted and words[0] in _PARTITIVES:
        return "nom"  # بينهم مليون من الخارج: a new nominal clause, whatever governs the one before
    if fronted:  # a far verb or إنّ belongs to the clause before
        words = words[:8]
    for i, word in enumerate(words):
        if i and _kind(word) == "masdar":
            return "acc"  # نمو الاقتصاد ثلاثة فاصلة اثنين في المئة: the masdar acts as its verb
        kind = kind_of(word)
        reach = ("object", "inna", "kana") if held else ("object", "change", "inna", "kana")
        if kind is None or (kind == "gen" and i) or (fronted and kind not in reach):
            continue
        if kind == "gen" and is_pointed(words, i):
            continue  # هذا العام ستون: a noun after a demonstrative is a whole phrase, no إضافة
        if kind == "gen":
            return "gen"
        if i == 0 and kind in ("object", "change") and len(words) > 1 and _kind(words[1]) == "prep":
            return "gen"  # عن طرح خمسمئة مليون سهم: after a preposition the verb's letters are its masdar
        # after إنّ/كان a prepositional phrase or هناك is the predicate put first; the
        # number is the subject (وكان على متن الطائرة خمسة وستون جنديا، إن في القاعة خمسين)
        subject = i == 0 or fronted or _kind(words[i - 1]) in ("prep", "nom")
        if kind == "inna":
            return "acc" if subject else "nom"
        if kind == "kana" and i == 0 and _subject_before(words[1:]):
            return "acc"  # أن الحد الأدنى للقبول سيكون سبعةً وتسعين: كان's noun stands before it, the number is its predicate
        if kind == "kana":
            return "nom" if subject else "acc"
        if kind in ("object", "change") and i == 0 and not _is_passive(word) and _subject_before(words[1:]):
            return "acc"  # الأسهم ارتفعت عشرين نقطة، الشركة وقّعت خمسة عقود: the subject came first
        if kind in ("object", "change") and _is_passive(word):
            return "nom"  # وضُبِطت في المخزن أربعة عشر كيلوغراما: the writer marked the passive
        if kind == "object":
            return "acc"
        if kind == "change" and counted in _PEOPLE and _stem_of(word) in _VISIT_VERBS:
            return "nom"  # زار المعرض ثلاثون ألف شخص: the place visited stands first, the people are the subject
        if kind == "change":
            return _after_change(words, i, measure)
        return "nom"
    return "acc" if _after_unlisted_verb(words) else "nom"


# Words a verbal clause may start after (وقد أنجزت البلدية، فيما تملك الشركة، التي شيدت الوزارة).
_OPENERS: Final = frozenset("و ف ثم كما فيما بينما حيث إذ قد وقد فقد لقد التي الذي الذين اللتان اللذان".split())
# Nouns that end in ت like a feminine past verb, or start like a present one.
# Elatives and nouns of the أفعل shape (أكثر، أكبر), which are no past verbs of form IV.
_ELATIVES: Final = frozenset(
    "أكثر أقل أكبر أصغر أعلى أدنى أول أهم أفضل أسوأ أقرب أبعد أطول أقصر أقدم أحدث أسرع أبطأ أعمق أغلى أرخص أشهر "
    "أحمد أسعد أنور أيمن أكرم أمجد أشرف أسبوع أرقم أجمل أعظم أخطر أوسع أضخم أغنى أفقر أقوى أضعف أمام أثناء".split()
)
_NOT_VERBS: Final = frozenset("بيت وقت صوت زيت سبت موت صمت ليت بات يوم يد يمين يسار يونيو يوليو يناير".split())


def verb_like(word: str) -> bool:
    """Does an unlisted word look like a finite verb by its form alone? A past with the
    feminine ت (عيّنت، خزّنت) or the plural وا, a present of four letters or more (تخزن، يستهلك),
    with its future سـ. Three-letter words are left out: most are nouns in إضافة (عدد، سعر)."""
    word = strip_tashkeel(_forms(word)[-1])
    if word in _NOT_VERBS or len(word) < 4 or word.startswith("ال"):
        return False
    if word.endswith("ت") and not word.endswith(("ات", "وت")) and len(word) <= 6:
        return True
    if word.endswith("وا") and len(word) <= 7:
        return True
    if len(word) == 4 and word[0] == "أ" and word[-1] not in "اوي" and word not in _ELATIVES:
        return True  # أبرم، أوقف، أنشأ: the past of form IV (elatives of the same letters are listed apart)
    present = word[1:] if word[:2] in ("سي", "ست", "سن") else word
    return present[:1] in ("ي", "ت") and (len(present) == 4 or present[:3] in ("يست", "تست")) and present[-1] != "ة"


def _subject_before(words: Sequence[str]) -> bool:
    """Does a definite noun stand before a verb as its subject (words: the clause before the verb,
    nearest first)? Nouns inside a prepositional phrase (في كليات الطب، للقبول) do not count: the
    subject is what is left when the clause opens (its start, أنّ/إنّ, و, a relative pronoun)."""
    pending: list[str] = []
    for word in words[:10]:
        bare = _forms(strip_tashkeel(word))[-1]
        if _kind(bare) == "prep" or bare.startswith(("لل", "بال", "كال")):
            pending = []  # the nouns after a preposition were its genitives
        elif word in _OPENERS or bare in ("أن", "إن", "أنه", "إنه") or _kind(bare) not in (None, "gen", "masdar"):
            return _definite_head(pending) and word not in ("التي", "الذي", "الذين")
        elif verb_like(bare):
            return _definite_head(pending)
        elif word in _DEMONSTRATIVES or bare.startswith("ال") or not pending or pending[-1].startswith("ال"):
            pending.append(bare)
        else:
            return False  # two indefinite words: no simple subject
    return len(words) < 10 and _definite_head(pending)


def _definite_head(phrase: list[str]) -> bool:
    """Is the first word of a phrase (the last one read back) definite: الحد [الأدنى]، هذه [المصانع]?"""
    return bool(phrase) and (phrase[-1].startswith(("ال", "وال")) or phrase[-1] in _DEMONSTRATIVES)


def _has_own_pronoun(word: str) -> bool:
    """كتلته، حكومتها: a noun with a possessive pronoun, definite like a noun with ال (a subject between a
    verb and its object); not a preposition with a pronoun (فيها) nor a verb (قدمته)."""
    word = _forms(strip_tashkeel(word))[-1]
    return (
        word.endswith(("ه", "ها", "هم"))
        and not _with_pronoun(word)
        and len(word) >= 4
        and not verb_like(word.removesuffix("ها").removesuffix("هم").removesuffix("ه"))
    )


def _after_unlisted_verb(words: Sequence[str]) -> bool:
    """Is the number the object (or measure) of a verb the lists do not have, with its definite
    subject between (عيّنت المستشفى ستةَ صيادلة، تخزّن المحطة ألفَي متر مكعب) or before it
    (الشركة تملك خمسةَ مصانع)? A number after a subject is never its subject, so it is
    accusative; a number right after the verb may be its subject (يعمل ثلاثمئة عامل), so that
    is left nominative."""
    if words and _forms(strip_tashkeel(words[0]))[-1].endswith("وا") and verb_like(words[0]):
        return True  # اشتروا خمسة كتب: the plural ending is the subject, the number the object
    k = 0
    while (
        k < len(words)
        and k < 3
        and _kind(words[k]) is None
        and (words[k].startswith(("ال", "وال")) or (k == 0 and _has_own_pronoun(words[k])))
    ):
        k += 1
    if 0 < k < len(words) and words[k] in _DEMONSTRATIVES:
        k += 1  # صدّرت هذه المصانع مئةً واثنين وأربعين ألف طن
    if k == 0:
        return (
            bool(words) and verb_like(words[0]) and _subject_before(words[1:])
        )  # الحافلات السريعة تنقل خمسة وتسعين ألفا
    if k >= len(words) or not verb_like(words[k]) or _kind(words[k]) is not None:
        return False
    return k + 1 == len(words) or words[k + 1] in _OPENERS or words[k][:1] in ("و", "ف")


# Adverbs of time that may stand between a verb and its subject (قتل أمس خمسة أشخاص).
_ADVERBS: Final = frozenset("أمس اليوم الآن مؤخرا أيضا كذلك حتى صباح مساء فجر ليل".split())
# إنّ/أنّ with the pronoun that is the verb's subject (إنها اعتقلت، أنه أسقط): the verb is active.
_PRONOUN_SUBJECTS: Final = frozenset(
    p + s for p in ("إن", "أن", "لأن", "بأن", "وإن", "وأن") for s in ("ه", "ها", "هم", "هما", "هن")
)


# Verbs of visiting and attending: their subject is people, their object a place or event.
_VISIT_VERBS: Final = frozenset("زار زور حضر غادر ارتاد قصد أم".split())
# Nouns of people a crowd is counted in (singular and plural).
_PEOPLE: Final = frozenset(
    (
        "شخص أشخاص زائر زائرا زوار سائح سائحا سياح مشجع مشجعا مشجعين مشجعون متفرج متفرجا متفرجين "
        "مواطن مواطنا مواطنين مسافر مسافرا مسافرين حاج حاجا حجاج معتمر معتمرا معتمرين ضيف ضيفا ضيوف "
        "مشارك مشاركا مشاركين متظاهر متظاهرا متظاهرين طالب طالبا طلاب مصل مصليا مصلين لاجئ لاجئا لاجئين "
        "مهاجر مهاجرا مهاجرين عامل عاملا عمال شخصا نسمة وزير وزيرا وزراء مسؤول مسؤولا مسؤولين "
        "نائب نائبا نواب سفير سفيرا سفراء خبير خبيرا خبراء رئيس رئيسا رؤساء ممثل ممثلا ممثلين "
        "صحفي صحفيا صحفيين لاعب لاعبا لاعبين مندوب مندوبا مندوبين عضو عضوا أعضاء فنان فنانا فنانين "
        "طفل طفلا أطفال امرأة نساء رجل رجلا رجال عالم عالما علماء باحث باحثا باحثين مستثمر مستثمرا "
        "مستثمرين رجل أعمال شاب شابا شباب متطوع متطوعا متطوعين جندي جنديا جنود مدني مدنيا مدنيين "
        "أستاذ أستاذا أساتذة طبيب طبيبا أطباء معلم معلما معلمين ممرض ممرضا ممرضين صيدلي صيدليا صيادلة "
        "مهندس مهندسا مهندسين خبيرة طالبة طالبات"
    ).split()
)


def _stem_of(verb: str) -> str:
    """The listed past form a verb form was made from, as far as visiting verbs need it
    (وزارت → زار، يزورون → زور، حضرها → حضر)."""
    word = _forms(strip_tashkeel(verb))[-1]
    for suffix in ("ون", "وا", "ها", "ه", "ت", "ا"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    word = word[1:] if word[:1] == "س" and len(word) > 3 else word
    return word[1:] if word[:1] in ("ي", "ت") and len(word) > 3 else word


# «among them»: the number after it heads a clause of its own (بينهم ثلاثة أطفال).
_PARTITIVES: Final = frozenset("بينهم بينها بينهن بينهما منهم منها منهن منهما".split())
_DEMONSTRATIVES: Final = frozenset("هذا هذه ذلك تلك هذين هاتين".split())


def is_pointed(words: Sequence[str], i: int) -> bool:
    """Is words[i] a noun after a demonstrative (هذا العام، تلك الفترة)? It is then no construct."""
    return i + 1 < len(words) and words[i + 1] in _DEMONSTRATIVES and words[i].startswith("ال")


def _after_change(words: Sequence[str], i: int, measure: bool) -> Case:
    """A verb of change (or one news writes in the passive) at words[i]: the number is its object,
    accusative, when a subject stands between (قتل الجيش خمسة مسلحين), when إنّ's pronoun is
    its subject (قالت الشرطة إنها اعتقلت اثني عشر شخصا) or before a measure (تراجع اثنين في المئة);
    nominative when it counts the subject itself, right after the verb or after only a
    prepositional phrase or an adverb (قتل في الهجوم خمسة أشخاص، ارتفع عشرون سهما)."""
    pronoun = words[i + 1] if i + 1 < len(words) else ""
    if measure or (pronoun in _PRONOUN_SUBJECTS and (i == 0 or not pronoun.endswith(("نه", "أنه")))):
        return "acc"  # إنه قتل في الهجوم خمسة: إنّ's ه may be of the matter (ضمير الشأن), the verb passive
    if i == 0:
        return "nom"
    after_verb = words[i - 1]
    no_subject = _kind(after_verb) == "prep" or _forms(after_verb)[-1] in _ADVERBS
    return "nom" if no_subject else "acc"


def _is_passive(word: str) -> bool:
    """ضُبِطت، وقُتِل، وأُطلق: a past verb the writer marked passive (a damma on its first letter).
    A present's damma (يُنفق، تُسجل) is also the active of forms II and IV, so it proves nothing."""
    for cut in range(0, 2):
        head = word[cut:]
        if len(head) > 1 and head[1] == DAMMA and all(ch in "وف" for ch in word[:cut]):
            return head[0] not in "وفيتن"
    return False

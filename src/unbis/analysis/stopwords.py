"""Stop words per language (function words only: content words may be descriptor labels)."""

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """
        a an and are as at be but by for from has have he her his i if in into is it its of on or
        she such that the their them then there these they this to was were which will with would
        shall may not no also been being other than
        """.split()
    ),
    "fr": frozenset(
        """
        le la les un une des de du et en au aux ce ces cette dans par pour sur que qui ne pas est
        sont a ont se sa son ses leur leurs il elle ils elles ou mais avec plus comme été être d l
        qu s n c
        """.split()
    ),
    "es": frozenset(
        """
        el la los las un una unos unas de del y en a al que por para con no se su sus es son lo como
        más o pero este esta estos estas ha han sobre entre
        """.split()
    ),
    "ru": frozenset(
        """
        и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее
        мне было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был
        него до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо
        ней для мы тебя их чем была сам чтобы без будто чего раз тоже себе под будет ж тогда кто
        этот того потому этого какой совсем ним здесь этом один почти мой тем нее сейчас были куда
        зачем всех никогда можно при наконец два об другой хоть после над больше тот через эти нас
        про всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть
        том нельзя такой им более всегда конечно всю между
        """.split()
    ),
    "ar": frozenset(
        """
        في من على إلى عن مع أن إن ما لا هذا هذه التي الذي الذين كان كانت قد و أو ثم كل بين هو هي
        """.split()
    ),
}

"""Stop words per language: function words only (articles, pronouns, prepositions, conjunctions,
auxiliaries and their forms, particles).

Content words are kept out on purpose, even frequent ones, because any of them may be (part of) a
descriptor label: e.g. Spanish ``estado`` is a form of *estar* but also "State", French ``or`` is "gold",
Chinese 通过 is "through" but also "adopt (a resolution)", 可 starts 可持续 ("sustainable").
Lists are written in their usual spelling; analyzers fold them exactly like text (case, accents, ё,
Arabic alef/yeh/ta-marbuta variants) before use.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


STOPWORDS: dict[str, frozenset[str]] = {
    "en": _words(
        """
        a an the and but or nor if because as until while than so though although whether either neither
        of at by for with about against between into through during before after above below to from up
        down in out on off over under again further then once here there when where why how
        upon within without via per among amongst towards toward onto throughout
        all any both each few more most other some such no not only own same too very also
        i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
        hers herself it its itself they them their theirs themselves what which who whom whose this that
        these those
        am is are was were be been being have has had having do does did doing
        would should could ought might must shall will may can cannot
        isn aren wasn weren hasn haven hadn doesn didn wouldn shouldn couldn mustn shan ll ve re
        however thus therefore hence hereby herein thereof therein thereby whereby whereas wherein
        """
    ),
    "fr": _words(
        """
        le la les l un une des du de d au aux ce cet cette ces c ça ceci cela celui celle ceux celles ci là
        et ou mais donc ni car que qu quand lorsque lorsqu puisque puisqu si comme ainsi aussi
        à dans par pour sur sous avec sans entre vers chez contre depuis pendant selon afin envers parmi
        je j me m moi tu te t toi il elle on nous vous ils elles se s soi lui leur leurs eux y en
        mon ma mes ton ta tes son sa ses notre nos votre vos
        qui quoi dont où lequel laquelle lesquels lesquelles auquel auxquels auxquelles duquel desquels
        desquelles
        ne n pas plus même tout tous toute toutes tel telle tels telles autre autres chaque
        être été étée étées étés étant suis es est sommes êtes sont serai seras sera serons serez seront
        serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes fûtes furent
        sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent
        avoir ayant eu eue eues eus ai as a avons avez ont aurai auras aura aurons aurez auront aurais
        aurait aurions auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies
        ait ayons ayez aient eusse eusses eût eussions eussiez eussent
        """
    ),
    "es": _words(
        """
        el la lo los las un una unos unas al del de a ante bajo con contra desde durante en entre hacia
        hasta mediante para por según sin sobre tras
        y e o u ni que pero sino aunque porque pues como cuando donde si mientras
        yo me mí mi mis tú te ti tu tus él ella ello ellos ellas nos nosotros nosotras vos vosotros vosotras
        os le les se sí su sus usted ustedes
        mío mía míos mías tuyo tuya tuyos tuyas suyo suya suyos suyas nuestro nuestra nuestros nuestras
        vuestro vuestra vuestros vuestras
        este esta esto estos estas ese esa eso esos esas aquel aquella aquello aquellos aquellas
        quien quienes cual cuales cuyo cuya cuyos cuyas qué quién cuál cuándo dónde cómo
        no ya muy más menos tan tanto también tampoco todo toda todos todas otro otra otros otras
        algún alguno alguna algunos algunas algo cada mismo misma mismos mismas
        ser es son era eran fue fueron sea sean sería serían será serán sido siendo soy eres somos
        estar estoy estás está estamos están estaba estaban estuvo estuvieron esté estén estará estarán
        estando
        haber he has ha hemos han había habían hubo habrá habrán haya hayan habido habiendo hay
        """
    ),
    "ru": _words(
        """
        и а но или либо ни да же ли бы ведь если чтобы что чем как так также тоже то когда где куда
        в во на с со к ко по о об обо от до из изо за у для без при про под подо над перед через между
        после вокруг около среди согласно вследствие
        я мне меня мной ты тебе тебя тобой он его ему им нем него нему ним она ее ей ней нее оно мы нас
        нам нами вы вас вам вами они их них ими ним ними себя себе собой
        мой моя мое мои моего моей моих твой твоя твое твои свой своя свое свои своего своей своих своим
        своими своему своем наш наша наше наши нашего нашей наших ваш ваша ваше ваши
        этот эта это эти этого этой этих этим этими этом этому тот та те того той тех тем теми том тому
        который которая которое которые которого которой которых которым которыми котором которому
        весь вся все всего всей всех всем всеми всему каждый каждая каждое каждые
        не нет уже еще только даже вот там тут здесь теперь тогда потом
        быть был была было были будет будут буду будем есть является являются являлся являлась являлись
        может могут
        """
    ),
    "ar": _words(
        """
        في من على إلى الى عن مع ب ل ك حتى منذ لدى عند نحو حول دون ضد خلال عبر بين فوق تحت قبل بعد
        و أو او ثم ف بل لكن ولكن أم أما إما إذا اذا إذ لو لولا كي لكي
        أن إن ان أنه إنه أنها إنها ما لا لم لن ليس قد لقد سوف
        هذا هذه ذلك تلك هؤلاء أولئك هنا هناك
        الذي التي الذين اللذان اللتان اللذين اللتين اللواتي اللاتي
        هو هي هما هم هن أنا نحن أنت أنتم انت انتم
        كان كانت كانوا يكون تكون يكونون
        كل بعض أي أية غير أيضا ايضا كما مثل
        فيه فيها فيهم منه منها منهم عليه عليها عليهم إليه إليها به بها بهم له لها لهم
        وفي ومن وعلى وإلى وعن ومع وأن وإن وقد وهو وهي ولا وما وهذا وهذه وكان وكانت
        """
    ),
    "zh": _words(
        """
        的 地 得 之 了 着 过 吗 呢 吧 啊
        和 与 及 以及 或 或者 而 并 且 而且 并且 但 但是 然而 即 则 若 如果 虽然 因为 所以 因此 以便
        在 于 对 对于 为 以 将 把 被 从 由 向 自 至 关于
        其 此 该 这 那 这些 那些 这个 那个 这样 各 每 其他 其它
        是 也 都 又 还 就 所 等 等等
        我 你 他 她 它 我们 你们 他们 她们 它们
        """
    ),
}


#: Negations among the stop words, which the thesaurus matcher keeps as words (``get_matching_analyzer``):
#: a label's negation makes it another concept, often the opposite one. Dropped, ENFERMEDADES NO
#: TRANSMISIBLES reads as COMMUNICABLE DISEASES, ESTADOS SIN LITORAL as COASTAL STATES, الاتجار غير المشروع
#: ("illicit trafficking") as "legitimate trafficking", and any text saying "non-communicable" gives both.
NEGATIONS: dict[str, frozenset[str]] = {
    "en": _words("no not without"),
    "fr": _words("sans non"),
    "es": _words("no sin"),
    "ru": _words("не без"),
    "ar": _words("غير لا دون بدون عدم"),
}

#: Conjunctions: a compound label's words may stand on both sides of one ("international peace and
#: security" is INTERNATIONAL SECURITY), not of another function word ("representatives of the
#: Governments" is not REPRESENTATIVE GOVERNMENT). Folded as the analyzers fold surface words.
CONJUNCTIONS: dict[str, frozenset[str]] = {
    "en": _words("and or nor"),
    "fr": _words("et ou"),
    "es": _words("y e o u"),
    "ru": _words("и или"),
}


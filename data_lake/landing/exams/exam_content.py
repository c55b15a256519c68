"""The demo exams, written for this project: three short French exams (maths, physique-chimie,
SVT) with their corrections, plus what our authored "model" answers for each call of the scholar
chain (questions, answers, cleaning). `make_demo_exams.py` renders the PDFs and the replay file
from this.

Each question: number, question text (as printed in the sujet), context (statement it needs),
needs_figure, answer (as printed in the corrigé), multi_step/extra_context, and the cleaned
answer (reasoning in steps); `anomaly` marks an item the cleaning call flags.
"""

EXAMS = [
    {
        "stem": "bac-maths-2024",
        "title": "Baccalauréat 2024 - Mathématiques (spécialité)",
        "intro": "Durée : 1 heure. L'usage de la calculatrice est autorisé. Le sujet comporte "
                 "deux exercices indépendants. La qualité de la rédaction sera prise en compte.",
        "exercises": [
            {
                "heading": "EXERCICE 1 (5 points)",
                "statement": "On considère la suite (u_n) définie par u_0 = 2 et, pour tout entier "
                             "naturel n, u_(n+1) = 0,5 u_n + 3. On admet que cette suite est bien "
                             "définie pour tout entier naturel n.",
                "questions": [
                    {"number": "Exercice 1 - 1", "question": "Calculer u_1 et u_2.",
                     "answer": "u_1 = 0,5 x 2 + 3 = 4 et u_2 = 0,5 x 4 + 3 = 5.",
                     "clean": "On applique la relation de récurrence.\nÉtape 1 : $u_1 = 0{,}5 "
                              "\\times 2 + 3 = 4$.\nÉtape 2 : $u_2 = 0{,}5 \\times 4 + 3 = 5$.\n"
                              "Donc $u_1 = 4$ et $u_2 = 5$."},
                    {"number": "Exercice 1 - 2",
                     "question": "Démontrer par récurrence que, pour tout entier naturel n, "
                                 "u_n est inférieur ou égal à 6.",
                     "answer": "Initialisation : u_0 = 2, donc u_0 est inférieur à 6. Hérédité : "
                               "si u_n est inférieur ou égal à 6, alors 0,5 u_n est inférieur ou "
                               "égal à 3, donc u_(n+1) = 0,5 u_n + 3 est inférieur ou égal à 6. "
                               "Conclusion : la propriété est vraie pour tout n.",
                     "clean": "Notons $P(n)$ la propriété « $u_n \\leq 6$ ».\nÉtape 1 "
                              "(initialisation) : $u_0 = 2 \\leq 6$, donc $P(0)$ est vraie.\n"
                              "Étape 2 (hérédité) : supposons $u_n \\leq 6$. Alors $0{,}5\\,u_n "
                              "\\leq 3$, donc $u_{n+1} = 0{,}5\\,u_n + 3 \\leq 6$ : $P(n+1)$ est "
                              "vraie.\nÉtape 3 (conclusion) : par récurrence, $u_n \\leq 6$ pour "
                              "tout entier naturel $n$."},
                    {"number": "Exercice 1 - 3",
                     "question": "On pose v_n = u_n - 6. Montrer que la suite (v_n) est "
                                 "géométrique et en déduire la limite de (u_n).",
                     "answer": "v_(n+1) = u_(n+1) - 6 = 0,5 u_n - 3 = 0,5 (u_n - 6) = 0,5 v_n. "
                               "La suite (v_n) est géométrique de raison 0,5 et de premier terme "
                               "v_0 = -4. Comme 0 < 0,5 < 1, v_n tend vers 0, donc u_n tend vers 6.",
                     "multi_step": True,
                     "extra_context": "On a montré que u_n est inférieur ou égal à 6 pour tout n.",
                     "clean": "Étape 1 : $v_{n+1} = u_{n+1} - 6 = 0{,}5\\,u_n - 3 = 0{,}5\\,(u_n "
                              "- 6) = 0{,}5\\,v_n$.\nÉtape 2 : $(v_n)$ est donc géométrique de "
                              "raison $q = 0{,}5$ et de premier terme $v_0 = u_0 - 6 = -4$.\n"
                              "Étape 3 : comme $0 < q < 1$, $\\lim v_n = 0$, donc "
                              "$\\lim u_n = \\lim (v_n + 6) = 6$."},
                ],
            },
            {
                "heading": "EXERCICE 2 (5 points)",
                "statement": "Soit f la fonction définie sur l'intervalle [0 ; +inf[ par "
                             "f(x) = x e^(-x). On note C sa courbe représentative, tracée en "
                             "annexe.",
                "questions": [
                    {"number": "Exercice 2 - 1",
                     "question": "Montrer que, pour tout réel x positif, f'(x) = (1 - x) e^(-x).",
                     "answer": "f est dérivable comme produit de fonctions dérivables et "
                               "f'(x) = 1 x e^(-x) + x x (-e^(-x)) = (1 - x) e^(-x).",
                     "clean": "Étape 1 : $f$ est le produit de $u(x) = x$ et $v(x) = e^{-x}$, "
                              "dérivables sur $[0 ; +\\infty[$.\nÉtape 2 : $u'(x) = 1$ et "
                              "$v'(x) = -e^{-x}$.\nÉtape 3 : $f'(x) = u'v + uv' = e^{-x} - x\\,"
                              "e^{-x} = (1 - x)\\,e^{-x}$."},
                    {"number": "Exercice 2 - 2",
                     "question": "Par lecture graphique sur la courbe C donnée en annexe, "
                                 "conjecturer le nombre de solutions de l'équation f(x) = 0,2.",
                     "needs_figure": True,
                     "answer": "Sur le graphique, la droite d'équation y = 0,2 coupe la courbe "
                               "en deux points : il semble y avoir deux solutions.",
                     "clean": ""},
                    {"number": "Exercice 2 - 3", "question": "Donner la valeur exacte de f(0).",
                     "answer": "0",
                     "clean": "0"},
                ],
            },
        ],
    },
    {
        "stem": "bac-physique-chimie-2023",
        "title": "Baccalauréat 2023 - Physique-chimie (spécialité)",
        "intro": "Durée : 1 heure. Calculatrice autorisée. Les résultats numériques seront "
                 "donnés avec un nombre de chiffres significatifs adapté aux données.",
        "exercises": [
            {
                "heading": "EXERCICE 1 - Chute d'une bille (5 points)",
                "statement": "Une bille de masse m = 50 g est lâchée sans vitesse initiale depuis "
                             "une hauteur h = 20 m au-dessus du sol. On néglige les frottements "
                             "de l'air et on prend g = 9,8 m/s2. L'axe vertical (Oz) est orienté "
                             "vers le bas, son origine est le point de départ de la bille.",
                "questions": [
                    {"number": "Exercice 1 - 1",
                     "question": "En appliquant la deuxième loi de Newton, établir l'expression "
                                 "de la vitesse v(t) de la bille.",
                     "answer": "La bille n'est soumise qu'à son poids, donc m a = m g et a = g. "
                               "En intégrant avec v(0) = 0 : v(t) = g t.",
                     "clean": "Étape 1 : le système {bille} n'est soumis qu'à son poids "
                              "$\\vec{P} = m\\vec{g}$.\nÉtape 2 : la deuxième loi de Newton donne "
                              "$m\\vec{a} = m\\vec{g}$, donc $a_z = g$.\nÉtape 3 : on intègre "
                              "avec $v(0) = 0$ : $v(t) = g\\,t$."},
                    {"number": "Exercice 1 - 2",
                     "question": "Calculer la durée de la chute de la bille.",
                     "answer": "z(t) = g t^2 / 2, et la bille touche le sol quand z = h, d'où "
                               "t = racine(2h/g) = racine(40/9,8) = 2,0 s.",
                     "multi_step": True,
                     "extra_context": "On a établi que v(t) = g t.",
                     "clean": "Étape 1 : en intégrant $v(t) = g\\,t$ avec $z(0) = 0$, on obtient "
                              "$z(t) = \\frac{1}{2} g t^2$.\nÉtape 2 : la bille touche le sol quand "
                              "$z = h$, soit $t = \\sqrt{\\frac{2h}{g}}$.\nÉtape 3 : "
                              "$t = \\sqrt{\\frac{2 \\times 20}{9{,}8}} \\approx 2{,}0$ s."},
                ],
            },
            {
                "heading": "EXERCICE 2 - Une solution de chlorure de sodium (5 points)",
                "statement": "On dissout une masse m = 2,0 g de chlorure de sodium NaCl dans de "
                             "l'eau distillée pour obtenir un volume V = 250 mL de solution. "
                             "Donnée : M(NaCl) = 58,5 g/mol.",
                "questions": [
                    {"number": "Exercice 2 - 1",
                     "question": "Calculer la concentration en quantité de matière de la "
                                 "solution obtenue.",
                     "answer": "n = m / M = 2,0 / 58,5 = 3,4 x 10^-2 mol, puis "
                               "C = n / V = 3,4 x 10^-2 / 0,250 = 0,14 mol/L.",
                     "clean": "Étape 1 : $n = \\frac{m}{M} = \\frac{2{,}0}{58{,}5} \\approx "
                              "3{,}4 \\times 10^{-2}$ mol.\nÉtape 2 : $C = \\frac{n}{V} = "
                              "\\frac{3{,}4 \\times 10^{-2}}{0{,}250} \\approx 0{,}14$ mol/L."},
                    {"number": "Exercice 2 - 2",
                     "question": "Légender le schéma du montage de dilution représenté dans "
                                 "le document 1.",
                     "needs_figure": True,
                     "answer": "1 : pipette jaugée ; 2 : fiole jaugée ; 3 : trait de jauge.",
                     "clean": ""},
                    {"number": "Exercice 2 - 3",
                     "question": "Expliquer pourquoi la solution conduit le courant électrique.",
                     "answer": "La solution contient des ions Na+ et Cl- qui se déplacent et "
                               "transportent le courant.",
                     "clean": "Étape 1 : la dissolution du chlorure de sodium libère des ions "
                              "sodium et chlorure.\nÉtape 2 : ces ions se déplacent dans la "
                              "solution. The ions carry the current.",
                     "anomaly": "la réponse nettoyée contient encore une phrase en anglais"},
                ],
            },
        ],
    },
    {
        "stem": "bac-svt-2022",
        "title": "Baccalauréat 2022 - Sciences de la vie et de la Terre (spécialité)",
        "intro": "Durée : 1 heure. La calculatrice n'est pas autorisée. Les réponses seront "
                 "rédigées en phrases complètes et appuyées sur les connaissances du programme.",
        "exercises": [
            {
                "heading": "EXERCICE 1 - Génétique et division cellulaire (6 points)",
                "statement": "Chez l'être humain, les cellules somatiques possèdent 46 "
                             "chromosomes, soit 23 paires. Les gamètes sont produits par "
                             "méiose dans les gonades.",
                "questions": [
                    {"number": "Exercice 1 - 1",
                     "question": "Expliquer la différence entre la mitose et la méiose quant au "
                                 "nombre de chromosomes des cellules produites.",
                     "answer": "La mitose donne deux cellules filles à 46 chromosomes, identiques "
                               "à la cellule mère. La méiose donne quatre cellules à 23 "
                               "chromosomes : le nombre de chromosomes est divisé par deux.",
                     "clean": "Étape 1 : la mitose produit deux cellules filles identiques à la "
                              "cellule mère, avec 46 chromosomes (cellules diploïdes).\nÉtape 2 : "
                              "la méiose produit quatre cellules avec 23 chromosomes (cellules "
                              "haploïdes).\nConclusion : la méiose divise par deux le nombre de "
                              "chromosomes, la mitose le conserve."},
                    {"number": "Exercice 1 - 2",
                     "question": "Expliquer pourquoi deux enfants des mêmes parents sont "
                                 "génétiquement différents (hors vrais jumeaux).",
                     "answer": "Le brassage interchromosomique et intrachromosomique de la "
                               "méiose, puis la fécondation au hasard, produisent des "
                               "combinaisons d'allèles toujours nouvelles.",
                     "multi_step": True,
                     "extra_context": "La méiose produit des gamètes à 23 chromosomes.",
                     "clean": "Étape 1 : pendant la méiose, le brassage intrachromosomique "
                              "(crossing-over) et le brassage interchromosomique créent des "
                              "gamètes tous différents.\nÉtape 2 : la fécondation réunit au "
                              "hasard un gamète de chaque parent.\nConclusion : chaque enfant "
                              "reçoit une combinaison d'allèles unique."},
                ],
            },
            {
                "heading": "EXERCICE 2 - Régulation de la glycémie (4 points)",
                "statement": "La glycémie est la concentration de glucose dans le sang. Chez "
                             "une personne en bonne santé, elle reste proche de 1 g/L. Le "
                             "document 2 présente l'évolution de la glycémie après un repas.",
                "questions": [
                    {"number": "Exercice 2 - 1",
                     "question": "Nommer l'hormone hypoglycémiante et l'organe qui la produit.",
                     "answer": "L'insuline, produite par les cellules bêta des îlots de "
                               "Langerhans du pancréas.",
                     "clean": "Étape 1 : l'hormone qui fait baisser la glycémie est "
                              "l'insuline.\nÉtape 2 : elle est sécrétée par les cellules bêta "
                              "des îlots de Langerhans du pancréas."},
                    {"number": "Exercice 2 - 2",
                     "question": "À partir du document 2, décrire l'évolution de la glycémie "
                                 "pendant les deux heures qui suivent le repas.",
                     "needs_figure": True,
                     "answer": "La glycémie monte jusqu'à 1,4 g/L une heure après le repas puis "
                               "redescend vers 1 g/L.",
                     "clean": ""},
                    {"number": "Exercice 2 - 3",
                     "question": "Expliquer ce qu'est le diabète de type 1.",
                     "answer": "Le diabète de type 1 est une maladie auto-immune : les cellules "
                               "bêta du pancréas sont détruites et l'insuline n'est plus produite.",
                     "clean": "Étape 1 : dans le diabète de type 1, le système immunitaire "
                              "détruit les cellules bêta du pancréas.\nÉtape 2 : l'insuline n'est "
                              "plus produite, la glycémie reste élevée ($> 1{,}26 g/L à jeun)."},
                ],
            },
        ],
    },
]

# a scanned exam (pages are images, no text layer) and its corrigé
SCANNED = {
    "stem": "bac-maths-2021",
    "sujet": "Baccalauréat 2021 - Mathématiques. EXERCICE 1. Résoudre dans R l'équation "
             "2x + 3 = 11. Justifier chaque étape du calcul.",
    "corrige": "Corrigé - Baccalauréat 2021 - Mathématiques. EXERCICE 1. On soustrait 3 aux "
               "deux membres : 2x = 8, puis on divise par 2 : x = 4. L'unique solution est 4.",
}
# a damaged exam file and its corrigé
CORRUPT = {
    "stem": "bac-nsi-2020",
    "corrige": "Corrigé - Baccalauréat 2020 - Numérique et sciences informatiques. EXERCICE 1. "
               "La fonction renvoie la somme des éléments de la liste passée en paramètre.",
    # a last page of the corrigé that is only a picture of its text (scanned and stapled on)
    "annexe": "Annexe - Complexité. Pour une liste de n éléments, la fonction effectue n "
              "additions : son coût est en O(n). La somme des entiers de 1 à n vaut n(n+1)/2.",
}
# what the vision model reads on the annex page (the replayed transcription)
ANNEXE_TRANSCRIPTION = (
    "## Annexe - Complexité\n\nPour une liste de $n$ éléments, la fonction effectue $n$ additions : "
    "son coût est en $O(n)$. La somme des entiers de $1$ à $n$ vaut $\\frac{n(n+1)}{2}$.")
# the replayed answer for the scanned sujet: a translation into English, which the vision
# fallback's own checks reject (not_french), so the scan stays quarantined
SCAN_TRANSCRIPTION = (
    "Baccalaureate 2021 - Mathematics. EXERCISE 1. Solve the equation $2x + 3 = 11$ in the set "
    "of real numbers. Justify each step of the computation. Solve the equation $2x + 3 = 11$ "
    "in the set of real numbers.")
# a sujet whose corrigé was never dropped: listed as unpaired
ORPHAN = {
    "stem": "bac-maths-2019",
    "sujet": "Baccalauréat 2019 - Mathématiques. EXERCICE 1. Étudier les variations de la "
             "fonction g définie sur R par g(x) = x^2 - 4x + 1.",
}

# ruff: noqa: E501
"""New msgids of the pay branch (withholding key formula, employer contributions), with their
French, Dutch and English texts, for the lead to put in the catalogs."""

TR = {
    "Where the figures of this period come from.": {
        "fr": "D'où viennent les chiffres de cette période.",
        "nl": "Waar de cijfers van deze periode vandaan komen.",
        "en": "Where the figures of this period come from.",
    },
    "lump-sum professional expenses (%)": {
        "fr": "frais professionnels forfaitaires (%)",
        "nl": "forfaitaire beroepskosten (%)",
        "en": "lump-sum professional expenses (%)",
    },
    "Of the yearly taxable pay.": {
        "fr": "De la rémunération imposable annuelle.",
        "nl": "Van het jaarlijkse belastbare loon.",
        "en": "Of the yearly taxable pay.",
    },
    "lump-sum professional expenses: yearly cap": {
        "fr": "frais professionnels forfaitaires : maximum annuel",
        "nl": "forfaitaire beroepskosten: jaarlijks maximum",
        "en": "lump-sum professional expenses: yearly cap",
    },
    "reduction for the tax-free sum (yearly)": {
        "fr": "réduction pour la quotité exemptée (annuelle)",
        "nl": "vermindering voor de belastingvrije som (jaarlijks)",
        "en": "reduction for the tax-free sum (yearly)",
    },
    "Taken once from the yearly tax in scale I, twice in scale II.": {
        "fr": "Déduite une fois de l'impôt annuel au barème I, deux fois au barème II.",
        "nl": "Eenmaal afgetrokken van de jaarbelasting in schaal I, tweemaal in schaal II.",
        "en": "Taken once from the yearly tax in scale I, twice in scale II.",
    },
    "marital quotient (%)": {
        "fr": "quotient conjugal (%)",
        "nl": "huwelijksquotiënt (%)",
        "en": "marital quotient (%)",
    },
    "Scale II: the share of the yearly net taxable pay taxed apart.": {
        "fr": "Barème II : la part de la rémunération nette imposable annuelle imposée à part.",
        "nl": "Schaal II: het deel van het jaarlijkse netto belastbare loon dat apart belast wordt.",
        "en": "Scale II: the share of the yearly net taxable pay taxed apart.",
    },
    "marital quotient: yearly cap": {
        "fr": "quotient conjugal : maximum annuel",
        "nl": "huwelijksquotiënt: jaarlijks maximum",
        "en": "marital quotient: yearly cap",
    },
    "rounding of each step": {
        "fr": "arrondi de chaque étape",
        "nl": "afronding van elke stap",
        "en": "rounding of each step",
    },
    "to the nearest cent, half up": {
        "fr": "au cent le plus proche, demi vers le haut",
        "nl": "op de dichtste cent, half naar boven",
        "en": "to the nearest cent, half up",
    },
    "down to the cent": {
        "fr": "au cent inférieur",
        "nl": "naar beneden op de cent",
        "en": "down to the cent",
    },
    "Scale I: single, or spouse with own income": {
        "fr": "Barème I : isolé, ou conjoint avec revenus propres",
        "nl": "Schaal I: alleenstaande, of partner met eigen inkomen",
        "en": "Scale I: single, or spouse with own income",
    },
    "Scale II: spouse without own professional income": {
        "fr": "Barème II : conjoint sans revenus professionnels propres",
        "nl": "Schaal II: partner zonder eigen beroepsinkomen",
        "en": "Scale II: spouse without own professional income",
    },
    "The withholding scale is I or II.": {
        "fr": "Le barème du précompte est I ou II.",
        "nl": "De schaal van de bedrijfsvoorheffing is I of II.",
        "en": "The withholding scale is I or II.",
    },
    "White-collar employee": {
        "fr": "Employé",
        "nl": "Bediende",
        "en": "White-collar employee",
    },
    "Manual worker (108 %)": {
        "fr": "Ouvrier (108 %)",
        "nl": "Arbeider (108 %)",
        "en": "Manual worker (108 %)",
    },
    "Artist (art. 1bis)": {
        "fr": "Artiste (art. 1bis)",
        "nl": "Kunstenaar (art. 1bis)",
        "en": "Artist (art. 1bis)",
    },
    "worker category": {
        "fr": "catégorie de travailleur",
        "nl": "categorie werknemer",
        "en": "worker category",
    },
    "contribution base (% of gross)": {
        "fr": "base des cotisations (% du brut)",
        "nl": "bijdragebasis (% van het brutoloon)",
        "en": "contribution base (% of gross)",
    },
    "basic employer contribution (%)": {
        "fr": "cotisation patronale de base (%)",
        "nl": "basiswerkgeversbijdrage (%)",
        "en": "basic employer contribution (%)",
    },
    "annual holiday-pay contribution (%)": {
        "fr": "cotisation annuelle de vacances (%)",
        "nl": "jaarlijkse vakantiebijdrage (%)",
        "en": "annual holiday-pay contribution (%)",
    },
    "Manual workers and artists: paid to the holiday fund (ONVA).": {
        "fr": "Ouvriers et artistes : versée à la caisse de vacances (ONVA).",
        "nl": "Arbeiders en kunstenaars: betaald aan het vakantiefonds (RJV).",
        "en": "Manual workers and artists: paid to the holiday fund (ONVA).",
    },
    "structural reduction applies": {
        "fr": "la réduction structurelle s'applique",
        "nl": "de structurele vermindering is van toepassing",
        "en": "structural reduction applies",
    },
    "employer contribution rate": {
        "fr": "taux de cotisation patronale",
        "nl": "werkgeversbijdragevoet",
        "en": "employer contribution rate",
    },
    "employer contribution rates": {
        "fr": "taux de cotisation patronale",
        "nl": "werkgeversbijdragevoeten",
        "en": "employer contribution rates",
    },
    "flat amount F (a quarter)": {
        "fr": "montant forfaitaire F (par trimestre)",
        "nl": "forfaitair bedrag F (per kwartaal)",
        "en": "flat amount F (a quarter)",
    },
    "low-wage threshold S0 (a quarter)": {
        "fr": "plafond bas salaires S0 (par trimestre)",
        "nl": "loongrens lage lonen S0 (per kwartaal)",
        "en": "low-wage threshold S0 (a quarter)",
    },
    "low-wage coefficient α": {
        "fr": "coefficient bas salaires α",
        "nl": "coëfficiënt lage lonen α",
        "en": "low-wage coefficient α",
    },
    "very-low-wage threshold S2 (a quarter)": {
        "fr": "plafond très bas salaires S2 (par trimestre)",
        "nl": "loongrens zeer lage lonen S2 (per kwartaal)",
        "en": "very-low-wage threshold S2 (a quarter)",
    },
    "very-low-wage coefficient γ": {
        "fr": "coefficient très bas salaires γ",
        "nl": "coëfficiënt zeer lage lonen γ",
        "en": "very-low-wage coefficient γ",
    },
    "structural reduction": {
        "fr": "réduction structurelle",
        "nl": "structurele vermindering",
        "en": "structural reduction",
    },
    "structural reductions": {
        "fr": "réductions structurelles",
        "nl": "structurele verminderingen",
        "en": "structural reductions",
    },
    "The work fraction is above 0 and at most 1.": {
        "fr": "La fraction d'occupation est supérieure à 0 et au plus 1.",
        "nl": "De tewerkstellingsbreuk is groter dan 0 en ten hoogste 1.",
        "en": "The work fraction is above 0 and at most 1.",
    },
    "The worker category %(category)s has no employer rates in force on %(day)s.": {
        "fr": "La catégorie de travailleur %(category)s n'a pas de taux patronaux en vigueur le %(day)s.",
        "nl": "De categorie werknemer %(category)s heeft geen werkgeversbijdragen van kracht op %(day)s.",
        "en": "The worker category %(category)s has no employer rates in force on %(day)s.",
    },
}

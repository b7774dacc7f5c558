"""New msgids of the portalui branch (issue 16: menu, invoice table, forms), for the lead."""

TR = {
    "Menu": {"fr": "Menu", "nl": "Menu", "en": "Menu"},
    "Sort by": {"fr": "Trier par", "nl": "Sorteren op", "en": "Sort by"},
    "Most recent first": {
        "fr": "Les plus récentes d’abord",
        "nl": "Meest recente eerst",
        "en": "Most recent first",
    },
    "%(column)s, ascending": {
        "fr": "%(column)s, croissant",
        "nl": "%(column)s, oplopend",
        "en": "%(column)s, ascending",
    },
    "%(column)s, descending": {
        "fr": "%(column)s, décroissant",
        "nl": "%(column)s, aflopend",
        "en": "%(column)s, descending",
    },
    "Excl. VAT": {"fr": "Hors TVA", "nl": "Excl. btw", "en": "Excl. VAT"},
    "Documents": {"fr": "Documents", "nl": "Documenten", "en": "Documents"},
    "Draft": {"fr": "Brouillon", "nl": "Ontwerp", "en": "Draft"},
    "Every row of the filters, all pages; credit notes deducted.": {
        "fr": "Toutes les lignes filtrées, toutes pages confondues ; notes de crédit déduites.",
        "nl": "Alle gefilterde regels, over alle pagina's; creditnota's afgetrokken.",
        "en": "Every row of the filters, all pages; credit notes deducted.",
    },
    "Total of %(counter)s document": {
        "plural": "Total of %(counter)s documents",
        "fr": ["Total de %(counter)s document", "Total de %(counter)s documents"],
        "nl": ["Totaal van %(counter)s document", "Totaal van %(counter)s documenten"],
        "en": ["Total of %(counter)s document", "Total of %(counter)s documents"],
    },
    "Send one receipt: the photo or the file, not both.": {
        "fr": "Envoyez un seul justificatif : la photo ou le fichier, pas les deux.",
        "nl": "Stuur één bewijsstuk: de foto of het bestand, niet beide.",
        "en": "Send one receipt: the photo or the file, not both.",
    },
    "Take a photo": {"fr": "Prendre une photo", "nl": "Foto nemen", "en": "Take a photo"},
    "Choose a file (photo or PDF)": {
        "fr": "Choisir un fichier (photo ou PDF)",
        "nl": "Bestand kiezen (foto of pdf)",
        "en": "Choose a file (photo or PDF)",
    },
}

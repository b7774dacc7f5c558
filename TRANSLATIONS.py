"""New msgids of helper dimona (issue 16: Dimona OUT/cancel, contract PDF mentions, funding
agreements), with their French, Dutch and English texts, for the lead to put in the catalogs."""

TR = {
    # --- Dimona OUT and cancellation ---
    "withdrawn: not needed": {"fr": "retirée : plus nécessaire", "nl": "ingetrokken: niet meer nodig", "en": "withdrawn: not needed"},
    "IN declaration": {"fr": "déclaration IN", "nl": "IN-aangifte", "en": "IN declaration"},
    "sends again": {"fr": "renvoie", "nl": "verstuurt opnieuw", "en": "sends again"},
    "Not sent: the IN it is about was refused or withdrawn.": {
        "fr": "Non envoyée : la déclaration IN qu'elle concerne a été refusée ou retirée.",
        "nl": "Niet verstuurd: de IN-aangifte waarop ze betrekking heeft, werd geweigerd of ingetrokken.",
        "en": "Not sent: the IN it is about was refused or withdrawn.",
    },
    "Not sent: the contract was cancelled before its IN went out.": {
        "fr": "Non envoyée : le contrat a été annulé avant l'envoi de sa déclaration IN.",
        "nl": "Niet verstuurd: het contract werd geannuleerd voordat de IN-aangifte vertrok.",
        "en": "Not sent: the contract was cancelled before its IN went out.",
    },
    "Only a refused declaration can be sent again: this one is %(status)s.": {
        "fr": "Seule une déclaration refusée peut être renvoyée : celle-ci est %(status)s.",
        "nl": "Alleen een geweigerde aangifte kan opnieuw worden verstuurd: deze is %(status)s.",
        "en": "Only a refused declaration can be sent again: this one is %(status)s.",
    },
    "This refused declaration was already sent again.": {
        "fr": "Cette déclaration refusée a déjà été renvoyée.",
        "nl": "Deze geweigerde aangifte werd al opnieuw verstuurd.",
        "en": "This refused declaration was already sent again.",
    },
    "Contract %(reference)s is %(status)s: this declaration no longer applies.": {
        "fr": "Le contrat %(reference)s est %(status)s : cette déclaration ne s'applique plus.",
        "nl": "Contract %(reference)s is %(status)s: deze aangifte is niet meer van toepassing.",
        "en": "Contract %(reference)s is %(status)s: this declaration no longer applies.",
    },
    "Contract %(reference)s already has a %(kind)s declaration that stands.": {
        "fr": "Le contrat %(reference)s a déjà une déclaration %(kind)s valable.",
        "nl": "Contract %(reference)s heeft al een geldige aangifte %(kind)s.",
        "en": "Contract %(reference)s already has a %(kind)s declaration that stands.",
    },
    "Contract %(reference)s has no IN that stands: there is nothing to end or cancel.": {
        "fr": "Le contrat %(reference)s n'a pas de déclaration IN valable : rien à clôturer ni à annuler.",
        "nl": "Contract %(reference)s heeft geen geldige IN-aangifte: er valt niets te beëindigen of te annuleren.",
        "en": "Contract %(reference)s has no IN that stands: there is nothing to end or cancel.",
    },
    "Contract %(reference)s started on %(day)s: a contract whose work has started can't be cancelled (the Dimona IN stands). An advisor ends it instead, on the last day worked (Dimona OUT).": {
        "fr": "Le contrat %(reference)s a commencé le %(day)s : un contrat dont le travail a commencé ne peut plus être annulé (la Dimona IN reste). Un·e conseiller·e y met fin à la place, au dernier jour presté (Dimona OUT).",
        "nl": "Contract %(reference)s is begonnen op %(day)s: een contract waarvan het werk begonnen is, kan niet meer worden geannuleerd (de Dimona IN blijft). Een adviseur beëindigt het in de plaats, op de laatste gewerkte dag (Dimona OUT).",
        "en": "Contract %(reference)s started on %(day)s: a contract whose work has started can't be cancelled (the Dimona IN stands). An advisor ends it instead, on the last day worked (Dimona OUT).",
    },
    "Say why the contract ends.": {
        "fr": "Dites pourquoi le contrat prend fin.",
        "nl": "Zeg waarom het contract eindigt.",
        "en": "Say why the contract ends.",
    },
    "Contract %(reference)s is cancelled: it can't be ended.": {
        "fr": "Le contrat %(reference)s est annulé : on ne peut pas y mettre fin.",
        "nl": "Contract %(reference)s is geannuleerd: het kan niet worden beëindigd.",
        "en": "Contract %(reference)s is cancelled: it can't be ended.",
    },
    "Contract %(reference)s was already ended on %(day)s (Dimona OUT recorded).": {
        "fr": "Il a déjà été mis fin au contrat %(reference)s le %(day)s (Dimona OUT enregistrée).",
        "nl": "Contract %(reference)s werd al beëindigd op %(day)s (Dimona OUT geregistreerd).",
        "en": "Contract %(reference)s was already ended on %(day)s (Dimona OUT recorded).",
    },
    "The contract starts on %(day)s: it can't end before. A contract whose work has not started is cancelled instead.": {
        "fr": "Le contrat commence le %(day)s : il ne peut pas prendre fin avant. Un contrat dont le travail n'a pas commencé est annulé à la place.",
        "nl": "Het contract begint op %(day)s: het kan niet vroeger eindigen. Een contract waarvan het werk niet begonnen is, wordt in de plaats geannuleerd.",
        "en": "The contract starts on %(day)s: it can't end before. A contract whose work has not started is cancelled instead.",
    },
    "The contract ends on %(day)s: an end is declared only before that day (a fixed-term contract ends on its end date by itself).": {
        "fr": "Le contrat se termine le %(day)s : une fin ne se déclare qu'avant ce jour (un contrat à durée déterminée se termine de lui-même à sa date de fin).",
        "nl": "Het contract eindigt op %(day)s: een einde wordt alleen vóór die dag aangegeven (een contract van bepaalde duur eindigt vanzelf op zijn einddatum).",
        "en": "The contract ends on %(day)s: an end is declared only before that day (a fixed-term contract ends on its end date by itself).",
    },
    "Contract %(reference)s has no Dimona IN that stands: correct the IN first.": {
        "fr": "Le contrat %(reference)s n'a pas de Dimona IN valable : corrigez d'abord la déclaration IN.",
        "nl": "Contract %(reference)s heeft geen geldige Dimona IN: verbeter eerst de IN-aangifte.",
        "en": "Contract %(reference)s has no Dimona IN that stands: correct the IN first.",
    },
    "Dimona history": {"fr": "Historique Dimona", "nl": "Dimona-geschiedenis", "en": "Dimona history"},
    "Last day of work": {"fr": "Dernier jour de travail", "nl": "Laatste werkdag", "en": "Last day of work"},
    "The days after it are freed; a Dimona OUT is declared.": {
        "fr": "Les jours suivants sont libérés ; une Dimona OUT est déclarée.",
        "nl": "De dagen erna worden vrijgegeven; er wordt een Dimona OUT aangegeven.",
        "en": "The days after it are freed; a Dimona OUT is declared.",
    },
    "Only before the work starts. Their days are freed and a Dimona cancellation is recorded. A contract whose work has started is ended instead.": {
        "fr": "Uniquement avant le début du travail. Leurs jours sont libérés et une annulation Dimona est enregistrée. Il est mis fin, à la place, à un contrat dont le travail a commencé.",
        "nl": "Alleen vóór het werk begint. Hun dagen worden vrijgegeven en een Dimona-annulering wordt geregistreerd. Een contract waarvan het werk begonnen is, wordt in de plaats beëindigd.",
        "en": "Only before the work starts. Their days are freed and a Dimona cancellation is recorded. A contract whose work has started is ended instead.",
    },
    "End early (Dimona OUT)": {"fr": "Mettre fin anticipativement (Dimona OUT)", "nl": "Vervroegd beëindigen (Dimona OUT)", "en": "End early (Dimona OUT)"},
    "End contracts early": {"fr": "Mettre fin anticipativement à des contrats", "nl": "Contracten vervroegd beëindigen", "en": "End contracts early"},
    "The contract ends on the last day of work given: the days after are freed and not paid, and a Dimona OUT is declared to the social security.": {
        "fr": "Le contrat prend fin au dernier jour de travail indiqué : les jours suivants sont libérés et non payés, et une Dimona OUT est déclarée à la sécurité sociale.",
        "nl": "Het contract eindigt op de opgegeven laatste werkdag: de dagen erna worden vrijgegeven en niet betaald, en er wordt een Dimona OUT aangegeven bij de sociale zekerheid.",
        "en": "The contract ends on the last day of work given: the days after are freed and not paid, and a Dimona OUT is declared to the social security.",
    },
    "planned end: %(day)s": {"fr": "fin prévue : %(day)s", "nl": "geplande einddatum: %(day)s", "en": "planned end: %(day)s"},
    "%(count)d contract ended.": {
        "plural": "%(count)d contracts ended.",
        "fr": ["%(count)d contrat clôturé.", "%(count)d contrats clôturés."],
        "nl": ["%(count)d contract beëindigd.", "%(count)d contracten beëindigd."],
        "en": ["%(count)d contract ended.", "%(count)d contracts ended."],
    },
    "Send again (refused, once corrected)": {
        "fr": "Renvoyer (refusée, une fois corrigée)",
        "nl": "Opnieuw versturen (geweigerd, eenmaal verbeterd)",
        "en": "Send again (refused, once corrected)",
    },
    "Send refused Dimona declarations again": {
        "fr": "Renvoyer des déclarations Dimona refusées",
        "nl": "Geweigerde Dimona-aangiften opnieuw versturen",
        "en": "Send refused Dimona declarations again",
    },
    "Correct the cause first (the worker's file, the contract). Each is sent again with the data as it is now; the refused one stays in the contract's history.": {
        "fr": "Corrigez d'abord la cause (la fiche du travailleur ou de la travailleuse, le contrat). Chacune est renvoyée avec les données actuelles ; la déclaration refusée reste dans l'historique du contrat.",
        "nl": "Verbeter eerst de oorzaak (de fiche van de werknemer, het contract). Elke aangifte wordt opnieuw verstuurd met de huidige gegevens; de geweigerde blijft in de geschiedenis van het contract.",
        "en": "Correct the cause first (the worker's file, the contract). Each is sent again with the data as it is now; the refused one stays in the contract's history.",
    },
    "%(count)d declaration to send again.": {
        "plural": "%(count)d declarations to send again.",
        "fr": ["%(count)d déclaration à renvoyer.", "%(count)d déclarations à renvoyer."],
        "nl": ["%(count)d aangifte opnieuw te versturen.", "%(count)d aangiften opnieuw te versturen."],
        "en": ["%(count)d declaration to send again.", "%(count)d declarations to send again."],
    },
    "Dimona declarations refused": {"fr": "Déclarations Dimona refusées", "nl": "Geweigerde Dimona-aangiften", "en": "Dimona declarations refused"},
    # --- contract PDF: joint committee and place of work ---
    "JC 200 · Supplementary joint committee for employees": {
        "fr": "CP 200 · Commission paritaire auxiliaire pour employés",
        "nl": "PC 200 · Aanvullend paritair comité voor de bedienden",
        "en": "JC 200 · Supplementary joint committee for employees",
    },
    "JC 304 · Joint committee for the performing arts": {
        "fr": "CP 304 · Commission paritaire du spectacle",
        "nl": "PC 304 · Paritair comité voor het vermakelijkheidsbedrijf",
        "en": "JC 304 · Joint committee for the performing arts",
    },
    "JC 329.02 · Socio-cultural sector (French and German communities)": {
        "fr": "CP 329.02 · Secteur socioculturel (Communautés française et germanophone)",
        "nl": "PC 329.02 · Socio-culturele sector (Franse en Duitstalige Gemeenschap)",
        "en": "JC 329.02 · Socio-cultural sector (French and German communities)",
    },
    "joint committee": {"fr": "commission paritaire", "nl": "paritair comité", "en": "joint committee"},
    "Joint committee": {"fr": "Commission paritaire", "nl": "Paritair comité", "en": "Joint committee"},
    "Copied on each new contract of this type: a signed contract keeps its own.": {
        "fr": "Recopiée sur chaque nouveau contrat de ce type : un contrat signé garde la sienne.",
        "nl": "Overgenomen op elk nieuw contract van dit type: een ondertekend contract behoudt het zijne.",
        "en": "Copied on each new contract of this type: a signed contract keeps its own.",
    },
    "place of work": {"fr": "lieu de travail", "nl": "plaats van tewerkstelling", "en": "place of work"},
    "Place of work": {"fr": "Lieu de travail", "nl": "Plaats van tewerkstelling", "en": "Place of work"},
    "Empty: at the client's.": {"fr": "Vide : chez le client ou la cliente.", "nl": "Leeg: bij de klant.", "en": "Empty: at the client's."},
    "Empty: the unit holder's address.": {
        "fr": "Vide : l'adresse du ou de la titulaire de l'unité.",
        "nl": "Leeg: het adres van de houder van de eenheid.",
        "en": "Empty: the unit holder's address.",
    },
    "As the member gave it; empty: at the client's (3en1) or the unit holder's address.": {
        "fr": "Tel que le ou la sociétaire l'a indiqué ; vide : chez le client ou la cliente (3en1) ou à l'adresse du ou de la titulaire de l'unité.",
        "nl": "Zoals de vennoot het opgaf; leeg: bij de klant (3en1) of op het adres van de houder van de eenheid.",
        "en": "As the member gave it; empty: at the client's (3en1) or the unit holder's address.",
    },
    "Printed on the contract. Left empty: at the client's.": {
        "fr": "Imprimé sur le contrat. Laissé vide : chez le client ou la cliente.",
        "nl": "Wordt op het contract gedrukt. Leeg gelaten: bij de klant.",
        "en": "Printed on the contract. Left empty: at the client's.",
    },
    "Printed on the contract. Left empty: the unit holder's address.": {
        "fr": "Imprimé sur le contrat. Laissé vide : l'adresse du ou de la titulaire de l'unité.",
        "nl": "Wordt op het contract gedrukt. Leeg gelaten: het adres van de houder van de eenheid.",
        "en": "Printed on the contract. Left empty: the unit holder's address.",
    },
    "Printed on the contract; empty: the default place.": {
        "fr": "Imprimé sur le contrat ; vide : le lieu par défaut.",
        "nl": "Wordt op het contract gedrukt; leeg: de standaardplaats.",
        "en": "Printed on the contract; empty: the default place.",
    },
    "At the client's: %(client)s, %(address)s": {
        "fr": "Chez le client ou la cliente : %(client)s, %(address)s",
        "nl": "Bij de klant: %(client)s, %(address)s",
        "en": "At the client's: %(client)s, %(address)s",
    },
    # --- funding agreements ---
    "funder": {"fr": "bailleur de fonds", "nl": "financier", "en": "funder"},
    "Funder": {"fr": "Bailleur de fonds", "nl": "Financier", "en": "Funder"},
    "The funder's file number.": {"fr": "Le numéro de dossier du bailleur de fonds.", "nl": "Het dossiernummer van de financier.", "en": "The funder's file number."},
    "Counts in the mutual contribution of this month.": {
        "fr": "Compte dans la contribution mutualisée de ce mois.",
        "nl": "Telt mee in de gemutualiseerde bijdrage van deze maand.",
        "en": "Counts in the mutual contribution of this month.",
    },
    "period from": {"fr": "période du", "nl": "periode van", "en": "period from"},
    "period to": {"fr": "période au", "nl": "periode tot", "en": "period to"},
    "agreement document": {"fr": "document de la convention", "nl": "document van de overeenkomst", "en": "agreement document"},
    "funding agreement": {"fr": "convention de financement", "nl": "financieringsovereenkomst", "en": "funding agreement"},
    "funding agreements": {"fr": "conventions de financement", "nl": "financieringsovereenkomsten", "en": "funding agreements"},
    "The period ends on %(end)s, before it starts (%(start)s).": {
        "fr": "La période se termine le %(end)s, avant son début (%(start)s).",
        "nl": "De periode eindigt op %(end)s, vóór ze begint (%(start)s).",
        "en": "The period ends on %(end)s, before it starts (%(start)s).",
    },
    "Give the amount excl. VAT, e.g. 2500.00.": {
        "fr": "Indiquez le montant HTVA, par ex. 2500,00.",
        "nl": "Geef het bedrag excl. btw, bv. 2500,00.",
        "en": "Give the amount excl. VAT, e.g. 2500.00.",
    },
    "The amount excl. VAT must be more than 0.": {
        "fr": "Le montant HTVA doit être supérieur à 0.",
        "nl": "Het bedrag excl. btw moet groter zijn dan 0.",
        "en": "The amount excl. VAT must be more than 0.",
    },
    "The amount is counted in cents: at most two decimals.": {
        "fr": "Le montant se compte en cents : deux décimales au plus.",
        "nl": "Het bedrag wordt in cent geteld: hoogstens twee decimalen.",
        "en": "The amount is counted in cents: at most two decimals.",
    },
    "Give the date the funding was received.": {
        "fr": "Indiquez la date de réception du financement.",
        "nl": "Geef de datum waarop de financiering ontvangen werd.",
        "en": "Give the date the funding was received.",
    },
    "The date received can't be in the future.": {
        "fr": "La date de réception ne peut pas être dans le futur.",
        "nl": "De ontvangstdatum kan niet in de toekomst liggen.",
        "en": "The date received can't be in the future.",
    },
    "The mutual contribution of %(month)s is already computed: record the funding with a date of a month not yet computed.": {
        "fr": "La contribution mutualisée de %(month)s est déjà calculée : enregistrez le financement à une date d'un mois pas encore calculé.",
        "nl": "De gemutualiseerde bijdrage van %(month)s is al berekend: registreer de financiering met een datum van een maand die nog niet berekend is.",
        "en": "The mutual contribution of %(month)s is already computed: record the funding with a date of a month not yet computed.",
    },
    "Name the funder (e.g. Fédération Wallonie-Bruxelles).": {
        "fr": "Nommez le bailleur de fonds (par ex. Fédération Wallonie-Bruxelles).",
        "nl": "Noem de financier (bv. Vlaamse Gemeenschap).",
        "en": "Name the funder (e.g. Fédération Wallonie-Bruxelles).",
    },
    "The document is a PDF or a picture (JPEG, PNG).": {
        "fr": "Le document est un PDF ou une image (JPEG, PNG).",
        "nl": "Het document is een pdf of een afbeelding (JPEG, PNG).",
        "en": "The document is a PDF or a picture (JPEG, PNG).",
    },
    "The document is larger than 10 MB.": {
        "fr": "Le document dépasse 10 Mo.",
        "nl": "Het document is groter dan 10 MB.",
        "en": "The document is larger than 10 MB.",
    },
    "Funding: %(funder)s": {"fr": "Financement : %(funder)s", "nl": "Financiering: %(funder)s", "en": "Funding: %(funder)s"},
    "Funding received": {"fr": "Financements reçus", "nl": "Ontvangen financiering", "en": "Funding received"},
    "Subsidies and grants recorded by your advisor: income of the unit, credited to its balance and counted in the mutual contribution like the invoices.": {
        "fr": "Subsides et bourses enregistrés par votre conseiller·e : des revenus de l'unité, crédités à son solde et comptés dans la contribution mutualisée comme les factures.",
        "nl": "Subsidies en beurzen die je adviseur registreerde: inkomsten van de eenheid, bijgeschreven op haar saldo en meegeteld in de gemutualiseerde bijdrage zoals de facturen.",
        "en": "Subsidies and grants recorded by your advisor: income of the unit, credited to its balance and counted in the mutual contribution like the invoices.",
    },
    "agreement": {"fr": "convention", "nl": "overeenkomst", "en": "agreement"},
}

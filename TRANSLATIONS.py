# ruff: noqa: E501
"""New msgids of the advisor's decision pages and compact queues (issue 16), for the lead to
put in the catalogs."""

TR = {
    "No such item or decision.": {
        "fr": "Élément ou décision introuvable.",
        "nl": "Onbekend item of onbekende beslissing.",
        "en": "No such item or decision.",
    },
    "This decision no longer applies to %s.": {
        "fr": "Cette décision ne s'applique plus à %s.",
        "nl": "Deze beslissing is niet meer van toepassing op %s.",
        "en": "This decision no longer applies to %s.",
    },
    "Queue empty: nothing else waits.": {
        "fr": "File vide : plus rien n'attend.",
        "nl": "Wachtrij leeg: er wacht niets meer.",
        "en": "Queue empty: nothing else waits.",
    },
    "Decisions": {"fr": "Décisions", "nl": "Beslissingen", "en": "Decisions"},
    "age": {"fr": "ancienneté", "nl": "ouderdom", "en": "age"},
    "%(days)d day": {
        "plural": "%(days)d days",
        "fr": ["%(days)d jour", "%(days)d jours"],
        "nl": ["%(days)d dag", "%(days)d dagen"],
        "en": ["%(days)d day", "%(days)d days"],
    },
    "Ask for information": {
        "fr": "Demander des informations",
        "nl": "Informatie vragen",
        "en": "Ask for information",
    },
    "Say what information you need.": {
        "fr": "Dites de quelles informations vous avez besoin.",
        "nl": "Zeg welke informatie u nodig hebt.",
        "en": "Say what information you need.",
    },
    "Your question to the member": {
        "fr": "Votre question au sociétaire",
        "nl": "Uw vraag aan de vennoot",
        "en": "Your question to the member",
    },
    "The member reads it in the history of the item.": {
        "fr": "Le sociétaire la lit dans l'historique du dossier.",
        "nl": "De vennoot leest ze in de geschiedenis van het dossier.",
        "en": "The member reads it in the history of the item.",
    },
    "Declaration %(object)s approved.": {
        "fr": "Déclaration %(object)s approuvée.",
        "nl": "Aangifte %(object)s goedgekeurd.",
        "en": "Declaration %(object)s approved.",
    },
    "Declaration %(object)s rejected.": {
        "fr": "Déclaration %(object)s refusée.",
        "nl": "Aangifte %(object)s geweigerd.",
        "en": "Declaration %(object)s rejected.",
    },
    "The unit's balance can't pay this declaration: you approve it anyway.": {
        "fr": "Le solde de l'unité ne peut pas payer cette déclaration : vous l'approuvez quand même.",
        "nl": "Het saldo van de eenheid kan deze aangifte niet betalen: u keurt ze toch goed.",
        "en": "The unit's balance can't pay this declaration: you approve it anyway.",
    },
    "The member reads the reason on the declaration's page.": {
        "fr": "Le sociétaire lit le motif sur la page de la déclaration.",
        "nl": "De vennoot leest de reden op de pagina van de aangifte.",
        "en": "The member reads the reason on the declaration's page.",
    },
    "Your question on declaration %(object)s is sent to the member.": {
        "fr": "Votre question sur la déclaration %(object)s est envoyée au sociétaire.",
        "nl": "Uw vraag over aangifte %(object)s is naar de vennoot gestuurd.",
        "en": "Your question on declaration %(object)s is sent to the member.",
    },
    "The declaration stays in the queue until you decide.": {
        "fr": "La déclaration reste dans la file jusqu'à votre décision.",
        "nl": "De aangifte blijft in de wachtrij tot u beslist.",
        "en": "The declaration stays in the queue until you decide.",
    },
    "Only an advisor can ask about a declaration.": {
        "fr": "Seul un conseiller peut poser une question sur une déclaration.",
        "nl": "Alleen een adviseur kan een vraag stellen over een aangifte.",
        "en": "Only an advisor can ask about a declaration.",
    },
    "Only a submitted declaration waits for an advisor's question.": {
        "fr": "Seule une déclaration soumise attend une question du conseiller.",
        "nl": "Alleen een ingediende aangifte wacht op een vraag van de adviseur.",
        "en": "Only a submitted declaration waits for an advisor's question.",
    },
    "Contract %(object)s released for pay.": {
        "fr": "Contrat %(object)s libéré pour la paie.",
        "nl": "Contract %(object)s vrijgegeven voor betaling.",
        "en": "Contract %(object)s released for pay.",
    },
    "Contract %(object)s cancelled.": {
        "fr": "Contrat %(object)s annulé.",
        "nl": "Contract %(object)s geannuleerd.",
        "en": "Contract %(object)s cancelled.",
    },
    "number": {"fr": "numéro", "nl": "nummer", "en": "number"},
    "turnover": {"fr": "chiffre d'affaires", "nl": "omzet", "en": "turnover"},
    "expenses %(amount)s": {
        "fr": "frais %(amount)s",
        "nl": "kosten %(amount)s",
        "en": "expenses %(amount)s",
    },
    "budget": {"fr": "budget", "nl": "budget", "en": "budget"},
    "overdraft %(amount)s": {
        "fr": "dépassement %(amount)s",
        "nl": "overschrijding %(amount)s",
        "en": "overdraft %(amount)s",
    },
    "period": {"fr": "période", "nl": "periode", "en": "period"},
    "your advisor asks for information": {
        "fr": "votre conseiller demande des informations",
        "nl": "uw adviseur vraagt informatie",
        "en": "your advisor asks for information",
    },
    "Your question to the claimant": {
        "fr": "Votre question au demandeur ou à la demandeuse",
        "nl": "Uw vraag aan de aanvrager",
        "en": "Your question to the claimant",
    },
    "The claimant reads it in the history of the claim.": {
        "fr": "Il ou elle la lit dans l'historique de la note de frais.",
        "nl": "De aanvrager leest ze in de geschiedenis van de onkostennota.",
        "en": "The claimant reads it in the history of the claim.",
    },
    "Claim %(object)s approved: posted and queued for reimbursement.": {
        "fr": "Note de frais %(object)s approuvée : comptabilisée et mise en attente de remboursement.",
        "nl": "Onkostennota %(object)s goedgekeurd: geboekt en klaar voor terugbetaling.",
        "en": "Claim %(object)s approved: posted and queued for reimbursement.",
    },
    "Claim %(object)s approved.": {
        "fr": "Note de frais %(object)s approuvée.",
        "nl": "Onkostennota %(object)s goedgekeurd.",
        "en": "Claim %(object)s approved.",
    },
    "The unit's balance may go below zero for this claim. Say why: the reason is kept with the claim.": {
        "fr": "Le solde de l'unité peut passer sous zéro pour cette note de frais. Dites pourquoi : le motif est conservé avec la note.",
        "nl": "Het saldo van de eenheid mag voor deze onkostennota onder nul gaan. Zeg waarom: de reden wordt bij de nota bewaard.",
        "en": "The unit's balance may go below zero for this claim. Say why: the reason is kept with the claim.",
    },
    "Claim %(object)s rejected.": {
        "fr": "Note de frais %(object)s refusée.",
        "nl": "Onkostennota %(object)s geweigerd.",
        "en": "Claim %(object)s rejected.",
    },
    "Your question on claim %(object)s is sent to the claimant.": {
        "fr": "Votre question sur la note de frais %(object)s est envoyée au demandeur ou à la demandeuse.",
        "nl": "Uw vraag over onkostennota %(object)s is naar de aanvrager gestuurd.",
        "en": "Your question on claim %(object)s is sent to the claimant.",
    },
    "The claim stays in the queue until you decide.": {
        "fr": "La note de frais reste dans la file jusqu'à votre décision.",
        "nl": "De onkostennota blijft in de wachtrij tot u beslist.",
        "en": "The claim stays in the queue until you decide.",
    },
    "VAT %(vat)s": {"fr": "TVA %(vat)s", "nl": "btw %(vat)s", "en": "VAT %(vat)s"},
    "Your question to the applicant": {
        "fr": "Votre question au candidat ou à la candidate",
        "nl": "Uw vraag aan de kandidaat",
        "en": "Your question to the applicant",
    },
    "Sent by e-mail to the applicant, in their language.": {
        "fr": "Envoyée par e-mail au candidat ou à la candidate, dans sa langue.",
        "nl": "Per e-mail naar de kandidaat gestuurd, in zijn of haar taal.",
        "en": "Sent by e-mail to the applicant, in their language.",
    },
    "Application of %(object)s approved.": {
        "fr": "Candidature de %(object)s approuvée.",
        "nl": "Aanvraag van %(object)s goedgekeurd.",
        "en": "Application of %(object)s approved.",
    },
    "Application of %(object)s refused.": {
        "fr": "Candidature de %(object)s refusée.",
        "nl": "Aanvraag van %(object)s geweigerd.",
        "en": "Application of %(object)s refused.",
    },
    "Your question is e-mailed to %(object)s.": {
        "fr": "Votre question est envoyée par e-mail à %(object)s.",
        "nl": "Uw vraag is per e-mail naar %(object)s gestuurd.",
        "en": "Your question is e-mailed to %(object)s.",
    },
    "The application stays in the queue until you decide.": {
        "fr": "La candidature reste dans la file jusqu'à votre décision.",
        "nl": "De aanvraag blijft in de wachtrij tot u beslist.",
        "en": "The application stays in the queue until you decide.",
    },
    "The applicant becomes a member on the decision date, with a member number and the subscription in the register, and is told by e-mail.": {
        "fr": "Le candidat ou la candidate devient sociétaire à la date de la décision, avec un numéro de sociétaire et la souscription au registre, et en est informé par e-mail.",
        "nl": "De kandidaat wordt vennoot op de datum van de beslissing, met een vennotennummer en de inschrijving in het register, en krijgt een e-mail.",
        "en": "The applicant becomes a member on the decision date, with a member number and the subscription in the register, and is told by e-mail.",
    },
    "paid %(amount)s": {
        "fr": "payé %(amount)s",
        "nl": "betaald %(amount)s",
        "en": "paid %(amount)s",
    },
    "submitted on": {"fr": "soumise le", "nl": "ingediend op", "en": "submitted on"},
    "Your membership application: a question from your advisor": {
        "fr": "Votre candidature : une question de votre conseiller",
        "nl": "Uw aanvraag tot lidmaatschap: een vraag van uw adviseur",
        "en": "Your membership application: a question from your advisor",
    },
    "Before deciding on your membership application, your advisor needs this information:": {
        "fr": "Avant de décider de votre candidature, votre conseiller a besoin de cette information :",
        "nl": "Voor uw aanvraag tot lidmaatschap beslist wordt, heeft uw adviseur deze informatie nodig:",
        "en": "Before deciding on your membership application, your advisor needs this information:",
    },
    "Please send your answer to your office of the cooperative.": {
        "fr": "Merci d'envoyer votre réponse à votre bureau de la coopérative.",
        "nl": "Stuur uw antwoord naar uw kantoor van de coöperatie.",
        "en": "Please send your answer to your office of the cooperative.",
    },
}

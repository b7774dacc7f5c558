"""New msgids of the notifications (issue 16), with their French, Dutch and English texts."""

TR = {
    # members/models/notifications.py
    "details": {"fr": "détails", "nl": "details", "en": "details"},
    "link": {"fr": "lien", "nl": "link", "en": "link"},
    "e-mailed at": {"fr": "envoyée par e-mail le", "nl": "gemaild op", "en": "e-mailed at"},
    "notification": {"fr": "notification", "nl": "melding", "en": "notification"},
    "notifications": {"fr": "notifications", "nl": "meldingen", "en": "notifications"},
    "e-mail switched off": {
        "fr": "e-mail désactivé",
        "nl": "uitgeschakelde e-mail",
        "en": "e-mail switched off",
    },
    "e-mails switched off": {
        "fr": "e-mails désactivés",
        "nl": "uitgeschakelde e-mails",
        "en": "e-mails switched off",
    },
    # members/notifications/kinds.py: labels
    "A 3en1 job approved": {
        "fr": "Une prestation 3en1 approuvée",
        "nl": "Een 3en1-prestatie goedgekeurd",
        "en": "A 3en1 job approved",
    },
    "A 3en1 job refused": {
        "fr": "Une prestation 3en1 refusée",
        "nl": "Een 3en1-prestatie geweigerd",
        "en": "A 3en1 job refused",
    },
    "A work declaration approved": {
        "fr": "Une déclaration de travail approuvée",
        "nl": "Een werkaangifte goedgekeurd",
        "en": "A work declaration approved",
    },
    "A work declaration refused": {
        "fr": "Une déclaration de travail refusée",
        "nl": "Een werkaangifte geweigerd",
        "en": "A work declaration refused",
    },
    "An expense claim approved": {
        "fr": "Une note de frais approuvée",
        "nl": "Een onkostennota goedgekeurd",
        "en": "An expense claim approved",
    },
    "An expense claim refused": {
        "fr": "Une note de frais refusée",
        "nl": "Een onkostennota geweigerd",
        "en": "An expense claim refused",
    },
    "An invoice approved": {
        "fr": "Une facture approuvée",
        "nl": "Een factuur goedgekeurd",
        "en": "An invoice approved",
    },
    "An invoice refused": {
        "fr": "Une facture refusée",
        "nl": "Een factuur geweigerd",
        "en": "An invoice refused",
    },
    "An advisor asks for information": {
        "fr": "Un conseiller demande des informations",
        "nl": "Een adviseur vraagt informatie",
        "en": "An advisor asks for information",
    },
    "Membership application approved": {
        "fr": "Demande d'adhésion acceptée",
        "nl": "Aanvraag tot lidmaatschap aanvaard",
        "en": "Membership application approved",
    },
    "Membership application refused": {
        "fr": "Demande d'adhésion refusée",
        "nl": "Aanvraag tot lidmaatschap geweigerd",
        "en": "Membership application refused",
    },
    "A contract to accept": {
        "fr": "Un contrat à accepter",
        "nl": "Een te aanvaarden contract",
        "en": "A contract to accept",
    },
    "A payslip available": {
        "fr": "Une fiche de paie disponible",
        "nl": "Een loonfiche beschikbaar",
        "en": "A payslip available",
    },
    "An attestation available": {
        "fr": "Une attestation disponible",
        "nl": "Een attest beschikbaar",
        "en": "An attestation available",
    },
    "An invoice paid": {
        "fr": "Une facture payée",
        "nl": "Een factuur betaald",
        "en": "An invoice paid",
    },
    # members/notifications/kinds.py: e-mail subjects
    "Your 3en1 job is approved": {
        "fr": "Votre prestation 3en1 est approuvée",
        "nl": "Uw 3en1-prestatie is goedgekeurd",
        "en": "Your 3en1 job is approved",
    },
    "Your 3en1 job is refused": {
        "fr": "Votre prestation 3en1 est refusée",
        "nl": "Uw 3en1-prestatie is geweigerd",
        "en": "Your 3en1 job is refused",
    },
    "Your work declaration is approved": {
        "fr": "Votre déclaration de travail est approuvée",
        "nl": "Uw werkaangifte is goedgekeurd",
        "en": "Your work declaration is approved",
    },
    "Your work declaration is refused": {
        "fr": "Votre déclaration de travail est refusée",
        "nl": "Uw werkaangifte is geweigerd",
        "en": "Your work declaration is refused",
    },
    "Your expense claim is approved": {
        "fr": "Votre note de frais est approuvée",
        "nl": "Uw onkostennota is goedgekeurd",
        "en": "Your expense claim is approved",
    },
    "Your expense claim is refused": {
        "fr": "Votre note de frais est refusée",
        "nl": "Uw onkostennota is geweigerd",
        "en": "Your expense claim is refused",
    },
    "Your invoice is approved and issued": {
        "fr": "Votre facture est approuvée et émise",
        "nl": "Uw factuur is goedgekeurd en uitgereikt",
        "en": "Your invoice is approved and issued",
    },
    "Your invoice is refused": {
        "fr": "Votre facture est refusée",
        "nl": "Uw factuur is geweigerd",
        "en": "Your invoice is refused",
    },
    "An advisor asks you for information": {
        "fr": "Un conseiller vous demande des informations",
        "nl": "Een adviseur vraagt u informatie",
        "en": "An advisor asks you for information",
    },
    "Your membership application is approved": {
        "fr": "Votre demande d'adhésion est acceptée",
        "nl": "Uw aanvraag tot lidmaatschap is aanvaard",
        "en": "Your membership application is approved",
    },
    "Your membership application is refused": {
        "fr": "Votre demande d'adhésion est refusée",
        "nl": "Uw aanvraag tot lidmaatschap is geweigerd",
        "en": "Your membership application is refused",
    },
    "A contract waits for your acceptance": {
        "fr": "Un contrat attend votre acceptation",
        "nl": "Een contract wacht op uw aanvaarding",
        "en": "A contract waits for your acceptance",
    },
    "Your payslip is available": {
        "fr": "Votre fiche de paie est disponible",
        "nl": "Uw loonfiche is beschikbaar",
        "en": "Your payslip is available",
    },
    "Your attestation is available": {
        "fr": "Votre attestation est disponible",
        "nl": "Uw attest is beschikbaar",
        "en": "Your attestation is available",
    },
    "Your invoice is paid": {
        "fr": "Votre facture est payée",
        "nl": "Uw factuur is betaald",
        "en": "Your invoice is paid",
    },
    # members/notifications/kinds.py: the sentences (portal and e-mail)
    "An advisor approved your 3en1 job “%(what)s”.": {
        "fr": "Un conseiller a approuvé votre prestation 3en1 « %(what)s ».",
        "nl": "Een adviseur heeft uw 3en1-prestatie ‘%(what)s’ goedgekeurd.",
        "en": "An advisor approved your 3en1 job “%(what)s”.",
    },
    "An advisor refused your 3en1 job “%(what)s”.": {
        "fr": "Un conseiller a refusé votre prestation 3en1 « %(what)s ».",
        "nl": "Een adviseur heeft uw 3en1-prestatie ‘%(what)s’ geweigerd.",
        "en": "An advisor refused your 3en1 job “%(what)s”.",
    },
    "An advisor approved your work declaration for %(what)s.": {
        "fr": "Un conseiller a approuvé votre déclaration de travail pour %(what)s.",
        "nl": "Een adviseur heeft uw werkaangifte voor %(what)s goedgekeurd.",
        "en": "An advisor approved your work declaration for %(what)s.",
    },
    "An advisor refused your work declaration for %(what)s.": {
        "fr": "Un conseiller a refusé votre déclaration de travail pour %(what)s.",
        "nl": "Een adviseur heeft uw werkaangifte voor %(what)s geweigerd.",
        "en": "An advisor refused your work declaration for %(what)s.",
    },
    "An advisor approved your expense claim “%(what)s” of %(spent_day)s.": {
        "fr": "Un conseiller a approuvé votre note de frais « %(what)s » du %(spent_day)s.",
        "nl": "Een adviseur heeft uw onkostennota ‘%(what)s’ van %(spent_day)s goedgekeurd.",
        "en": "An advisor approved your expense claim “%(what)s” of %(spent_day)s.",
    },
    "An advisor refused your expense claim “%(what)s” of %(spent_day)s.": {
        "fr": "Un conseiller a refusé votre note de frais « %(what)s » du %(spent_day)s.",
        "nl": "Een adviseur heeft uw onkostennota ‘%(what)s’ van %(spent_day)s geweigerd.",
        "en": "An advisor refused your expense claim “%(what)s” of %(spent_day)s.",
    },
    "An advisor approved your invoice, issued as number %(what)s.": {
        "fr": "Un conseiller a approuvé votre facture, émise sous le numéro %(what)s.",
        "nl": "Een adviseur heeft uw factuur goedgekeurd, uitgereikt onder nummer %(what)s.",
        "en": "An advisor approved your invoice, issued as number %(what)s.",
    },
    "An advisor refused your invoice to %(what)s.": {
        "fr": "Un conseiller a refusé votre facture à %(what)s.",
        "nl": "Een adviseur heeft uw factuur aan %(what)s geweigerd.",
        "en": "An advisor refused your invoice to %(what)s.",
    },
    "An advisor asks you for information about %(what)s.": {
        "fr": "Un conseiller vous demande des informations sur %(what)s.",
        "nl": "Een adviseur vraagt u informatie over %(what)s.",
        "en": "An advisor asks you for information about %(what)s.",
    },
    "Your membership application is approved: welcome to the cooperative.": {
        "fr": "Votre demande d'adhésion est acceptée : bienvenue dans la coopérative.",
        "nl": "Uw aanvraag tot lidmaatschap is aanvaard: welkom in de coöperatie.",
        "en": "Your membership application is approved: welcome to the cooperative.",
    },
    "Your membership application is refused.": {
        "fr": "Votre demande d'adhésion est refusée.",
        "nl": "Uw aanvraag tot lidmaatschap is geweigerd.",
        "en": "Your membership application is refused.",
    },
    "The employment contract %(what)s, from %(start_day)s to %(end_day)s, waits for your "
    "acceptance before the work starts.": {
        "fr": "Le contrat de travail %(what)s, du %(start_day)s au %(end_day)s, attend votre "
        "acceptation avant le début du travail.",
        "nl": "De arbeidsovereenkomst %(what)s, van %(start_day)s tot %(end_day)s, wacht op uw "
        "aanvaarding voordat het werk begint.",
        "en": "The employment contract %(what)s, from %(start_day)s to %(end_day)s, waits for "
        "your acceptance before the work starts.",
    },
    "Your payslip for %(month)s is available.": {
        "fr": "Votre fiche de paie de %(month)s est disponible.",
        "nl": "Uw loonfiche van %(month)s is beschikbaar.",
        "en": "Your payslip for %(month)s is available.",
    },
    "The attestation you asked for (%(what)s) is available.": {
        "fr": "L'attestation que vous avez demandée (%(what)s) est disponible.",
        "nl": "Het attest dat u hebt gevraagd (%(what)s) is beschikbaar.",
        "en": "The attestation you asked for (%(what)s) is available.",
    },
    "The client paid invoice %(what)s in full.": {
        "fr": "Le client a payé la facture %(what)s en totalité.",
        "nl": "De klant heeft factuur %(what)s volledig betaald.",
        "en": "The client paid invoice %(what)s in full.",
    },
    # members/notifications/services.py, forms.py, views.py
    "Unknown kind of e-mail: %(kinds)s.": {
        "fr": "Type d'e-mail inconnu : %(kinds)s.",
        "nl": "Onbekend soort e-mail: %(kinds)s.",
        "en": "Unknown kind of e-mail: %(kinds)s.",
    },
    "These e-mails are required and can't be switched off: %(kinds)s.": {
        "fr": "Ces e-mails sont obligatoires et ne peuvent pas être désactivés : %(kinds)s.",
        "nl": "Deze e-mails zijn verplicht en kunnen niet worden uitgeschakeld: %(kinds)s.",
        "en": "These e-mails are required and can't be switched off: %(kinds)s.",
    },
    "The law requires this e-mail: it stays on.": {
        "fr": "La loi impose cet e-mail : il reste activé.",
        "nl": "De wet vereist deze e-mail: hij blijft aan.",
        "en": "The law requires this e-mail: it stays on.",
    },
    "All your notifications are marked as read.": {
        "fr": "Toutes vos notifications sont marquées comme lues.",
        "nl": "Al uw meldingen zijn als gelezen gemarkeerd.",
        "en": "All your notifications are marked as read.",
    },
    "Your e-mail preferences are saved.": {
        "fr": "Vos préférences d'e-mail sont enregistrées.",
        "nl": "Uw e-mailvoorkeuren zijn opgeslagen.",
        "en": "Your e-mail preferences are saved.",
    },
    # templates/portal/_notifications_badge.html
    "Notifications": {"fr": "Notifications", "nl": "Meldingen", "en": "Notifications"},
    "%(counter)s unread": {
        "plural": "%(counter)s unread",
        "fr": ["%(counter)s non lue", "%(counter)s non lues"],
        "nl": ["%(counter)s ongelezen", "%(counter)s ongelezen"],
        "en": ["%(counter)s unread", "%(counter)s unread"],
    },
    # templates/portal/notifications/list.html and emails.html
    "E-mails I receive": {
        "fr": "E-mails que je reçois",
        "nl": "E-mails die ik ontvang",
        "en": "E-mails I receive",
    },
    "Mark all as read": {
        "fr": "Tout marquer comme lu",
        "nl": "Alles als gelezen markeren",
        "en": "Mark all as read",
    },
    "new": {"fr": "nouveau", "nl": "nieuw", "en": "new"},
    "Open": {"fr": "Ouvrir", "nl": "Openen", "en": "Open"},
    "Mark as read": {"fr": "Marquer comme lu", "nl": "Als gelezen markeren", "en": "Mark as read"},
    "No notifications yet: you will find here the advisors' decisions, contracts to accept, "
    "payslips and payments.": {
        "fr": "Pas encore de notification : vous trouverez ici les décisions des conseillers, "
        "les contrats à accepter, les fiches de paie et les paiements.",
        "nl": "Nog geen meldingen: hier vindt u de beslissingen van de adviseurs, de te "
        "aanvaarden contracten, de loonfiches en de betalingen.",
        "en": "No notifications yet: you will find here the advisors' decisions, contracts to "
        "accept, payslips and payments.",
    },
    "Every notification is shown in the portal. Choose which ones are also sent to you by "
    "e-mail. The e-mails the law requires (a contract to accept, a payslip) are always sent.": {
        "fr": "Chaque notification est affichée dans le portail. Choisissez celles qui vous "
        "sont aussi envoyées par e-mail. Les e-mails imposés par la loi (un contrat à "
        "accepter, une fiche de paie) sont toujours envoyés.",
        "nl": "Elke melding wordt in het portaal getoond. Kies welke u ook per e-mail "
        "ontvangt. De e-mails die de wet vereist (een te aanvaarden contract, een loonfiche) "
        "worden altijd verstuurd.",
        "en": "Every notification is shown in the portal. Choose which ones are also sent to "
        "you by e-mail. The e-mails the law requires (a contract to accept, a payslip) are "
        "always sent.",
    },
    "Send me an e-mail when": {
        "fr": "M'envoyer un e-mail pour",
        "nl": "Stuur mij een e-mail bij",
        "en": "Send me an e-mail when",
    },
    "required, always sent": {
        "fr": "obligatoire, toujours envoyé",
        "nl": "verplicht, altijd verstuurd",
        "en": "required, always sent",
    },
    "Back to notifications": {
        "fr": "Retour aux notifications",
        "nl": "Terug naar de meldingen",
        "en": "Back to notifications",
    },
    # templates/emails/notifications/notification.txt
    "See it in your portal:": {
        "fr": "À voir dans votre espace :",
        "nl": "Bekijk het in uw portaal:",
        "en": "See it in your portal:",
    },
    "The law requires this e-mail: it can't be switched off.": {
        "fr": "La loi impose cet e-mail : il ne peut pas être désactivé.",
        "nl": "De wet vereist deze e-mail: hij kan niet worden uitgeschakeld.",
        "en": "The law requires this e-mail: it can't be switched off.",
    },
    "To choose which e-mails you receive: %(preferences)s": {
        "fr": "Pour choisir les e-mails que vous recevez : %(preferences)s",
        "nl": "Om te kiezen welke e-mails u ontvangt: %(preferences)s",
        "en": "To choose which e-mails you receive: %(preferences)s",
    },
}

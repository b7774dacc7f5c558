"""Who took part and what was voted, in tables that nothing links (docs/VOTING.md).

- Participation: THAT a member took part (channel, the day only). Unique per member and
  assembly: nobody votes twice, whoever casts and however.
- EncryptedBallot: WHAT was voted online, sealed to the tellers' public key while the vote is
  open, chained by SHA-256 in casting order. No member, no time. After the count its content is
  erased; its hash (the voter's receipt) and the chain stay.
- ClearBallot: the decrypted ballots, written by the count in a random order with random ids.
- PaperTally: the totals of the paper or show-of-hands vote at the meeting.
- ItemResult: the frozen result of an item (or of one candidate of an election).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.model_fields import optional_link, required_link
from members.models import Member

from .assemblies import AgendaItem, ElectionCandidate, GeneralAssembly


class Participation(models.Model):
    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        IN_PERSON = "in_person", _("in person")
        PROXY = "proxy", _("by proxy")

    assembly = models.ForeignKey(
        GeneralAssembly,
        verbose_name=_("assembly"),
        on_delete=models.CASCADE,
        related_name="participations",
        db_index=False,
    )
    member = required_link(Member, _("member"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    # The day only: a time would pair a participation with a ballot's position in the chain.
    day = models.DateField(_("day"))
    # For a proxy: who cast the ballot.
    proxy_holder = optional_link(Member, _("cast by the proxy holder"))

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            # One person, one vote: the database refuses a second participation, whatever
            # the channel and whoever casts it.
            models.UniqueConstraint(fields=["assembly", "member"], name="participation_once"),
        ]

    def __str__(self):
        return f"{self.assembly_id}: {self.member_id} ({self.channel})"


class EncryptedBallot(models.Model):
    """A sealed ballot and a link of the chain: chain = SHA-256(previous chain + receipt)."""

    assembly = models.ForeignKey(
        GeneralAssembly,
        on_delete=models.CASCADE,
        related_name="encrypted_ballots",
        db_index=False,
    )
    position = models.PositiveIntegerField()
    sealed = models.BinaryField(blank=True)
    receipt = models.CharField(max_length=64)
    chain = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("encrypted ballot")
        verbose_name_plural = _("encrypted ballots")
        constraints = [
            models.UniqueConstraint(fields=["assembly", "position"], name="ballot_chain_position"),
            models.UniqueConstraint(fields=["assembly", "receipt"], name="ballot_receipt_once"),
        ]

    def __str__(self):
        return self.receipt


class ClearBallot(models.Model):
    """A decrypted ballot: {item id: choice} and, for an election, {item id: {candidate id:
    choice}}. Random id, written in random order: its place in the table says nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assembly = models.ForeignKey(
        GeneralAssembly, on_delete=models.CASCADE, related_name="clear_ballots"
    )
    choices = models.JSONField()

    class Meta:
        verbose_name = _("counted ballot")
        verbose_name_plural = _("counted ballots")

    def __str__(self):
        return str(self.id)


class Choice(models.TextChoices):
    FOR = "for", _("for")
    AGAINST = "against", _("against")
    ABSTAIN = "abstain", _("abstention")
    BLANK = "blank", _("blank")


class PaperTally(models.Model):
    """The totals of the vote in the room for one item (or one candidate)."""

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="paper"
    )
    candidate = models.ForeignKey(
        ElectionCandidate,
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    votes_for = models.PositiveIntegerField(_("for"), default=0)
    votes_against = models.PositiveIntegerField(_("against"), default=0)
    abstentions = models.PositiveIntegerField(_("abstentions"), default=0)
    blank = models.PositiveIntegerField(_("blank"), default=0)
    entered_by = required_link(settings.AUTH_USER_MODEL, None)
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("paper vote totals")
        verbose_name_plural = _("paper vote totals")
        constraints = [
            # Once per item, or per candidate of an election (no NULLS NOT DISTINCT: SQLite).
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(candidate__isnull=True), name="paper_tally_once"
            ),
            models.UniqueConstraint(
                fields=["item", "candidate"],
                condition=models.Q(candidate__isnull=False),
                name="paper_tally_once_per_candidate",
            ),
        ]

    def __str__(self):
        return f"{self.item_id}/{self.candidate_id}"


class ItemResult(models.Model):
    """The result of an item (or of one candidate of an election), frozen by the count."""

    class Outcome(models.TextChoices):
        NOTED = "noted", _("the assembly takes note")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        TIE = "tie", _("tie: not adopted")
        NO_QUORUM = "no_quorum", _("quorum not met")
        ELECTED = "elected", _("elected")
        NOT_ELECTED = "not_elected", _("not elected")
        TIE_FOR_SEAT = "tie_for_seat", _("tie for the last seat: not elected")

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="results")
    candidate = models.ForeignKey(
        ElectionCandidate, null=True, blank=True, on_delete=models.CASCADE, related_name="results"
    )
    eligible = models.PositiveIntegerField(_("members on the roll"))
    participated = models.PositiveIntegerField(_("took part"))
    online = models.JSONField(_("online"), default=dict)
    paper = models.JSONField(_("in the room"), default=dict)
    votes_for = models.PositiveIntegerField(_("for"))
    votes_against = models.PositiveIntegerField(_("against"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    blank = models.PositiveIntegerField(_("blank"))
    quorum_met = models.BooleanField(_("quorum met"))
    majority_reached = models.BooleanField(_("majority reached"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["item__position", "-votes_for", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(candidate__isnull=True), name="item_result_once"
            ),
            models.UniqueConstraint(
                fields=["item", "candidate"],
                condition=models.Q(candidate__isnull=False),
                name="item_result_once_per_candidate",
            ),
        ]

    def __str__(self):
        return f"{self.item_id}: {self.outcome}"

    @property
    def votes_cast(self) -> int:
        """For and against: abstentions and blank ballots are not votes cast."""
        return self.votes_for + self.votes_against

"""The API of assemblies: the list and one assembly with its agenda, my ballot status, and the
results once published (404 before: they don't exist yet, for anyone)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from members.api_membership import own_member

from .models import AgendaItem, GeneralAssembly, ItemResult
from .selectors import assemblies_for_members, receipts_published
from .services.voting import assembly_sync_status, eligibility


class CandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True)


class ItemSerializer(serializers.ModelSerializer):
    candidates = CandidateSerializer(many=True, read_only=True)

    class Meta:
        model = AgendaItem
        fields = ["id", "position", "title", "text", "kind", "seats", "candidates"]


class AssemblySerializer(serializers.ModelSerializer):
    class Meta:
        model = GeneralAssembly
        fields = [
            "id",
            "kind",
            "title",
            "date",
            "place",
            "online",
            "record_date",
            "voting_opens_at",
            "voting_closes_at",
            "status",
            "roll_size",
            "roll_sha256",
        ]


class AssemblyDetailSerializer(AssemblySerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta(AssemblySerializer.Meta):
        fields = [*AssemblySerializer.Meta.fields, "items"]


class BallotStatusSerializer(serializers.Serializer):
    can_vote = serializers.BooleanField()
    reason = serializers.CharField(
        help_text=gettext_lazy(
            "ok, draft, not_on_roll, already_voted, no_online_vote, not_open_yet or closed."
        )
    )
    message = serializers.CharField()
    channel = serializers.CharField(allow_null=True)
    day = serializers.DateField(allow_null=True)


class ResultSerializer(serializers.ModelSerializer):
    item = serializers.IntegerField(source="item_id")
    candidate = serializers.IntegerField(source="candidate_id", allow_null=True)

    class Meta:
        model = ItemResult
        fields = [
            "item",
            "candidate",
            "eligible",
            "participated",
            "votes_for",
            "votes_against",
            "abstentions",
            "blank",
            "online",
            "paper",
            "quorum_met",
            "majority_reached",
            "outcome",
        ]


class ResultsSerializer(serializers.Serializer):
    results = ResultSerializer(many=True)
    receipts = serializers.ListField(child=serializers.CharField())
    ballots_sha256 = serializers.CharField()
    chain_head = serializers.CharField()


class AssemblyListApi(generics.ListAPIView):
    """Assemblies convened, latest first (drafts are the board's)."""

    serializer_class = AssemblySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema, not a caller
            return GeneralAssembly.objects.none()
        own_member(self.request)
        return assemblies_for_members()


class AssemblyDetailApi(generics.RetrieveAPIView):
    serializer_class = AssemblyDetailSerializer
    lookup_url_kwarg = "assembly_id"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return GeneralAssembly.objects.none()
        own_member(self.request)
        return assemblies_for_members().prefetch_related("items__candidates__member")


class MyBallotStatusApi(generics.GenericAPIView):
    """Whether I can vote online now, and why not; my participation if I took part."""

    serializer_class = BallotStatusSerializer

    @extend_schema(
        responses={
            200: BallotStatusSerializer,
            404: OpenApiResponse(description=gettext_lazy("No such assembly.")),
        }
    )
    def get(self, request, assembly_id):
        member = own_member(request)
        assembly = get_object_or_404(assemblies_for_members(), pk=assembly_id)
        assembly_sync_status(assembly=assembly)
        status = eligibility(assembly=assembly, member=member)
        participation = status.participation
        return Response(
            BallotStatusSerializer(
                {
                    "can_vote": status.can_vote,
                    "reason": status.reason,
                    "message": status.message,
                    "channel": participation.channel if participation else None,
                    "day": participation.day if participation else None,
                }
            ).data
        )


class AssemblyResultsApi(generics.GenericAPIView):
    """The published results, the receipts of the ballots counted and the hashes to check
    them. 404 until the results are published."""

    serializer_class = ResultsSerializer

    @extend_schema(
        responses={
            200: ResultsSerializer,
            404: OpenApiResponse(
                description=gettext_lazy("No such assembly, or its results are not published.")
            ),
        }
    )
    def get(self, request, assembly_id):
        own_member(request)
        assembly = get_object_or_404(assemblies_for_members(), pk=assembly_id)
        if assembly.status != GeneralAssembly.Status.PUBLISHED:
            raise NotFound(gettext_lazy("The results are published after the vote closes."))
        results = ItemResult.objects.filter(item__assembly=assembly).order_by(
            "item__position", "id"
        )
        return Response(
            ResultsSerializer(
                {
                    "results": results,
                    "receipts": list(receipts_published(assembly)),
                    "ballots_sha256": assembly.ballots_sha256,
                    "chain_head": assembly.chain_head,
                }
            ).data
        )

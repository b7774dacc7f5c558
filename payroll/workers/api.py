"""The API of workers: the workers of one of my units, and my declared days of a month."""

from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.calendar import parse_month
from core.validators import mask_national_number
from payroll.models import UnitWorker
from production_units.models import ProductionUnit

from .calendar import worker_calendar
from .worker_services import worker_of_user


class UnitWorkerOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="worker.id", read_only=True)
    first_name = serializers.CharField(source="worker.first_name", read_only=True)
    last_name = serializers.CharField(source="worker.last_name", read_only=True)
    email = serializers.EmailField(source="worker.email", read_only=True)
    national_number = serializers.SerializerMethodField(
        help_text=_("Masked: only the birth-date part is shown.")
    )
    is_holder = serializers.BooleanField(read_only=True)
    added_on = serializers.DateField(read_only=True)
    ended_on = serializers.DateField(read_only=True, allow_null=True)

    def get_national_number(self, link) -> str:
        return mask_national_number(link.worker.national_number)


class UnitWorkerListApi(generics.ListAPIView):
    """The workers of one of my units (holder included; those who left have `ended_on`)."""

    serializer_class = UnitWorkerOutputSerializer

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # the schema generator
            return UnitWorker.objects.none()
        unit = get_object_or_404(ProductionUnit.objects.held_by(user), pk=self.kwargs["unit_id"])
        return (
            UnitWorker.objects.filter(unit=unit)
            .select_related("worker")
            .order_by("ended_on", "-is_holder", "worker__last_name", "worker__first_name", "pk")
        )


class WorkDayOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    date = serializers.DateField(read_only=True)
    hours = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True)
    function = serializers.CharField(read_only=True)
    unit_code = serializers.CharField(source="unit.code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    contract_type = serializers.CharField(source="contract_type.label", read_only=True)


class HolidaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField()


class MyCalendarSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM"))
    previous = serializers.CharField(help_text=_("YYYY-MM"))
    next = serializers.CharField(help_text=_("YYYY-MM"))
    total_hours = serializers.DecimalField(max_digits=7, decimal_places=2)
    holidays = HolidaySerializer(many=True, help_text=_("Belgian public holidays of the month."))
    days = WorkDayOutputSerializer(many=True)


class MyCalendarApi(APIView):
    """My declared days (all units, not cancelled) and Belgium's public holidays of a month."""

    @extend_schema(
        parameters=[
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: this month)")
        ],
        responses=MyCalendarSerializer,
    )
    def get(self, request):
        today = timezone.localdate()
        month = parse_month(request.query_params.get("month"), default=today)
        language = (translation.get_language() or "fr")[:2]
        calendar = worker_calendar(
            worker=worker_of_user(request.user), month=month, today=today, language=language
        )
        data = {
            "month": f"{month:%Y-%m}",
            "previous": f"{calendar.previous:%Y-%m}",
            "next": f"{calendar.next:%Y-%m}",
            "total_hours": calendar.total_hours,
            "holidays": [{"date": day, "name": name} for day, name in calendar.holidays.items()],
            "days": calendar.entries,
        }
        return Response(MyCalendarSerializer(data).data)

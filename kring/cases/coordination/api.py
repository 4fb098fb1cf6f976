"""The independent coordinators' API (decisions 240-249): the assignments a user may know of, read-only.

An office's team lead or administrator gets the office's assignments with their totals; an independent coordinator
their own. Each carries the case number and the organisations' codes, nothing of the family (as the office's page).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from kring.core.actor import Actor
from kring.core.api import JsonApiView

from . import queries


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_id = serializers.IntegerField(help_text="Opens for the coordinator while the assignment is active.")
    case_number = serializers.CharField()
    organisation = serializers.CharField(help_text="The code of the case's organisation.")
    office = serializers.CharField(help_text="The code of the coordinating office.")
    coordinator_id = serializers.IntegerField()
    coordinator = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="The first day without access; null while open.")
    active = serializers.BooleanField(help_text="Whether the coordinator sees the case today.")
    hours = serializers.DecimalField(max_digits=9, decimal_places=2)
    travel_km = serializers.DecimalField(max_digits=10, decimal_places=1)
    costs = serializers.DecimalField(max_digits=11, decimal_places=2)


class AssignmentListView(JsonApiView):
    @extend_schema(
        operation_id="coordination_assignments_list",
        tags=["coordination"],
        summary="The coordinator assignments of your offices, and your own",
        description="Empty for a user who neither staffs a coordinating office nor coordinates for one.",
        responses={200: AssignmentSerializer(many=True)},
    )
    def get(self, request):
        rows = queries.known_assignments(Actor.from_request(request))
        return Response(AssignmentSerializer(rows, many=True).data)

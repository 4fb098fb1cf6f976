"""The network's REST API, under /api/v1/cases/{id}/network/. Thin, like the cases API: parse with a serializer,
call a query or a service, answer. Permissions, validation and the access log live in ``queries.py`` and
``services.py``; ``kring.core.api.exception_handler`` turns their errors into 400, 403, 404 and 409 answers.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from kring.cases.api import FORBIDDEN, NOT_FOUND, check_case_visible
from kring.core.actor import Actor
from kring.core.api import INVALID, STALE, JsonApiView, parse_input

from . import importing, queries, services
from .models import NetworkMember
from .serializers import (
    ImportResultSerializer,
    MemberInputSerializer,
    MemberSerializer,
    NetworkPersonInputSerializer,
    NetworkPersonSerializer,
    NetworkQuerySerializer,
    NetworkSerializer,
    PositionInputSerializer,
    RelationshipChangesSerializer,
    RelationshipInputSerializer,
    RelationshipSerializer,
    SystemTieChangesSerializer,
    SystemTieInputSerializer,
    SystemTieSerializer,
    UndoResultSerializer,
)

TAGS = ["network"]


class NetworkView(JsonApiView):
    @extend_schema(
        operation_id="case_network_retrieve",
        tags=TAGS,
        summary="The network of a case: persons with their map data, relationships, ties to systems, summary",
        parameters=[NetworkQuerySerializer],
        responses={200: NetworkSerializer, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        query = parse_input(NetworkQuerySerializer, request.query_params)
        moment = query.get("at")
        records = queries.network_records(Actor.from_request(request), case_id)
        network = records.network.at(moment)
        present = {m.id for m in network.members}
        persons = [p for p in records.persons if str(p.pk) in present]
        relationships = [
            r
            for r in records.relationships
            if moment is None
            or (
                str(r.person_a_id) in present
                and str(r.person_b_id) in present
                and (r.start is None or r.start <= moment)
                and (r.end is None or r.end >= moment)
            )
        ]
        ties = [
            t
            for t in records.system_ties
            if moment is None
            or (
                (t.person_id is None or str(t.person_id) in present)
                and (t.start is None or t.start <= moment)
                and (t.end is None or t.end >= moment)
            )
        ]
        summary = queries.summary(records.case, network, moment=moment)
        return Response(
            NetworkSerializer(
                {
                    "case": records.case.pk,
                    "persons": persons,
                    "relationships": relationships,
                    "system_ties": ties,
                    "summary": summary.as_dict(),
                }
            ).data
        )


class NetworkPersonListView(JsonApiView):
    @extend_schema(
        operation_id="case_network_persons_create",
        tags=TAGS,
        summary="Add a person to the case together with their map data",
        request=NetworkPersonInputSerializer,
        responses={201: NetworkPersonSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(NetworkPersonInputSerializer, request.data)
        member_data = dict(data.get("network") or {})
        member_data.pop("version", None)
        person = services.add_network_person(Actor.from_request(request), case_id, dict(data["person"]), member_data)
        person.member = person.network
        return Response(NetworkPersonSerializer(person).data, status=status.HTTP_201_CREATED)


class NetworkPersonDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_network_persons_destroy",
        tags=TAGS,
        summary="Remove a person from the case, with their relationships and ties",
        responses={204: None, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, person_id):
        check_case_visible(request, case_id)
        services.remove_network_person(Actor.from_request(request), case_id, person_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberView(JsonApiView):
    def _save(self, request, case_id, person_id, partial):
        check_case_visible(request, case_id)
        serializer = MemberInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if not partial:
            # PUT sets the whole record: what is left out goes back to its default.
            for name in queries.MEMBER_FIELDS:
                data.setdefault(name, NetworkMember._meta.get_field(name).get_default())
        member = services.save_member(Actor.from_request(request), case_id, person_id, data, version)
        return Response(MemberSerializer(member).data)

    @extend_schema(
        operation_id="case_network_members_update",
        tags=TAGS,
        summary="Set what the map knows of a person (fields left out get their defaults)",
        description="Send the version you read; a person the map knew nothing of has version 1.",
        request=MemberInputSerializer,
        responses={200: MemberSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def put(self, request, case_id, person_id):
        return self._save(request, case_id, person_id, partial=False)

    @extend_schema(
        operation_id="case_network_members_partial_update",
        tags=TAGS,
        summary="Change what the map knows of a person",
        description="Send only the fields to change, and the version you read.",
        request=MemberInputSerializer,
        responses={200: MemberSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, person_id):
        return self._save(request, case_id, person_id, partial=True)


class MemberPositionView(JsonApiView):
    @extend_schema(
        operation_id="case_network_members_position",
        tags=TAGS,
        summary="Keep where a person was dragged on one map",
        request=PositionInputSerializer,
        responses={200: MemberSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id, person_id):
        check_case_visible(request, case_id)
        data = parse_input(PositionInputSerializer, request.data)
        member = services.move_member(
            Actor.from_request(request), case_id, person_id, data["map_kind"], data["x"], data["y"]
        )
        return Response(MemberSerializer(member).data)


class RelationshipListView(JsonApiView):
    @extend_schema(
        operation_id="case_network_relationships_create",
        tags=TAGS,
        summary="Record a relationship between two persons of the case",
        request=RelationshipInputSerializer,
        responses={201: RelationshipSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(RelationshipInputSerializer, request.data)
        relationship = services.add_relationship(Actor.from_request(request), case_id, data)
        return Response(RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)


class RelationshipDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_network_relationships_partial_update",
        tags=TAGS,
        summary="Change a relationship",
        description="Send only the fields to change, and always the version you read.",
        request=RelationshipChangesSerializer,
        responses={200: RelationshipSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, relationship_id):
        check_case_visible(request, case_id)
        data = parse_input(RelationshipChangesSerializer, request.data)
        version = data.pop("version")
        relationship = services.update_relationship(
            Actor.from_request(request), case_id, relationship_id, data, version
        )
        return Response(RelationshipSerializer(relationship).data)

    @extend_schema(
        operation_id="case_network_relationships_destroy",
        tags=TAGS,
        summary="Remove a relationship",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, relationship_id):
        check_case_visible(request, case_id)
        services.remove_relationship(Actor.from_request(request), case_id, relationship_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SystemTieListView(JsonApiView):
    @extend_schema(
        operation_id="case_network_system_ties_create",
        tags=TAGS,
        summary="Record a tie from the household or one person to a system",
        request=SystemTieInputSerializer,
        responses={201: SystemTieSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        data = parse_input(SystemTieInputSerializer, request.data)
        tie = services.add_system_tie(Actor.from_request(request), case_id, data)
        return Response(SystemTieSerializer(tie).data, status=status.HTTP_201_CREATED)


class SystemTieDetailView(JsonApiView):
    @extend_schema(
        operation_id="case_network_system_ties_partial_update",
        tags=TAGS,
        summary="Change a tie to a system",
        description="Send only the fields to change, and always the version you read.",
        request=SystemTieChangesSerializer,
        responses={200: SystemTieSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def patch(self, request, case_id, tie_id):
        check_case_visible(request, case_id)
        data = parse_input(SystemTieChangesSerializer, request.data)
        version = data.pop("version")
        tie = services.update_system_tie(Actor.from_request(request), case_id, tie_id, data, version)
        return Response(SystemTieSerializer(tie).data)

    @extend_schema(
        operation_id="case_network_system_ties_destroy",
        tags=TAGS,
        summary="Remove a tie to a system",
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, case_id, tie_id):
        check_case_visible(request, case_id)
        services.remove_system_tie(Actor.from_request(request), case_id, tie_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UndoView(JsonApiView):
    @extend_schema(
        operation_id="case_network_undo",
        tags=TAGS,
        summary="Undo your last change to this network",
        request=None,
        responses={200: UndoResultSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND, 409: STALE},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        edit = services.undo_last(Actor.from_request(request), case_id)
        return Response(
            {
                "undone": edit is not None,
                "record_type": edit.record_type if edit else None,
                "record_id": edit.record_id if edit else None,
            }
        )


class ExportJsonView(JsonApiView):
    @extend_schema(
        operation_id="case_network_export_json",
        tags=TAGS,
        summary="The network as a Kring network document (format 'kring-network', version 1)",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="The network document."), 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        document = queries.export_json(Actor.from_request(request), case_id)
        response = HttpResponse(
            json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="network-{int(case_id)}.json"'
        return response


class ImportJsonView(JsonApiView):
    @extend_schema(
        operation_id="case_network_import_json",
        tags=TAGS,
        summary="Add the persons and ties of a Kring network document to the case",
        description="All or nothing: if the document has a problem, nothing is imported and the answer lists "
        "the problems under 'document'.",
        request=OpenApiTypes.OBJECT,
        responses={201: ImportResultSerializer, 400: INVALID, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def post(self, request, case_id):
        check_case_visible(request, case_id)
        counts = importing.import_json(Actor.from_request(request), case_id, request.data)
        return Response(counts, status=status.HTTP_201_CREATED)


class SvgRenderer(BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Maps come as SVG text; an error (a dict) is still told in JSON.
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, cls=DjangoJSONEncoder).encode("utf-8")


class MapQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k, k) for k in queries.MAP_KINDS], default="genogram", help_text="genogram, ecomap or circle"
    )
    at = serializers.DateField(required=False, help_text="Draw the network as it was on this day.")


class MapSvgView(JsonApiView):
    renderer_classes = [SvgRenderer, JSONRenderer]

    @extend_schema(
        operation_id="case_network_map_svg",
        tags=TAGS,
        summary="The network drawn as a genogram, eco-map or network circle (SVG)",
        parameters=[MapQuerySerializer],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, 400: INVALID, 404: NOT_FOUND},
    )
    def get(self, request, case_id):
        from .core.svg import RenderOptions, render_map

        query = parse_input(MapQuerySerializer, request.query_params)
        case, network = queries.network_for_case(Actor.from_request(request), case_id)
        settings = queries.network_settings(case.organisation)
        options = RenderOptions(death_mark=settings.death_mark, moment=query.get("at"), title=case.family_name)
        svg = render_map(network, query["kind"], options=options)
        return HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")

"""Shapes of the evaluation stage in the REST API."""

from rest_framework import serializers

from kring.core.api import MAX_ID, OutputModelSerializer, RefuseUnknownFields

from . import indicators
from .models import EvaluationJob, ResearchProject

MOMENTS = ("t1", "t2", "t3")


class PeriodSerializer(RefuseUnknownFields, serializers.Serializer):
    view = serializers.ChoiceField(
        choices=["exact", "suppressed"],
        required=False,
        help_text="exact: the organisations you manage (team lead, administrator), any organisation and period; "
        "suppressed: every organisation where you do research and do not manage, over the whole period, "
        "with no organisation or period (refused with 400). Left out: exact when you manage one.",
    )
    organisation = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="One of the organisations you manage (exact figures only); all of them when left out.",
    )
    date_from = serializers.DateField(required=False, help_text="Offers from this day (exact figures only).")
    date_to = serializers.DateField(required=False, help_text="Offers until this day (exact figures only).")

    def validate(self, data):
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise serializers.ValidationError({"date_to": "The end of the period is before its start."})
        return data


class IndicatorQuerySerializer(PeriodSerializer):
    grouping = serializers.ChoiceField(choices=[g for g in indicators.GROUPINGS], default="method")


class ProportionSerializer(serializers.Serializer):
    k = serializers.IntegerField()
    n = serializers.IntegerField()
    estimate = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    level = serializers.FloatField()


class IndicatorRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The group: a method code, organisation, team, region, year or quarter.")
    offered = serializers.IntegerField(allow_null=True, help_text="null where suppressed (under 5)")
    accepted = serializers.IntegerField(allow_null=True)
    plans = serializers.IntegerField(allow_null=True)
    without_plan = serializers.IntegerField(allow_null=True)
    running = serializers.IntegerField(allow_null=True)
    plan_rate = ProportionSerializer(allow_null=True, help_text="Plans of offers, with a Wilson 95% interval.")
    plan_rate_accepted = ProportionSerializer(allow_null=True)
    incidence = serializers.JSONField(
        allow_null=True,
        help_text="Aalen–Johansen cumulative incidence of a plan and of giving up, per week since the offer.",
    )
    agreements = serializers.JSONField()
    outcomes = serializers.JSONField(help_text="Per moment: shares and mean instrument scores.")
    suppressed = serializers.ListField(child=serializers.CharField())


class IndicatorResultSerializer(serializers.Serializer):
    grouping = serializers.CharField()
    organisation_ids = serializers.ListField(child=serializers.IntegerField())
    suppressed = serializers.BooleanField(help_text="Counts under 5 are left out (null).")
    rows = IndicatorRowSerializer(many=True)


class ReportRequestSerializer(PeriodSerializer):
    moment = serializers.ChoiceField(choices=MOMENTS, default="t1", help_text="The follow-up moment compared.")


class CompareRequestSerializer(PeriodSerializer):
    method = serializers.CharField(max_length=60)
    comparison = serializers.CharField(max_length=60, default="regular_care")
    moment = serializers.ChoiceField(choices=MOMENTS, default="t1")
    correction = serializers.ChoiceField(choices=["holm", "fdr_bh"], default="holm")


class ExtractRequestSerializer(RefuseUnknownFields, serializers.Serializer):
    format = serializers.ChoiceField(choices=["csv", "parquet"])


class JobSerializer(OutputModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = EvaluationJob
        fields = [
            "id",
            "kind",
            "status",
            "progress",
            "stage",
            "error",
            "created_at",
            "finished_at",
            "filename",
            "content_type",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, job) -> str | None:
        return f"/api/v1/evaluation-jobs/{job.pk}/download/" if job.status == "done" else None


class ProjectSerializer(OutputModelSerializer):
    organisations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = ResearchProject
        fields = ["id", "name", "description", "organisations", "offered_from", "offered_until"]
        read_only_fields = fields


class DictionaryCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    nl = serializers.CharField()
    en = serializers.CharField()


class DictionaryEntrySerializer(serializers.Serializer):
    name = serializers.CharField()
    group = serializers.CharField()
    type = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    label_nl = serializers.CharField()
    label_en = serializers.CharField()
    note_nl = serializers.CharField(allow_blank=True)
    note_en = serializers.CharField(allow_blank=True)
    codes = DictionaryCodeSerializer(many=True)
